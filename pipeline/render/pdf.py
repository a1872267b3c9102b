"""One PDF to print and sign: the narrative document, then the six biểu, each on its own pages.

LibreOffice (headless, with a throw-away user profile so it never collides with an open
LibreOffice window) converts the .docx and, for each biểu, a copy of the consolidated
workbook in which every other sheet is hidden (hidden sheets are not printed); pypdf joins
the results in order and adds a bookmark per part. The copies change only
`xl/workbook.xml`, so the formulas and the values cached by the pipeline are untouched.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from lxml import etree
from pypdf import PdfReader, PdfWriter

from ..form import Form
from ..intake.kinds.catalogue import DOCUMENT_SUFFIXES
from ..outbox.atomic import OutboxBusy, atomic_path, current_run_id, outbox_lock
from ..outbox.kept import (
    changed_since_recorded,
    changed_since_written,
    edited_copies,
    made_from,
    note_written,
    saved_as_copies,
    set_identity,
)
from ..outbox.paths import (
    REPORT,
    RUN_PROPERTY,
    document_path,
    lock_path,
    office_locks,
    pdf_path,
    workbook_path,
    year_dir,
)
from ..read.cellfacts import UnsafeXML, parse_xml
from ..text.command import consolidate_command, option_hint
from ..text.values import show
from .carried import FIELDS, is_dotted, officer_fields
from .carried_header import HEADER_FIELDS, program_date
from .office import INSTALL_HINT, NOT_INSTALLED, ConvertError, as_docx, convert, document_title, soffice
from .summary import differs_lines
from .workbook import BIEU, SHEETS


class PdfError(Exception):
    """The PDF could not be made; the message (Vietnamese) says why and what to do."""


@dataclass(frozen=True)
class PdfDocument:
    """Which report the PDF prints (`pdf_document`), and the officer's copies it leaves out."""

    path: Path  # the .docx printed
    draft: Path  # the current set's draft, `paths.document_path`
    edited: bool = False  # the draft as the officer changed it since the run wrote it
    older: tuple[Path, ...] = ()  # the officer's kept copies of drafts of other sets: not printed
    carried: tuple[str, ...] = ()  # what the draft carries from them, in Vietnamese ("mục VIII", …)
    carried_from: tuple[tuple[Path, tuple[str, ...]], ...] = ()  # per copy of `older`: what from it
    superseded: tuple[tuple[Path, tuple[str, ...], tuple[str, ...]], ...] = ()
    """Kept copies of the same figures not printed: (copy, the fields it shows otherwise than
    the biểu, what the draft carries from it); see `pdf_document`."""
    saved_as: tuple[tuple[Path, tuple[str, ...], bool], ...] = ()
    """Copies the officer saved under another name or format (Word's "Save As", an .odt:
    `kept.saved_as_copies`) that say otherwise than the PDF, or were saved since the last
    consolidation (what differs then may be () : a section's text), never printed: (copy,
    what differs, whether they changed it since the last consolidation); see `pdf_document`."""

    def lines(self) -> list[str]:
        """What the officer is told (Vietnamese): which report the PDF holds; for copies
        left out, that they are of an earlier consolidation, what the new draft carries
        from them, and to check the new draft."""
        if self.path != self.draft:
            said = [
                f"Báo cáo in trong PDF là bản anh/chị đã hoàn thiện: {self.path} (không phải bản dự thảo mới)."
            ]
        elif self.edited:
            said = [f"Báo cáo in trong PDF là bản dự thảo anh/chị đã sửa: {self.path}."]
        else:
            said = [f"Báo cáo in trong PDF là bản dự thảo: {self.path}."]
        for copy, differ, carried in self.superseded:
            said.append(
                f"Không in bản anh/chị đã sửa {copy.name}: bản đó ghi {', '.join(differ)} khác với các biểu của "
                "lần tổng hợp cuối, mà lần tổng hợp cuối đã đọc bản đó"
                + (f" và chép sang bản dự thảo mới: {', '.join(carried)}" if carried else "")
                + f"; bản dự thảo {self.draft.name} in {', '.join(differ)} như các biểu."
            )
        if self.older:
            names = ", ".join(p.name for p in self.older)
            said.append(
                f"Không in bản anh/chị đã sửa {names}: đó là bản sửa từ dự thảo của một lần tổng hợp "
                "trước, không phải của bộ kết quả hiện hành. "
                + self._carried_text()
                + f"hãy kiểm tra bản dự thảo {self.draft} (bổ sung nếu cần rồi chạy lại lệnh pdf) trước khi ký."
            )
        for copy, differ, since in self.saved_as:
            if since and not differ:  # saved since: what the officer changed there is not in the draft
                said.append(
                    f"Không in {self._saved_as(copy)} {copy}: bản đó được lưu sau lần tổng hợp cuối, "
                    "nên những gì anh/chị sửa trong đó (nếu có) chưa có trong báo cáo in trong PDF. Nếu bản đó "
                    "là bản cần ký, hãy chạy lại lệnh tổng hợp (consolidate), lệnh này đọc bản đó và nói phần "
                    "nào được chép sang bản dự thảo mới; rồi chạy lại lệnh pdf."
                )
            elif since:
                said.append(
                    f"Không in {self._saved_as(copy)} {copy}: bản đó được sửa sau lần tổng hợp cuối và "
                    f"ghi {', '.join(differ)} khác với báo cáo và các biểu in trong PDF. Nếu bản đó là bản cần ký, "
                    "hãy chạy lại lệnh tổng hợp (consolidate), lệnh này đọc bản đó và nói phần nào được chép "
                    "sang bản dự thảo mới; rồi chạy lại lệnh pdf."
                )
            else:  # what the last consolidation said of it, in its words (`summary.differs_lines`)
                said += differs_lines(list(differ), str(copy))
        return said

    def _saved_as(self, copy: Path) -> str:
        """How a copy of `saved_as` is named: saved under another name, or in another format
        (LibreOffice Writer's .odt beside the draft)."""
        if copy.suffix.lower() != self.draft.suffix.lower():
            return f"bản anh/chị đã lưu dưới dạng {copy.suffix.lower()}"
        return "bản anh/chị đã lưu với tên khác"

    def _carried_text(self) -> str:
        """What the draft carries from each copy of `older`, said of that copy alone."""
        if len(self.older) == 1:
            return (
                f"Bản dự thảo mới đã chép từ đó: {', '.join(self.carried)}; "
                if self.carried
                else "Bản dự thảo mới chưa chép được gì từ đó; "
            )
        by_copy = dict(self.carried_from)
        parts = [
            f"từ {p.name}: {', '.join(by_copy[p])}" if by_copy.get(p) else f"từ {p.name}: chưa chép gì"
            for p in self.older
        ]
        return f"Bản dự thảo mới đã chép {'; '.join(parts)}; "


@dataclass(frozen=True)
class PrintedPdf:
    """The PDF written by `write_pdf` and the report it holds."""

    path: Path
    document: PdfDocument
    open_now: tuple[tuple[Path, Path], ...] = ()
    """(a file the PDF was made from, its lock file): open in Word, Excel or LibreOffice
    while the PDF was made (`paths.office_locks`), so what the officer has not saved there
    is not in the PDF."""

    def open_lines(self) -> list[str]:
        """The warning (Vietnamese) for each file of `open_now`: which, how it is seen, and
        to save and close it, then make the PDF again."""
        return [
            f"Lưu ý: tệp {path} đang mở trong Word, Excel hoặc LibreOffice (bên cạnh có tệp khóa {lock.name}): "
            "những gì anh/chị sửa trong đó mà chưa lưu không có trong PDF này. Hãy lưu và đóng tệp đó, "
            "rồi chạy lại lệnh pdf."
            for path, lock in self.open_now
        ]


def write_pdf(form: Form, outbox: Path, lock_wait: float = 30.0) -> PrintedPdf:
    """Render `outbox/<year>/`'s report of the current set (`pdf_document`) and biểu
    B01…B06 into `bao-cao-<prefix>-<year>.pdf`, inside the current set of outputs it was
    made from.

    The report is chosen, the sources copied, and the PDF written, under the outbox lock
    (waiting up to `lock_wait` s for a consolidation), and only if the set is still the one
    the sources came from. Returns the PDF's path, which report it holds, and which of its
    sources were open in an office suite meanwhile (`PrintedPdf.open_now`: printed as last
    saved). Raises PdfError when LibreOffice is missing, when `consolidate` has not written
    the document and workbook yet, when a consolidation holds the outbox or replaced the
    set meanwhile, or when a conversion fails.
    """
    office = soffice()
    if not office:
        raise PdfError(
            f"{NOT_INSTALLED} nên không tạo được tệp PDF. {INSTALL_HINT} rồi chạy lại; "
            "tệp Word và Excel trong thư mục kết quả vẫn dùng được."
        )
    prefix = form.programme_info.prefix
    draft, wb = document_path(outbox, form.year, prefix), workbook_path(outbox, form.year, prefix)
    if not (draft.is_file() and wb.is_file()):  # before any lock file: a mistyped outbox stays untouched
        raise PdfError(_no_set(form, outbox))
    with tempfile.TemporaryDirectory(prefix="pdf-588-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        sources = [work / "0-bao-cao.docx"]
        with _set_locked(outbox, form.year, lock_wait):  # the document and the workbook of one set
            for path in (draft, wb):
                if not path.is_file():
                    raise PdfError(_no_set(form, outbox))
            of_set = current_run_id(outbox, form.year)
            chosen = pdf_document(form, outbox)
            _same_run(of_set, {wb: "bảng tổng hợp", draft: "báo cáo"})
            _same_figures(wb, year_dir(outbox, form.year))
            _same_signer(chosen.path, year_dir(outbox, form.year))
            opened = tuple((p, lock) for p in (chosen.path, wb) for lock in office_locks(p)[:1])
            shutil.copyfile(chosen.path, sources[0])
            for i, key in enumerate(BIEU, 1):
                sources.append(work / f"{i}-{key}.xlsx")
                only_sheet(wb, SHEETS[key], sources[-1])
        pdfs = _convert(office, sources, work)
        writer = PdfWriter()
        titles = ["Báo cáo", *(SHEETS[k] for k in BIEU)]
        for title, pdf in zip(titles, pdfs, strict=True):
            start = len(writer.pages)
            writer.append(PdfReader(pdf), import_outline=False)
            writer.add_outline_item(title=title, page_number=start)
        writer.add_metadata({"/Title": f"Báo cáo kết quả thực hiện năm {form.year} và các biểu tổng hợp"})
        out = pdf_path(outbox, form.year, prefix)
        with _set_locked(outbox, form.year, lock_wait):  # into the set it was made from, or not at all
            if current_run_id(outbox, form.year) != of_set:
                raise PdfError(
                    "Trong lúc tạo PDF, một lượt tổng hợp mới đã ghi bộ kết quả khác. "
                    "Hãy chạy lại lệnh pdf để tệp PDF khớp với kết quả mới."
                )
            with atomic_path(out) as tmp_out, open(tmp_out, "wb") as fh:
                writer.write(fh)
            note_written(year_dir(outbox, form.year), out)  # the program's: a later run does not carry it
    return PrintedPdf(out, chosen, opened)


def pdf_document(form: Form, outbox: Path) -> PdfDocument:
    """The report of the current set, the one the PDF prints beside its biểu: the draft
    (as the officer may have changed it), or an officer's completed `…-ban-da-sua.docx`
    kept from a draft of the same figures (`outbox.kept.made_from` equal to the current
    set's `set_identity`), the newest of these by modification time. A copy kept from a
    draft of other figures (an earlier consolidation) is never printed: it is listed in
    `older`, with what the draft carries from it (read from the set's bao-cao.json).

    Nor is a copy of the same figures whose fields differ from the biểu's when the last run
    read it as it is now (`changed_since_recorded` False): a rerun on a later day with no new
    mail kept the officer's draft, dated by the run before (a date they did not type), and
    the new draft carries what that run could carry from it and the date the biểu print; it
    is listed in `superseded`. Edited since, it stays the one to print (`_same_signer` then
    says to consolidate again, after which it is superseded).

    A copy the officer saved under another name or format (`kept.saved_as_copies`) is never
    printed. One changed since the last consolidation is named (`saved_as`), with the fields
    that differ from the biểu (none when only a section changed: the draft has not their
    edit); one as the last consolidation read it, when its fields say otherwise than the
    biểu: with what that consolidation said of it (bao-cao.json, outputs.kept, "differs":
    what another version's text replaced), or in `superseded` when it named nothing."""
    folder = year_dir(outbox, form.year)
    draft = document_path(outbox, form.year, form.programme_info.prefix)
    here = set_identity(folder)
    copies = edited_copies(draft)
    same = [c for c in copies if here and made_from(folder, c.name) == here]
    bieu = _bieu_fields(folder)
    superseded = tuple(
        (c, tuple(FIELDS[k] for k in differ), _carried_from(folder, (c,)))
        for c in same
        if bieu is not None and not changed_since_recorded(folder, c.name) and (differ := _differing(c, bieu))
    )
    same = [c for c in same if c not in {s[0] for s in superseded}]
    edited = changed_since_written(folder, draft.name)
    candidates = [*same, *([draft] if edited else [])]
    path = max(candidates, key=lambda p: p.stat().st_mtime_ns) if candidates else draft
    older = tuple(c for c in copies if c not in same and c not in {s[0] for s in superseded})
    by_copy = tuple((c, _carried_from(folder, (c,))) for c in older)
    saved_as: list[tuple[Path, tuple[str, ...], bool]] = []
    for c in saved_as_copies(draft, DOCUMENT_SUFFIXES, document_title) if bieu is not None else ():
        differ = _differing(c, bieu)
        since = changed_since_recorded(folder, c.name)
        if not differ and not since:
            continue  # as the last consolidation read it, saying what the PDF says
        said = () if since else _recorded(folder, c, "differs")
        if said or since:
            saved_as.append((c, said or tuple(FIELDS[k] for k in differ), since))
        else:
            superseded += ((c, tuple(FIELDS[k] for k in differ), _carried_from(folder, (c,))),)
    return PdfDocument(
        path,
        draft,
        edited and path == draft,
        older,
        _carried_from(folder, older),
        by_copy,
        superseded,
        tuple(saved_as),
    )


def run_mark(path: Path) -> str:
    """The id of the run that wrote an output (`paths.RUN_PROPERTY`: the workbook's custom
    document property, or the report's core dc:identifier), "" when it carries none (a file
    written before the mark existed, or saved by a program that dropped it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            custom = zf.read("docProps/custom.xml") if "docProps/custom.xml" in names else b""
            core = zf.read("docProps/core.xml") if "docProps/core.xml" in names else b""
    except (OSError, zipfile.BadZipFile, KeyError):
        return ""
    try:
        if custom:
            for prop in parse_xml(custom).iter("{*}property"):
                if prop.get("name") == RUN_PROPERTY:
                    return "".join(prop.itertext()).strip()
        if core:
            for ident in parse_xml(core).iter("{http://purl.org/dc/elements/1.1/}identifier"):
                text = (ident.text or "").strip()
                if text.startswith(RUN_PROPERTY + ":"):
                    return text.split(":", 1)[1]
    except (etree.XMLSyntaxError, UnsafeXML):
        return ""
    return ""


def _same_run(run_id: str, outputs: dict[Path, str]) -> None:
    """Raise PdfError when an output of the set carries the mark of another run than the
    set's (`run_mark`): a program that still had the file of an earlier run open saved it
    over the new set, and the PDF would print a report and biểu of different figures. A
    file without a mark is not checked (one written before the mark, or by a program that
    dropped it)."""
    if not run_id:
        return
    stale = [what for path, what in outputs.items() if (mark := run_mark(path)) and mark != run_id]
    if stale:
        raise PdfError(
            f"Tệp {' và '.join(stale)} trong thư mục kết quả là của một lần tổng hợp trước, không phải "
            "lần cuối: có thể tệp cũ đang mở trong Excel, Word hay LibreOffice đã được lưu đè lên bộ kết "
            "quả mới. Hãy đóng các tệp đó, chạy lại lệnh tổng hợp (consolidate), rồi chạy lại lệnh pdf."
        )


def edited_figures(workbook: Path, figures: dict[str, dict[str, int]]) -> list[tuple[str, str, object, int]]:
    """The biểu figures the workbook `workbook` no longer shows as its run wrote them
    (`figures`: sheet name -> A1 cell -> the number, `workbook.write_workbook`'s return):
    (sheet, cell, what it shows now, the figure), in sheet and row order; a sheet no longer
    there is one entry with cell "" (and figure 0). What a cell shows
    is the value its last calculation stored (Excel and LibreOffice store it on saving): a
    figure typed over, or a detail row changed under the biểu's SUMIFS. A blank where the
    figure is 0 is the same figure. Raises OSError or zipfile.BadZipFile for a file that
    cannot be read as a workbook."""
    import openpyxl  # only for the PDF to sign: consolidate never reads the workbook back

    out: list[tuple[str, str, object, int]] = []
    with warnings.catch_warnings():  # openpyxl's English notes on a workbook another writer saved
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    try:
        for sheet, cells in figures.items():
            if sheet not in book.sheetnames:  # deleted or renamed: said of the sheet ("" for the cell)
                out.append((sheet, "", None, 0))
                continue
            shown = {
                c.coordinate: c.value
                for row in book[sheet].iter_rows()
                for c in row
                if hasattr(c, "coordinate")
            }
            for cell, value in cells.items():
                now = shown.get(cell)
                if now in (None, "") and value == 0:
                    continue
                if isinstance(now, bool) or not isinstance(now, int | float) or now != value:
                    out.append((sheet, cell, now, value))
    finally:
        book.close()
    return out


def _same_figures(workbook: Path, folder: Path) -> None:
    """Raise PdfError when the workbook's biểu no longer show the figures the last
    consolidation wrote there (`edited_figures`; bao-cao.json, outputs.bieu_figures): the
    PDF to sign would print figures no unit's report gives (brk14 F3). A set written before
    they were recorded is not checked."""
    try:
        recorded = json.loads((folder / REPORT).read_text(encoding="utf-8"))["outputs"]["bieu_figures"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    try:
        differ = edited_figures(workbook, recorded)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PdfError(
            f"Không đọc được bảng tổng hợp {workbook.name} ({exc}). Hãy chạy lại lệnh tổng hợp "
            "(consolidate) rồi chạy lại lệnh pdf."
        ) from exc
    if not differ:
        return
    cells = "; ".join(
        f"không còn trang «{sheet}» (bị xoá hoặc đổi tên)"
        if not cell
        else f"trang «{sheet}» ô {cell}: {'(trống)' if now in (None, '') else show(now)}, lần tổng hợp tính {show(value)}"
        for sheet, cell, now, value in differ[:3]
    )
    more = f" và {len(differ) - 3} ô khác" if len(differ) > 3 else ""
    raise PdfError(
        f"Số liệu trên các biểu của bảng tổng hợp {workbook.name} đã bị sửa sau lần tổng hợp cuối "
        f"({cells}{more}), nên tệp PDF để ký sẽ in số liệu không khớp với báo cáo của các đơn vị. "
        "Hãy chạy lại lệnh tổng hợp (consolidate): bảng tổng hợp được lập lại từ báo cáo của các đơn vị, "
        "bản anh/chị đã sửa được giữ lại (tên có thêm «-ban-da-sua»); rồi chạy lại lệnh pdf. Nếu số liệu "
        "của một đơn vị cần sửa, hãy đề nghị đơn vị đó gửi lại báo cáo."
    )


def _same_signer(report: Path, folder: Path) -> None:
    """Raise PdfError when the report to print says another agency, number, place and date
    or signer (title, name) than the biểu of the set print: the officer typed them after the
    last consolidation, which prints them on the biểu only when it runs again (bao-cao.json,
    outputs.bieu_fields, written by `outputs`; a set written before it was recorded is not
    checked, nor a header field in a set written before the biểu printed it)."""
    bieu = _bieu_fields(folder)
    if bieu is None:
        return
    keys = _differing(report, bieu)
    differ = [FIELDS[key] for key in keys]
    if keys and all(_run_printed(report, key, bieu) for key in keys):  # a kept copy, edited since
        raise PdfError(
            f"Báo cáo {report.name} (bản anh/chị đã sửa sau lần tổng hợp cuối) ghi {', '.join(differ)} "
            "do lần tổng hợp trước in ra, khác với các biểu của lần tổng hợp cuối. Hãy chạy lại lệnh tổng hợp "
            "(consolidate): bản dự thảo mới sẽ chép phần anh/chị đã sửa và in cùng "
            f"{', '.join(differ)} với các biểu; rồi chạy lại lệnh pdf."
        )
    if differ:
        raise PdfError(
            f"Báo cáo {report.name} ghi {', '.join(differ)} khác với các biểu của lần tổng hợp cuối "
            "(anh/chị đã sửa sau lần tổng hợp đó). Hãy chạy lại lệnh tổng hợp (consolidate) để các biểu "
            "in cùng tên cơ quan, số văn bản, ngày tháng và người ký với báo cáo, rồi chạy lại lệnh pdf."
        )


def _bieu_fields(folder: Path) -> dict | None:
    """The fields the biểu of the set `folder` print (bao-cao.json, outputs.bieu_fields, by
    key of `FIELDS`); None for a set written before they were recorded."""
    try:
        bieu = json.loads((folder / REPORT).read_text(encoding="utf-8"))["outputs"]["bieu_fields"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return bieu if isinstance(bieu, dict) else None


def _differing(report: Path, bieu: dict) -> list[str]:
    """The keys of `FIELDS` whose text the .docx `report` shows otherwise than the biểu
    (`bieu`, `_bieu_fields`): a field left dotted counts as empty; a field whose place the
    officer removed, or a header field the biểu did not print (a set written before), is
    not checked. [] when the file cannot be read (LibreOffice says so)."""
    try:  # a copy saved as .odt, .doc or .rtf read through LibreOffice (`office.as_docx`)
        said = officer_fields(Document(str(as_docx(report))))
    except Exception:  # noqa: BLE001 - a report Word cannot open fails in LibreOffice, said there
        return []
    return [
        key
        for key in FIELDS
        if key in said  # a field whose place the officer removed is not carried: the biểu keep theirs
        and (key in bieu or key not in HEADER_FIELDS)  # a set written before the biểu printed it
        and " ".join(("" if is_dotted(t := said.get(key, "")) else t).split())
        != " ".join(str(bieu.get(key, "")).split())
    ]


def _run_printed(report: Path, key: str, bieu: dict) -> bool:
    """Whether the field `key` of the .docx `report` is the place and date the run that
    wrote it printed (its core property `created`: `carried_header.program_date`), not a
    date the officer typed."""
    if key != "place_date":
        return False
    try:
        doc = Document(str(report))
    except Exception:  # noqa: BLE001 - unreadable: said elsewhere
        return False
    created = doc.core_properties.created
    text = officer_fields(doc).get(key, "")
    return program_date(text, str(bieu.get(key, "")), created.date() if created is not None else None)


def _recorded(folder: Path, copy: Path, what: str) -> tuple[str, ...]:
    """What the set's run recorded of the officer's file `copy` under `what` (bao-cao.json,
    outputs.kept: "differs", "not_carried"…), its texts in order; () when nothing."""
    try:
        kept = json.loads((folder / REPORT).read_text(encoding="utf-8"))["outputs"]["kept"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    for entry in kept if isinstance(kept, list) else ():
        if isinstance(entry, dict) and Path(str(entry.get("officer", ""))).name == copy.name:
            found = entry.get(what)
            return tuple(str(t) for t in found) if isinstance(found, list) else ()
    return ()


def _carried_from(folder: Path, copies: tuple[Path, ...]) -> tuple[str, ...]:
    """What the set's draft carries from the officer's `copies`, as its run recorded it
    (bao-cao.json, outputs.kept: "carried" sections, "carried_fields"), in Vietnamese."""
    try:
        kept = json.loads((folder / REPORT).read_text(encoding="utf-8"))["outputs"]["kept"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    names = {c.name for c in copies}
    out: list[str] = []
    for entry in kept if isinstance(kept, list) else ():
        if isinstance(entry, dict) and Path(str(entry.get("officer", ""))).name in names:
            out += [f"mục {n}" for n in entry.get("carried") or ()]
            out += list(entry.get("carried_fields") or ())
    return tuple(dict.fromkeys(out))


def _no_set(form: Form, outbox: Path) -> str:
    """Why there is nothing to print in `outbox`, with what to do: no such folder, no set of
    the year, or a set missing its report or workbook (deleted or renamed by the officer:
    a new run writes it again, brk14 F8)."""
    folder = year_dir(outbox, form.year)
    prefix = form.programme_info.prefix
    parts = {
        "báo cáo Word": document_path(outbox, form.year, prefix),
        "bảng tổng hợp": workbook_path(outbox, form.year, prefix),
    }
    gone = [f"{what} {path.name}" for what, path in parts.items() if not path.is_file()]
    command = consolidate_command(None, str(form.path), str(outbox))
    if outbox.is_dir() and (folder / REPORT).is_file() and len(gone) == 1:
        return (
            f"Bộ kết quả năm {form.year} trong {folder} thiếu {gone[0]} (có thể đã bị xoá, đổi tên "
            f"hoặc chuyển đi). Hãy chạy lại lệnh tổng hợp để lập lại tệp đó: {command}; sau đó chạy "
            "lại lệnh pdf."
        )
    where = (
        f"Thư mục kết quả '{outbox}' không tồn tại"
        if not outbox.is_dir()
        else f"Thư mục kết quả '{outbox}' chưa có bộ kết quả năm {form.year} (báo cáo Word và bảng tổng hợp trong {folder})"
    )
    return (
        f"{where}. Kiểm tra lại {option_hint('--outbox')}, hoặc tạo bộ kết quả bằng lệnh: {command}; "
        "sau đó chạy lại lệnh pdf."
    )


@contextlib.contextmanager
def _set_locked(outbox: Path, year: int, wait: float) -> Iterator[None]:
    """Hold the outbox lock (`atomic.outbox_lock`): no consolidation swaps the set of
    outputs meanwhile. A consolidation running now makes a PdfError saying to wait."""
    try:
        with outbox_lock(lock_path(outbox, year), wait):
            yield
    except OutboxBusy as exc:
        raise PdfError(f"{exc} Sau đó chạy lại lệnh pdf.") from exc


_SHEET = re.compile(rb"<sheet\b[^>]*?/>")
_STATE = re.compile(rb'\sstate="[^"]*"')
_ACTIVE = re.compile(rb'\s(activeTab|firstSheet)="\d+"')


def only_sheet(src: Path, sheet: str, dst: Path) -> None:
    """Copy workbook `src` to `dst` with every sheet but `sheet` hidden, `sheet` active.

    Raises PdfError when the workbook has no such sheet.
    """
    name = sheet.replace("&", "&amp;").replace("'", "&apos;").encode("utf-8")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                sheets = _SHEET.findall(data)
                names = [re.search(rb'name="([^"]*)"', s).group(1) for s in sheets]
                if name not in names:
                    raise PdfError(f"Bảng tổng hợp '{src}' không có trang '{sheet}'; hãy chạy tổng hợp lại.")
                for tag, n in zip(sheets, names, strict=True):
                    bare = _STATE.sub(b"", tag)
                    new = bare if n == name else bare[:-2].rstrip() + b' state="hidden"/>'
                    data = data.replace(tag, new, 1)
                index = str(names.index(name)).encode()
                data = _ACTIVE.sub(b"", data)
                data = data.replace(b"<workbookView", b'<workbookView activeTab="' + index + b'"', 1)
            elif info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b'tabSelected="1"', b'tabSelected="0"')
            zout.writestr(info, data)


def _convert(office: str, sources: list[Path], outdir: Path) -> list[Path]:
    """Convert every source to PDF in one LibreOffice run; return the PDFs in order."""
    try:
        return convert(office, sources, outdir, "pdf", "PDF")
    except ConvertError as exc:
        raise PdfError(str(exc)) from None
