"""LibreOffice, run headless: where it is (`soffice`), converting files (`convert`: the PDF to
sign), and a Word (.docx) reading of the officer's copy of a draft saved in another format
(`as_docx`: LibreOffice Writer's OpenDocument .odt, Word 97-2003 .doc, RTF).

Every run uses a throw-away user profile, so it never collides with a LibreOffice window the
officer has open, and converts a copy of the file, never the file itself.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import olefile

from ..outbox.kept import docx_title
from ..outbox.paths import DOCUMENT_SUFFIX
from ..read.cellfacts import parse_xml
from ..system import impl

TIMEOUT = 300  # seconds for one conversion run (a LibreOffice start is 2-5 s)


class ConvertError(Exception):
    """LibreOffice could not convert; the message (Vietnamese) says why. `missing`: it is
    not installed."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


NOT_INSTALLED = "Không tìm thấy LibreOffice (lệnh soffice)"
INSTALL_HINT = (
    "Cài LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)"
)


def soffice() -> str | None:
    """LibreOffice's `soffice`: `$SOFFICE`, else on PATH, else where the system's installer
    puts it (`system.impl.soffice_places`: Program Files on Windows, /Applications on
    macOS); None when it is not installed."""
    found = shutil.which(os.environ.get("SOFFICE", "soffice"))
    if found or "SOFFICE" in os.environ:
        return found
    return next((str(p) for p in impl.soffice_places() if p.is_file()), None)


def convert(office: str, sources: list[Path], outdir: Path, target: str, shown: str) -> list[Path]:
    """Convert every file of `sources` to the format `target` ("pdf", "docx") in one run of
    LibreOffice `office`, into `outdir / target`; return the converted files, in order.
    `shown`: the target as messages name it ("PDF"). Raises ConvertError when the run takes
    over `TIMEOUT` s or a file is not converted."""
    profile = outdir / "profile"
    cmd = [
        office,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(outdir / target),
        *map(str, sources),
    ]
    scratch = outdir / "tmp"  # LibreOffice's own temporary files, removed with `outdir`
    scratch.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **dict.fromkeys(("TMPDIR", "TMP", "TEMP"), str(scratch))}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, **impl.popen_options()
    )
    try:
        output, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        impl.kill_tree(proc)  # soffice is a script that starts soffice.bin
        proc.communicate()
        raise ConvertError(
            f"LibreOffice không chuyển xong sang {shown} sau {TIMEOUT} giây; hãy thử lại."
        ) from None
    except BaseException:  # Ctrl-C, a stop: LibreOffice never outlives the command (brk50 F2)
        impl.kill_tree(proc)
        with contextlib.suppress(Exception):
            proc.wait(timeout=_REAPED)  # gone before its folder (`outdir`) is removed
        raise
    done = [outdir / target / f"{s.stem}.{target}" for s in sources]
    missing = [p.name for p in done if not p.is_file()]
    if missing:
        detail = output.decode("utf-8", "replace").strip()[-400:]
        raise ConvertError(f"LibreOffice không tạo được {', '.join(missing)}. {detail}")
    return done


_REAPED = 10  # seconds a killed LibreOffice is given to be gone

_converted: dict[tuple[str, int, int], Path] = {}  # (path, size, mtime_ns) -> its .docx, this process
_workdir: list[Path] = []  # where they are, removed when the process ends
_count = itertools.count()


def as_docx(path: Path) -> Path:
    """A Word (.docx) reading of the document `path`: `path` itself when it is a .docx, else
    a .docx LibreOffice converted from a copy of it, in a folder of this process removed when
    it ends (converted once per file as it is now). `path` is never changed. Raises
    ConvertError when LibreOffice is not installed (`missing`) or cannot convert it, OSError
    when `path` cannot be read."""
    if path.suffix.lower() == DOCUMENT_SUFFIX:
        return path
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _converted and _converted[key].is_file():
        return _converted[key]
    office = soffice()
    if not office:
        raise ConvertError(f"{NOT_INSTALLED} để đọc tệp {path.name}.", missing=True)
    if not _workdir:
        _workdir.append(Path(tempfile.mkdtemp(prefix="docx-588-")))
        atexit.register(shutil.rmtree, _workdir[0], True)
    work = _workdir[0] / str(next(_count))
    work.mkdir()
    source = work / f"ban-sao{path.suffix.lower()}"
    shutil.copyfile(path, source)  # the officer's file is never opened by LibreOffice itself
    _converted[key] = convert(office, [source], work, DOCUMENT_SUFFIX.lstrip("."), "Word (.docx)")[0]
    return _converted[key]


def _ole_title(path: Path) -> str:
    """The title property of a compound file (a Word 97-2003 .doc), decoded by the code page
    its property set names (the CodePage property of [MS-OLEPS]: 65001 UTF-8, 1200 UTF-16,
    else a Windows code page); "" when it has none. Raises OSError when it cannot be read."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            meta = ole.get_metadata()
    except Exception as exc:  # noqa: BLE001 - olefile raises plain exceptions for a damaged file
        raise OSError(str(exc)) from exc
    raw = meta.title
    if not raw:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    page = (meta.codepage or 1252) & 0xFFFF  # stored as a signed 16-bit number (-535: 65001)
    try:
        return raw.decode({65001: "utf-8", 1200: "utf-16-le"}.get(page, f"cp{page}")).strip()
    except (LookupError, UnicodeDecodeError):
        return raw.decode("cp1252", "replace").strip()


def document_title(path: Path) -> str:
    """The title of the document `path`: an OpenDocument text's `dc:title` (its meta.xml,
    OpenDocument 1.2 Part 1 §4.2, as LibreOffice Writer keeps the .docx's title when it saves
    it as .odt; told by its content, a package holding meta.xml, not by its name), else a
    .docx's core property (`outbox.kept.docx_title`), else a Word 97-2003 .doc's (its
    SummaryInformation stream, [MS-OLEPS], read by olefile: no LibreOffice needed, brk16),
    else, for an RTF, the title of LibreOffice's .docx reading of it (`as_docx`, which keeps
    the document's properties; converted once per file and process, and then read from that
    copy); stripped, "" for a file that cannot be read or converted (no LibreOffice)."""
    import zipfile

    from lxml import etree

    try:
        with zipfile.ZipFile(path) as zf:
            if "meta.xml" not in zf.NameToInfo:  # not OpenDocument: a .docx or no package
                return docx_title(path)
            meta = zf.read("meta.xml")
        found = parse_xml(meta).find(".//{http://purl.org/dc/elements/1.1/}title")
    except zipfile.BadZipFile:  # a .doc or .rtf saved under another name (brk11 S1)
        try:
            return _ole_title(path) if olefile.isOleFile(str(path)) else docx_title(as_docx(path))
        except (ConvertError, OSError):
            return ""
    except (OSError, KeyError, ValueError, etree.XMLSyntaxError):
        return ""
    return "".join(found.itertext()).strip() if found is not None else ""
