"""Feedback a unit can act on: its own file annotated; which files get one; comments kept."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from pipeline.app import consolidate_into
from pipeline.outbox.paths import detail_csv_path, feedback_dir, workbook_path
from pipeline.render.feedback import SHEET, feedback_records
from pipeline.render.feedback_source import OWN_FILE, REBUILT, VALUES, unit_workbook
from pipeline.render.workbook import SHEETS
from tests.formulas import cell_content

from . import lo

NOTE = "Số liệu tạm tính, chờ xã báo cáo"


def _too_many_girls(d):
    d["results"][0]["girls"] = d["results"][0]["children"] + 3


def _dated(day: int, *mutations):
    """A mutation setting the report date to `day` November of the year, then `mutations`."""

    def mutate(d):
        d["info"]["report_date"] = d["info"]["report_date"].replace(month=11, day=day)
        for m in mutations:
            m(d)

    return mutate


def _with_comments(path: Path, notes: dict[tuple[str, str], str]) -> None:
    """Add cell comments as a spreadsheet application would (openpyxl writes the comments
    part and the legacy drawing Excel uses)."""
    wb = openpyxl.load_workbook(path)
    for (sheet, cell), text in notes.items():
        wb[sheet][cell].comment = Comment(text, "Nguyễn Văn A")
    wb.save(path)


def _first_cells(form, block_key: str = "results") -> tuple[str, str]:
    """The first fixed row's children and girls cells of a unit with a region."""
    block = form.blocks[block_key]
    row = block.first_row
    return f"{block.measure_column('children')}{row}", f"{block.measure_column('girls')}{row}"


def _feedback_files(form, out: Path) -> list[Path]:
    return sorted(feedback_dir(out, form.year).glob("*.xlsx"))


def _listed(ws) -> list[tuple]:
    return [row for row in ws.iter_rows(values_only=True) if row and isinstance(row[0], int)]


# ----- which files get feedback ---------------------------------------------------------------
def test_a_file_superseded_by_an_accepted_correction_gets_no_feedback(form, make_file, tmp_path):
    old, _ = make_file("906", mutate=_dated(10, _too_many_girls), name="906-lan-1.xlsx")
    make_file("906", name="906-lan-2.xlsx", mutate=_dated(20))  # the accepted correction, no findings
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    status = {r.parsed.name: r.status for r in report.files}
    assert status == {"906-lan-1.xlsx": "superseded", "906-lan-2.xlsx": "accepted"}
    assert feedback_records(report) == []
    assert _feedback_files(form, tmp_path / "out") == []


def test_only_the_newest_rejected_file_and_the_file_that_counts_get_feedback(form, make_file, tmp_path):
    def warn(d):  # a warning only: accepted with warnings
        d["results"][0]["cash"] = None
        d["results"][0]["in_kind"] = None

    make_file("906", mutate=_dated(5, warn), name="906-a.xlsx")  # counts (accepted, with a warning)
    make_file("906", mutate=_dated(10, _too_many_girls), name="906-b.xlsx")  # rejected, older
    make_file("906", mutate=_dated(15, _too_many_girls), name="906-c.xlsx")  # rejected, newest
    make_file("908", mutate=_dated(5, _too_many_girls), name="908-a.xlsx")  # rejected, older
    make_file("908", mutate=_dated(9, _too_many_girls), name="908-b.xlsx")  # rejected, newest
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    got = sorted(r.parsed.name for r in feedback_records(report))
    assert got == ["906-a.xlsx", "906-c.xlsx", "908-b.xlsx"]
    assert len(_feedback_files(form, tmp_path / "out")) == 3


# ----- the unit's own file, annotated ---------------------------------------------------------
def test_feedback_is_the_units_own_file_with_everything_kept(form, make_file, tmp_path):
    path, data = make_file("906", mutate=_too_many_girls)
    children, girls = _first_cells(form)
    _with_comments(path, {("Kết quả", girls): NOTE, ("Kết quả", children): "Theo danh sách xã"})
    original = path.read_bytes()
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    finding = next(f for f in report.findings if f.code == "MEASURE_AT_MOST")
    (fb,) = _feedback_files(form, tmp_path / "out")
    unit_wb = openpyxl.load_workbook(path)
    wb = openpyxl.load_workbook(fb)
    # the findings sheet first and selected, then the unit's sheets in their order
    assert wb.sheetnames == [SHEET, *unit_wb.sheetnames]
    assert wb.active.title == SHEET
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets] == [True] + [False] * len(unit_wb.sheetnames)
    for name in unit_wb.sheetnames:
        a, b = unit_wb[name], wb[name]
        assert a.sheet_state == b.sheet_state
        assert a.protection.sheet == b.protection.sheet
        assert [str(v.sqref) for v in a.data_validations.dataValidation] == [
            str(v.sqref) for v in b.data_validations.dataValidation
        ]
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
        assert [(str(cf.sqref), [r.formula for r in cf.rules]) for cf in a.conditional_formatting] == [
            (str(cf.sqref), [r.formula for r in cf.rules]) for cf in b.conditional_formatting
        ]
        assert [(v.errorStyle, v.formula1) for v in a.data_validations.dataValidation] == [
            (v.errorStyle, v.formula1) for v in b.data_validations.dataValidation
        ]
        cells_a = {
            (c.coordinate, cell_content(c.value), c.number_format) for row in a.iter_rows() for c in row
        }
        cells_b = {
            (c.coordinate, cell_content(c.value), c.number_format) for row in b.iter_rows() for c in row
        }
        assert cells_a == cells_b, name
        assert {k: d.width for k, d in a.column_dimensions.items()} == {
            k: d.width for k, d in b.column_dimensions.items()
        }
    assert sorted(unit_wb.defined_names) == sorted(wb.defined_names)
    # the cell in question: coloured, commented in Vietnamese, the unit's own note kept
    cell = wb[finding.sheet][finding.cell]
    assert cell.value == data["results"][0]["girls"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert finding.message in cell.comment.text and finding.title in cell.comment.text
    assert NOTE in cell.comment.text
    assert wb["Kết quả"][children].comment.text == "Theo danh sách xã"  # not in question: as sent
    # the findings sheet: title, where, and a link to the cell
    (row,) = [r for r in wb[SHEET].iter_rows() if r[0].value == 1]
    assert [c.value for c in row[1:5]] == ["Lỗi", finding.title, finding.sheet, finding.cell]
    assert row[4].hyperlink.location == f"'{finding.sheet}'!{finding.cell}"
    assert not row[4].hyperlink.target
    assert path.read_bytes() == original


@pytest.mark.libreoffice
def test_libreoffice_opens_feedback_with_comments_colours_links_and_totals(form, make_file, tmp_path):
    office = lo.require_soffice()
    assert office
    path, data = make_file("906", mutate=_too_many_girls)
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    finding = next(f for f in report.findings if f.code == "MEASURE_AT_MOST")
    (fb,) = _feedback_files(form, tmp_path / "out")
    resaved = lo.recalc_xlsx(fb, tmp_path / "lo")
    wb = openpyxl.load_workbook(resaved)
    assert wb.sheetnames[0] == SHEET
    cell = wb[finding.sheet][finding.cell]
    assert cell.comment is not None and finding.message in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    (row,) = [r for r in wb[SHEET].iter_rows() if r[0].value == 1]
    assert row[4].hyperlink is not None
    assert finding.cell in (row[4].hyperlink.location or row[4].hyperlink.target or "")
    # formulas of the unit's file (totals) computed again by LibreOffice, not blank
    values = openpyxl.load_workbook(resaved, data_only=True)
    block = form.blocks["results"]
    unit = form.units_by_code["906"]
    total = f"{block.measure_column('children')}{form.total_row(block, unit)}"
    expected = sum(r["children"] or 0 for r in data["results"])
    assert values["Kết quả"][total].value == expected
    lo.copy_artifacts(resaved)


@pytest.mark.libreoffice
def test_ods_file_gets_its_template_back_with_its_values_and_comments(form, make_file, tmp_path):
    lo.require_soffice()
    path, data = make_file("906", mutate=_too_many_girls, folder=tmp_path / "src")
    children, girls = _first_cells(form)
    _with_comments(path, {("Kết quả", girls): NOTE})
    inbox = tmp_path / "inbox"
    ods = lo.convert(path, inbox, "ods")
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    (rec,) = report.files
    assert rec.parsed.format == "ods" and rec.parsed.comments == {("Kết quả", girls): NOTE}
    wb, how = unit_workbook(form, rec.parsed)
    assert how == REBUILT
    (fb,) = _feedback_files(form, tmp_path / "out")
    out = openpyxl.load_workbook(lo.recalc_xlsx(fb, tmp_path / "lo"))
    info = form.sheets["info"]
    year = out[info][form.info_field("year").cell]
    assert year.value == form.year and "#,##" not in year.number_format  # never "2.025"
    assert out["Kết quả"][girls].value == data["results"][0]["girls"]
    assert out["Kết quả"][children].value == data["results"][0]["children"]
    assert NOTE in out["Kết quả"][girls].comment.text
    assert out["Kết quả"][girls].fill.fgColor.rgb.endswith("FFC7CE")
    assert ods.is_file()


def test_values_copy_of_a_changed_layout_shows_the_year_without_separator(form, make_file, tmp_path):
    """A file whose layout was changed cannot be put back in the template: its values are
    copied as they are, a year without a thousands separator."""
    path, _ = make_file("906")
    wb = openpyxl.load_workbook(path)
    wb["Kết quả"].insert_rows(3)  # a row inserted above the table: layout changed
    wb.save(path)
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    (rec,) = report.files
    assert any(f.code == "LAYOUT_CHANGED" for f in rec.parsed.findings)
    rec.parsed.format = "ods"  # as if openpyxl could not open it
    copy, how = unit_workbook(form, rec.parsed)
    assert how == VALUES
    year = copy[form.sheets["info"]][form.info_field("year").cell]
    assert year.value == form.year and year.number_format == "0"
    rec.parsed.format = "xlsx"
    assert unit_workbook(form, rec.parsed)[1] == OWN_FILE


# ----- comments carried to the outputs --------------------------------------------------------
def test_unit_comments_reach_detail_findings_status_and_csv(form, make_file, tmp_path):
    path, _ = make_file("906", mutate=_too_many_girls, name="906.xlsx")
    children, girls = _first_cells(form)
    preparer = form.info_field("preparer").cell
    _with_comments(
        path,
        {
            ("Kết quả", girls): NOTE,
            ("Kết quả", children): "Theo danh sách xã",
            ("Thông tin", preparer): "Thay",
        },
    )
    good, _ = make_file("908", name="908.xlsx")
    _with_comments(good, {("Kết quả", children): "Gồm cả trẻ ngoài xã ĐBKK"})
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    wb = openpyxl.load_workbook(workbook_path(tmp_path / "out", form.year))
    findings = [r for r in wb[SHEETS["findings"]].iter_rows(values_only=True) if r[3] == "Kết quả"]
    assert any(r[4] == girls and r[-1] == NOTE for r in findings)
    detail = list(wb[form.blocks["results"].detail_sheet].iter_rows(values_only=True))
    row = int(children[1:])
    assert any(
        r[4] == "908.xlsx" and r[6] == row and r[-1] == f"{children}: Gồm cả trẻ ngoài xã ĐBKK"
        for r in detail
    )
    status = {r[1]: r for r in wb[SHEETS["status"]].iter_rows(values_only=True)}
    assert f"{preparer}: Thay" in status["906"][-1]
    with detail_csv_path(tmp_path / "out", form.year).open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    noted = [(r["file"], r["cell"], r["comment"]) for r in rows if r["comment"]]
    assert noted == [("908.xlsx", children, "Gồm cả trẻ ngoài xã ĐBKK")]


# ----- chasing --------------------------------------------------------------------------------
def test_status_sheet_has_contacts_of_rejected_and_missing_units(form, make_file, tmp_path):
    import tomllib

    from pipeline.form import load_form

    raw = form.path.read_text(encoding="utf-8")
    assert tomllib.loads(raw)
    cfg = tmp_path / "cfg" / form.path.name
    cfg.parent.mkdir()
    for extra in form.path.parent.glob("*"):
        if extra.is_file():
            (cfg.parent / extra.name).write_bytes(extra.read_bytes())
        elif extra.is_dir():
            os.symlink(extra, cfg.parent / extra.name)
    missing = next(u for u in form.units if u.code not in ("906", "908"))
    marker = f'[[units]]\ncode = "{missing.code}"\n'
    assert marker in raw
    cfg.write_text(raw.replace(marker, marker + 'contact = "Trần Thị Bé"\nphone = "0297 3999999"\n'), "utf-8")
    form2 = load_form(cfg)
    make_file(
        "906",
        mutate=lambda d: (_too_many_girls(d), d["info"].update(preparer="Lê Văn Tư", phone="0911 222 333")),
    )
    consolidate_into(form2, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    wb = openpyxl.load_workbook(workbook_path(tmp_path / "out", form2.year))
    status = {r[1]: r for r in wb[SHEETS["status"]].iter_rows(values_only=True)}
    assert status["906"][7] == "Bị từ chối" and status["906"][10:12] == ("Lê Văn Tư", "0911 222 333")
    assert status[missing.code][7] == "Chưa gửi"
    assert status[missing.code][10:12] == ("Trần Thị Bé", "0297 3999999")


def test_a_file_that_cannot_be_read_gets_the_findings_sheet_alone(form, make_file, tmp_path):
    path, _ = make_file("906")
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # cut in the middle
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    (rec,) = report.files
    assert rec.status == "rejected" and not rec.parsed.format
    (fb,) = _feedback_files(form, tmp_path / "out")
    wb = openpyxl.load_workbook(fb)
    assert wb.sheetnames == [SHEET]
    assert _listed(wb[SHEET])[0][2] == rec.parsed.findings[0].title
