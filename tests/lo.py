"""Driving LibreOffice headless from the tests: recalculate, render to PDF, fill through UNO.

Every LibreOffice start gets its own throw-away user profile (so tests can run in parallel
and never share state with a desktop session) and a timeout after which the whole process
group is killed. The profile sets `OOXMLRecalcMode = 0` ("always recalculate"), so a
workbook converted here comes back with the values LibreOffice computed, not the values
cached by whoever wrote it.

Missing tools: `require()` fails the test when the environment variable CI is set and
skips it otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

TIMEOUT = 120  # seconds for one LibreOffice run (a start is 2-5 s; a conversion well under 10)
UNO_PYTHON = "/usr/bin/python3"  # Debian's Python, the one python3-uno is built for
XLSX_FILTER = "Calc MS Excel 2007 XML"
EXCEL_EPOCH = dt.date(1899, 12, 30)

# the CSV export of a sheet (number `sheet`, 1-based) as it shows its cells, UTF-8 (filter
# options: https://help.libreoffice.org/latest/en-US/text/shared/guide/csv_params.html)
CSV_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}"
RECALC_ALWAYS = "0"  # OOXMLRecalcMode / ODFRecalcMode: 0 always, 1 never, 2 ask
_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{items}
</oor:items>
"""
_ITEM = '<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>'


class LibreOfficeError(RuntimeError):
    """LibreOffice failed, timed out or did not write the expected file."""


# ----- finding the tools ----------------------------------------------------------------------
def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def soffice() -> str | None:
    """Path of the LibreOffice binary (`$SOFFICE` or `soffice` on PATH), or None."""
    return shutil.which(os.environ.get("SOFFICE", "soffice"))


def uno_python() -> str | None:
    """Debian's python3 when it can `import uno` (package python3-uno), else None."""
    if not Path(UNO_PYTHON).exists():
        return None
    try:
        ok = subprocess.run(
            [UNO_PYTHON, "-c", "import uno"], env=_clean_env(), capture_output=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return UNO_PYTHON if ok.returncode == 0 else None


def require(what: str, found: str | None, package: str) -> str:
    """`found` or end the test: fail under CI (the tool must be installed), skip elsewhere."""
    if found:
        return found
    msg = f"{what} not found: install the Debian package {package}"
    if in_ci():
        pytest.fail(f"{msg} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(msg)


def require_soffice() -> str:
    return require("LibreOffice (soffice)", soffice(), "libreoffice-calc-nogui")


def require_poppler() -> None:
    for tool in ("pdfinfo", "pdftotext", "pdftoppm"):
        require(tool, shutil.which(tool), "poppler-utils")


def require_uno() -> str:
    return require(f"{UNO_PYTHON} with the uno module", uno_python(), "python3-uno")


# ----- running LibreOffice --------------------------------------------------------------------
def write_profile(root: Path, recalc: bool = True, locale: str | None = None) -> Path:
    """A fresh user profile; with `recalc`, xlsx and ods formulas are recalculated on load;
    with `locale` (a BCP 47 tag, "vi-VN"), the office's locale setting is that one (its
    separators and the numbers shown: Tools → Options → Language Settings → Locale)."""
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    items = []
    if recalc:
        for name in ("OOXMLRecalcMode", "ODFRecalcMode"):
            items.append(
                _ITEM.format(path="/org.openoffice.Office.Calc/Formula/Load", name=name, value=RECALC_ALWAYS)
            )
    if locale:
        items.append(
            _ITEM.format(path="/org.openoffice.Setup/L10N", name="ooSetupSystemLocale", value=locale)
        )
    (user / "registrymodifications.xcu").write_text(_XCU.format(items="\n".join(items)), encoding="utf-8")
    return root


@contextlib.contextmanager
def profile(recalc: bool = True, locale: str | None = None) -> Iterator[Path]:
    """A throw-away profile directory (`write_profile`), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as tmp:
        yield write_profile(Path(tmp), recalc, locale)


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.setdefault("LANG", "C.UTF-8")
    return env


def _office_args(office: str, prof: Path) -> list[str]:
    return [
        office,
        f"-env:UserInstallation={prof.resolve().as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--nofirststartwizard",
    ]


def _kill(proc: subprocess.Popen) -> None:
    """Kill the process group we started (soffice is a script that starts soffice.bin)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def run_office(args: list[str], prof: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """Run soffice once with `args` and the given profile; kill it all on timeout."""
    cmd = _office_args(require_soffice(), prof) + args
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill(proc)
        raise LibreOfficeError(f"LibreOffice did not finish within {timeout} s: {cmd}") from exc
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert(src: Path, outdir: Path, target: str, *, recalc: bool = True, timeout: float = TIMEOUT) -> Path:
    """`soffice --convert-to target` into `outdir`; return the written file."""
    outdir.mkdir(parents=True, exist_ok=True)
    ext = target.split(":", 1)[0]
    out = outdir / f"{src.stem}.{ext}"
    if out.resolve() == src.resolve():
        raise ValueError("convert into another folder: LibreOffice would overwrite the source")
    out.unlink(missing_ok=True)
    with profile(recalc) as prof:
        done = run_office(["--convert-to", target, "--outdir", str(outdir), str(src)], prof, timeout)
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise LibreOfficeError(
            f"conversion of {src.name} to {target} failed (exit {done.returncode})\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}"
        )
    return out


def recalc_xlsx(src: Path, outdir: Path, *, recalc: bool = True, timeout: float = TIMEOUT) -> Path:
    """Open `src` in LibreOffice (recalculating every formula) and save it as xlsx in `outdir`."""
    return convert(src, outdir, f"xlsx:{XLSX_FILTER}", recalc=recalc, timeout=timeout)


def to_pdf(src: Path, outdir: Path, *, timeout: float = TIMEOUT) -> Path:
    """Render every sheet of `src` to one PDF, as LibreOffice prints it."""
    return convert(src, outdir, "pdf", timeout=timeout)


# ----- poppler ----------------------------------------------------------------------------------
def _run_tool(cmd: list[str], timeout: float = 60) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stderr}")
    return done.stdout


def pdf_info(pdf: Path) -> dict[str, str]:
    out = _run_tool(["pdfinfo", str(pdf)])
    return {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in out.splitlines()) if v}


def pdf_pages(pdf: Path) -> int:
    return int(pdf_info(pdf)["Pages"])


def pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    out = _run_tool(["pdfinfo", "-f", "1", "-l", str(pdf_pages(pdf)), str(pdf)])
    sizes = re.findall(r"^Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+)", out, re.M)
    return [(float(w), float(h)) for w, h in sizes]


def pdf_page_texts(pdf: Path) -> list[str]:
    """The text of each page (layout kept, so a table row stays on one line)."""
    out = _run_tool(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"])
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return pages


@dataclass(frozen=True)
class Word:
    """A word of a PDF page and its box (points, origin top left), from `pdftotext -bbox`."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def pdf_words(pdf: Path) -> list[list[Word]]:
    """The words of each page with their boxes."""
    out = _run_tool(["pdftotext", "-bbox", str(pdf), "-"])
    pages = out.split("<page ")[1:]
    return [
        [
            Word(float(a), float(b), float(c), float(d), html.unescape(t))
            for a, b, c, d, t in _WORD.findall(page)
        ]
        for page in pages
    ]


def overlapping_words(words: list[Word], share: float = 0.3) -> list[tuple[Word, Word]]:
    """Pairs of words drawn over each other (text overflowing its cell, colliding labels).

    Two words overlap when their boxes share more than `share` of the smaller box.
    """
    hits = []
    ordered = sorted(words, key=lambda w: w.y0)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.y0 >= a.y1:
                break
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx <= 0 or dy <= 0:
                continue
            smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0))
            if smaller > 0 and dx * dy > share * smaller:
                hits.append((a, b))
    return hits


def render_page(pdf: Path, page: int, out_prefix: Path, dpi: int = 110) -> Path:
    """One page as PNG (pdftoppm); returns the image path."""
    _run_tool(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
        + [str(pdf), str(out_prefix)]
    )
    return out_prefix.with_name(out_prefix.name + ".png")


# ----- xlsx surgery -----------------------------------------------------------------------------
_FORMULA_VALUE = re.compile(rb"(<f\b[^>]*>[^<]*</f>|<f\b[^>]*/>)<v>[^<]*</v>")


def poison_cached_values(src: Path, dst: Path, value: int) -> int:
    """Copy `src` with every cached formula result replaced by `value`; return how many.

    A reader that does not recalculate then sees `value` everywhere; LibreOffice with the
    recalculating profile must replace all of them.
    """
    count = 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                data, n = _FORMULA_VALUE.subn(lambda m: m.group(1) + b"<v>%d</v>" % value, data)
                count += n
            zout.writestr(info, data)
    return count


# ----- filling a template through UNO -----------------------------------------------------------
@dataclass
class UnoJob:
    """Open `template` in LibreOffice, set cells like a person would, save as xlsx to `out`.

    `cells` are (sheet, cell, kind, value) with kind "value" (setValue: a number, or a date
    as its serial number), "string" (setString: text, as typed with a leading apostrophe)
    or "formula" (setFormula).
    """

    template: Path
    out: Path
    cells: list[tuple[str, str, str, Any]] = field(default_factory=list)

    def value(self, sheet: str, cell: str, v: int | float | dt.date) -> None:
        if isinstance(v, dt.date):
            v = date_serial(v)
        self.cells.append((sheet, cell, "value", v))

    def string(self, sheet: str, cell: str, text: str) -> None:
        self.cells.append((sheet, cell, "string", text))


def date_serial(d: dt.date | dt.datetime) -> int:
    if isinstance(d, dt.datetime):
        d = d.date()
    return (d - EXCEL_EPOCH).days


UNO_PREAMBLE = r"""
import json, os, sys, time
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def connect(url, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(url)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


"""

"""The head of every UNO script the tests run under LibreOffice's Python: imports, `prop`,
`connect(url, deadline)` (retries until the listener answers, NoConnectException after).
"""

UNO_EPILOGUE = r"""
try:
    desktop.terminate()
except Exception:
    pass  # the office may drop the bridge while terminating
sys.stdout.flush()
# Every file is saved: leave without the interpreter's teardown, where disposing of a bridge
# whose office has just gone can crash python3-uno (seen as a failed exit with no message).
os._exit(0)
"""
"""The tail of every UNO script: the office terminated, the script left at once."""

_UNO_SCRIPT = (
    UNO_PREAMBLE
    + r"""spec = json.load(open(sys.argv[1], encoding="utf-8"))
ctx = connect(spec["url"], time.monotonic() + spec["connect_timeout"])
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
for job in spec["jobs"]:
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["template"]), "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        sys.exit("could not open " + job["template"])
    for sheet, ref, kind, value in job["cells"]:
        cell = doc.Sheets.getByName(sheet).getCellRangeByName(ref)
        if kind == "value":
            cell.setValue(value)
        elif kind == "string":
            cell.setString(value)
        elif kind == "formula":
            cell.setFormula(value)
        else:
            sys.exit("unknown kind " + kind)
    doc.calculateAll()
    doc.storeToURL(uno.systemPathToFileUrl(job["out"]), (prop("FilterName", spec["filter"]),))
    doc.close(True)
    print("saved", job["out"], flush=True)
"""
    + UNO_EPILOGUE
)


def run_uno_script(
    script_text: str, spec: dict[str, Any], workdir: Path, name: str, timeout: float = TIMEOUT
) -> None:
    """Run `script_text` (it begins with `UNO_PREAMBLE`) under LibreOffice's Python against
    one headless office started for it with the project's profile: the script reads its
    JSON spec (`spec` plus "url", the office's pipe, and "connect_timeout") from argv[1].
    Files `name`.py and `name`.json are written in `workdir`. Raises LibreOfficeError when
    the script fails or does not finish within `timeout` seconds; the office is killed."""
    office = require_soffice()
    python = require_uno()
    workdir.mkdir(parents=True, exist_ok=True)
    pipe = f"lotest-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    script, spec_path = workdir / f"{name}.py", workdir / f"{name}.json"
    script.write_text(script_text, encoding="utf-8")
    spec_path.write_text(
        json.dumps({**spec, "url": url, "connect_timeout": min(60, timeout)}, ensure_ascii=False),
        encoding="utf-8",
    )
    with profile(recalc=True) as prof:
        office_proc = subprocess.Popen(
            [*_office_args(office, prof), f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_clean_env(),
            start_new_session=True,
        )
        try:
            done = subprocess.run(
                [python, str(script), str(spec_path)],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=_clean_env(),
            )
            if done.returncode != 0:
                raise LibreOfficeError(
                    f"UNO script failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
                )
            with contextlib.suppress(subprocess.TimeoutExpired):
                office_proc.wait(timeout=30)  # terminate() was asked; give it time to exit
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"UNO script {name} did not finish within {timeout} s") from exc
        finally:
            _kill(office_proc)


def fill_with_uno(jobs: list[UnoJob], workdir: Path, timeout: float = TIMEOUT) -> list[Path]:
    """Fill templates with LibreOffice as the client (one office, one UNO script for all jobs)."""
    for job in jobs:
        job.out.parent.mkdir(parents=True, exist_ok=True)
        job.out.unlink(missing_ok=True)
    spec = {
        "filter": XLSX_FILTER,
        "jobs": [
            {"template": str(j.template.resolve()), "out": str(j.out.resolve()), "cells": j.cells}
            for j in jobs
        ],
    }
    run_uno_script(_UNO_SCRIPT, spec, workdir, "uno_fill", timeout)
    missing = [j.out for j in jobs if not j.out.is_file()]
    if missing:
        raise LibreOfficeError(f"LibreOffice did not write {missing}")
    return [j.out for j in jobs]


def grouped_number(n: int) -> re.Pattern[str]:
    """`n` as a spreadsheet shows it with #,##0 in any locale: 1,234 / 1.234 / 1 234."""
    digits = f"{n:,}".split(",")
    sep = r"[,.\u00a0\u202f ]"
    return re.compile(r"(?<![\d,.])" + sep.join(digits) + r"(?![\d])")


def copy_artifacts(*paths: Path) -> None:
    """With LO_ARTIFACTS set, keep the PDF and PNG for people (CI artifacts) to look at."""
    dest = os.environ.get("LO_ARTIFACTS")
    if not dest:
        return
    Path(dest).mkdir(parents=True, exist_ok=True)
    for p in paths:
        shutil.copy2(p, Path(dest) / p.name)


def require_sheetjs() -> tuple[str, str]:
    """(node, the folder holding node_modules/xlsx): SheetJS under Node, from $SHEETJS_DIR;
    skipped outside CI, failed in CI, when either is missing (`require`)."""
    node = require("node", shutil.which("node"), "nodejs")
    folder = os.environ.get("SHEETJS_DIR", "")
    found = folder if (Path(folder) / "node_modules" / "xlsx").is_dir() else None
    require("SheetJS ($SHEETJS_DIR/node_modules/xlsx)", found, "npm install xlsx (outside the repo)")
    return node, folder


def sheetjs_convert(src: Path, out: Path, book_type: str) -> Path:
    """`src` read and written again by SheetJS as `book_type` ('xlsb', 'xlml', 'html',
    'biff5', …) into `out`; returns `out`."""
    node, folder = require_sheetjs()
    script = (
        "const X = require(process.argv[1] + '/node_modules/xlsx');"
        "X.writeFile(X.readFile(process.argv[2]), process.argv[3], {bookType: process.argv[4]});"
    )
    subprocess.run([node, "-e", script, folder, src, out, book_type], check=True, timeout=60)
    return out


def recalculated(files: dict[str, Path], out: Path) -> dict[str, Path]:
    """Each of `files` (name -> .xlsx) recalculated by one LibreOffice start and saved as
    .xlsx under the same file name in `out`; fails naming the files LibreOffice left out."""
    require_soffice()
    args = ["--convert-to", f"xlsx:{XLSX_FILTER}", "--outdir", str(out), *map(str, files.values())]
    with profile(recalc=True) as prof:
        done = run_office(args, prof)
    got = {name: out / path.name for name, path in files.items()}
    missing = [p for p in got.values() if not p.is_file()]
    assert not missing, (missing, done.stdout, done.stderr)
    return got


def each_example_one_run(examples: int) -> Any:
    """Hypothesis settings for a property whose every example is one LibreOffice run:
    `examples` of them, generated only (no shrinking: a shrink step is another run), with
    no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow],
    )


def numbers_under_formats(path: Path, cells: list[tuple[str, float]]) -> Path:
    """An .xlsx at `path` (XlsxWriter) whose first column holds each (number format, number)
    of `cells`, one a row, for LibreOffice to show."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    for i, (fmt, value) in enumerate(cells):
        ws.write_number(i, 0, value, wb.add_format({"num_format": fmt}))
    wb.close()
    return path
