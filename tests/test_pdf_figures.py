"""The PDF to sign never prints a biểu figure no unit's report gives (brk14 F3): the officer
typed 9.999 over a figure of B01 in the workbook, and `pdf` printed it beside a report
saying 699, without a word. Each run records the figures its biểu print (bao-cao.json,
outputs.bieu_figures); `pdf` refuses a workbook that no longer shows them, naming the sheet,
the cell, both numbers and what to do. A workbook opened and saved again, or with a note
typed beside the biểu, prints.

As the officer lives it: `consolidate` the sample inbox by the console command, the
workbook edited and saved by LibreOffice (which recalculates on saving, as Excel does),
then `pdf`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.form import load_form
from pipeline.outbox.paths import pdf_path, report_path, workbook_path
from pipeline.render.pdf import edited_figures
from pipeline.render.workbook import SHEETS
from pipeline.text.values import show

from . import lo
from .clirun import run_cli
from .test_bieu_signer import SAMPLES

YEAR = 2025


def _consolidated(outbox: Path) -> dict[str, dict[str, int]]:
    done = run_cli("consolidate", "--inbox", str(SAMPLES), "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    report = json.loads(report_path(outbox, YEAR).read_text(encoding="utf-8"))
    return report["outputs"]["bieu_figures"]


def _edit(workbook: Path, cells: list[tuple[str, str, str, object]], work: Path) -> None:
    """The officer opens the workbook in LibreOffice, sets `cells` and saves it in place."""
    job = lo.UnoJob(workbook, work / "saved.xlsx", list(cells))
    lo.fill_with_uno([job], work / "uno")
    shutil.copyfile(job.out, workbook)


@pytest.mark.libreoffice
def test_a_figure_typed_over_on_a_bieu_stops_the_pdf_naming_the_cell(tmp_path):
    lo.require_soffice()
    outbox = tmp_path / "outbox"
    figures = _consolidated(outbox)
    b01 = SHEETS["b01"]
    cell, figure = next((c, v) for c, v in figures[b01].items() if v)  # a figure that is not 0
    workbook = workbook_path(outbox, YEAR)
    assert edited_figures(workbook, figures) == []  # as written
    _edit(workbook, [(b01, cell, "value", 9999)], tmp_path)
    assert (b01, cell, 9999, figure) in edited_figures(workbook, figures)

    done = run_cli("pdf", "--outbox", str(outbox))
    assert done.returncode != 0
    said = done.stderr + done.stdout
    assert f"trang «{b01}» ô {cell}: 9.999, lần tổng hợp tính {show(figure)}" in said, said
    assert "chạy lại lệnh tổng hợp (consolidate)" in said, said
    assert not pdf_path(outbox, YEAR).exists()


@pytest.mark.libreoffice
def test_a_detail_row_changed_under_the_bieu_stops_the_pdf(tmp_path):
    """A unit's figure changed on its detail sheet: the biểu's SUMIFS, recalculated on
    saving, print a total no report gives."""
    lo.require_soffice()
    outbox = tmp_path / "outbox"
    figures = _consolidated(outbox)
    workbook = workbook_path(outbox, YEAR)
    import openpyxl

    detail = load_form().resources_block.detail_sheet  # a unit's cash on its first row
    ws = openpyxl.load_workbook(workbook, data_only=True)[detail]
    header = next(r for r in ws.iter_rows(max_row=5) if r[0].value == "STT")
    cash = next(c.column_letter for c in header if str(c.value).startswith("Tiền mặt"))
    at = ws[f"{cash}{header[0].row + 1}"]
    assert isinstance(at.value, int), at.value
    _edit(workbook, [(detail, at.coordinate, "value", at.value + 1000)], tmp_path)
    differ = edited_figures(workbook, figures)
    assert differ and all(now != was for _s, _c, now, was in differ), differ
    assert run_cli("pdf", "--outbox", str(outbox)).returncode != 0


@pytest.mark.libreoffice
def test_a_workbook_saved_again_with_a_note_prints(tmp_path):
    lo.require_soffice()
    outbox = tmp_path / "outbox"
    figures = _consolidated(outbox)
    workbook = workbook_path(outbox, YEAR)
    _edit(workbook, [(SHEETS["dashboard"], "L2", "string", "Đã gửi Bộ ngày 20/12")], tmp_path)
    assert edited_figures(workbook, figures) == []
    done = run_cli("pdf", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    assert pdf_path(outbox, YEAR).is_file()


def test_a_bieu_renamed_is_said_of_the_sheet(tmp_path):
    """brk15: B01 renamed (here by openpyxl, which keeps no stored result: every figure of
    the others differs too) is said as a sheet no longer there, not "ô C11: (trống)"."""
    import openpyxl

    outbox = tmp_path / "outbox"
    figures = _consolidated(outbox)
    workbook = workbook_path(outbox, YEAR)
    book = openpyxl.load_workbook(workbook)
    book[SHEETS["b01"]].title = "B01 cũ"
    book.save(workbook)
    differ = edited_figures(workbook, figures)
    assert (SHEETS["b01"], "", None, 0) in differ
    done = run_cli("pdf", "--outbox", str(outbox))
    assert f"không còn trang «{SHEETS['b01']}» (bị xoá hoặc đổi tên)" in done.stderr, done.stderr


@pytest.mark.libreoffice
def test_a_workbook_saved_again_by_gnumeric_prints_without_a_word_in_english(tmp_path):
    """brk15: Gnumeric's save lacks the default cell style openpyxl expects, which made
    openpyxl print an English UserWarning in the officer's console."""
    lo.require_soffice()
    ssconvert = lo.require("Gnumeric (ssconvert)", shutil.which("ssconvert"), "gnumeric")
    outbox = tmp_path / "outbox"
    _consolidated(outbox)
    workbook = workbook_path(outbox, YEAR)
    saved = tmp_path / "gnumeric.xlsx"
    subprocess.run([ssconvert, str(workbook), str(saved)], check=True, capture_output=True, timeout=120)
    shutil.copyfile(saved, workbook)
    done = run_cli("pdf", "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
