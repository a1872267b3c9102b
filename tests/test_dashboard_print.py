"""The overview ('Tổng quan') as LibreOffice prints it: its charts' text at 7 pt or more.

The sheet prints fitted to the page's width (70 %): charts with 8 pt labels printed them at
5.5 pt (found by a new user's season). Word boxes from pdftotext, in Carlito's em (1.22);
the words of the rotated axis names are left out (pdftotext measures their length)."""

from __future__ import annotations

from pipeline.app import consolidate_into
from pipeline.outbox.paths import workbook_path
from tests import lo

from .conftest import ROOT

CARLITO_HEIGHT = 1.22
ROTATED = {*"Số trẻ em (người)".split(), *"Số đơn vị".split()}  # the column charts' value axes


def test_overview_charts_print_at_7_pt_or_more(form, tmp_path) -> None:
    lo.require_poppler()
    lo.require_soffice()
    consolidate_into(form, ROOT / "examples" / "inbox", tmp_path / "out", show_progress=False)
    pdf = lo.to_pdf(workbook_path(tmp_path / "out", form.year), tmp_path / "pdf")
    words = lo.pdf_words(pdf)[0]  # the overview is the first sheet
    # the vertical value axes' names are drawn rotated: pdftotext measures their length
    level = [w for w in words if w.text not in ROTATED]
    small = [
        (w.text, round((w.y1 - w.y0) / CARLITO_HEIGHT, 1))
        for w in level
        if w.y1 - w.y0 < 6.6 * CARLITO_HEIGHT
    ]
    assert len(level) > 300
    assert not small, small
