"""Issue #2: one test per validation rule.

Each case takes a valid filled template (our generator + the filler), applies one mutation
and names the exact finding it must produce: rule code, sheet, cell, severity and, for the
messages an officer acts on, fragments of the Vietnamese wording with the actual values.
Every case must produce that finding and nothing else; errors reject the file, warnings
let it in.

Cell addresses are computed from the form definition (no row or column is hard-coded);
with the shipped layout the district row is row 8 (children D, girls E, ethnic F, turns G,
cash H, in kind I, row total J) and the results total row of a district is row 15.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from pipeline.check.validate import validate_all
from pipeline.form import load_form, meta_cell
from pipeline.read.parse import parse_path
from pipeline.rules.findings import ERROR, RULES, WARNING, show, where
from pipeline.run.consolidate import check_files, run
from pipeline.run.result import FileStatus, UnitStatus
from pipeline.run.submissions import resolve

FORM = load_form()
RES = FORM.blocks["results"]
SRC = FORM.blocks["resources"]
NEEDS = FORM.blocks["needs"]
INFO = FORM.sheets["info"]
META = FORM.sheets["meta"]
YEAR = FORM.year

DISTRICT = "899"  # UBND Thành phố Rạch Giá: fixed rows, region 899
DEPARTMENT = "SYT"  # Sở Y tế: free rows, chooses region and category
DISTRICT_UNIT = FORM.units_by_code[DISTRICT]
CAT = FORM.categories[0]  # the district's first fixed row
ROW = FORM.rows_for(RES, DISTRICT_UNIT)[0].row
RES_TOTAL_ROW = FORM.total_row(RES, DISTRICT_UNIT)
SRC_TOTAL_ROW = FORM.total_row(SRC, DISTRICT_UNIT)
DEP_ROW = FORM.rows_for(RES, None)[0].row  # first free row of a department
DEP_REGION = FORM.regions_by_code["909"]  # Huyện An Minh
DEP_CAT = FORM.categories_by_code["DD_MN"]  # Bữa ăn dinh dưỡng trẻ mầm non

BASE = {"children": 100, "girls": 40, "ethnic": 30, "turns": 150, "cash": 1_000_000, "in_kind": 2_000_000}
BASE_SUPPORT = BASE["cash"] + BASE["in_kind"]


def res(measure: str, row: int = ROW) -> str:
    return f"{RES.measure_column(measure)}{row}"


def info(key: str) -> str:
    return FORM.info_field(key).cell


# ----- mutations -----------------------------------------------------------------------------
def _controlled(data: dict[str, Any], results: list[dict[str, Any]]) -> None:
    """Known figures: the given results rows only, resources well above the support."""
    data["results"] = results
    data["resources"] = {FORM.sources[0].code: {"cash": 5_000_000, "in_kind": 5_000_000}}


def district(**values: Any) -> Callable[[dict[str, Any]], None]:
    """The district's first row (region fixed) with BASE figures, updated by `values`."""

    def mutate(data: dict[str, Any]) -> None:
        _controlled(data, [{"region": DISTRICT, "category": CAT.code, **BASE, **values}])

    return mutate


def dep_row(**values: Any) -> dict[str, Any]:
    return {"region": DEP_REGION.code, "category": DEP_CAT.code, **BASE, **values}


def department(*rows: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        _controlled(data, list(rows) or [dep_row()])

    return mutate


def raw(sheet: str, cell: str, value: Any, base: Callable | None = None) -> Callable[[dict[str, Any]], None]:
    """Write `value` into any cell (over what the form allows), on top of `base`."""

    def mutate(data: dict[str, Any]) -> None:
        (base or district())(data)
        data.setdefault("raw", []).append((sheet, cell, value))

    return mutate


def info_value(**values: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        district()(data)
        data["info"].update(values)

    return mutate


def needs_left_empty(*, declared: bool = False) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        district()(data)
        data["needs"] = {}
        if declared:
            data["nothing_to_report"] = ["needs"]

    return mutate


def declared_but_filled(data: dict[str, Any]) -> None:
    district()(data)
    data["nothing_to_report"] = ["needs"]


def support_over_resources(data: dict[str, Any]) -> None:
    district()(data)
    data["resources"] = {s.code: {"cash": 1000, "in_kind": 0} for s in FORM.sources}


# ----- the table -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    id: str
    unit: str
    mutate: Callable[[dict[str, Any]], None]
    code: str
    severity: str
    sheet: str
    cell: str
    fragments: tuple[str, ...] = ()
    value: str | None = None  # Finding.value, as shown to people


CASES = [
    # ---- values ----
    Case(
        "negative-count",
        DISTRICT,
        district(children=-5),
        "NUMBER_NEGATIVE",
        ERROR,
        RES.sheet,
        res("children"),
        ("Tổng số trẻ em là -5, phải lớn hơn hoặc bằng 0",),
        "-5",
    ),
    Case(
        "negative-money",
        DISTRICT,
        district(cash=-500_000),
        "NUMBER_NEGATIVE",
        ERROR,
        RES.sheet,
        res("cash"),
        ("Giá trị bằng tiền mặt là -500.000, phải lớn hơn hoặc bằng 0",),
        "-500.000",
    ),
    Case(  # past what a column holds (brk20 P6: the run stopped with an OverflowError)
        "negative-past-the-limit",
        DISTRICT,
        district(girls=-(10**19)),
        "NUMBER_NEGATIVE",
        ERROR,
        RES.sheet,
        res("girls"),
        ("'-10.000.000.000.000.000.000' là số âm",),
    ),
    Case(
        "negative-activities",
        DISTRICT,
        info_value(activities=-3),
        "NUMBER_NEGATIVE",
        ERROR,
        INFO,
        info("activities"),
        ("'Số hoạt động truyền thông, vận động nguồn lực đã tổ chức' là -3",),
    ),
    Case(
        "text-about-200",
        DISTRICT,
        district(turns="khoảng 200"),
        "NUMBER_INVALID",
        ERROR,
        RES.sheet,
        res("turns"),
        ("Số lượt trẻ em: 'khoảng 200' không đọc được thành số nguyên",),
        "khoảng 200",
    ),
    Case(  # brk48 F2: a dash typed for "none" is told to leave the cell blank, not to type a number
        "text-dash-for-none",
        DISTRICT,
        district(turns="-"),
        "NUMBER_INVALID",
        ERROR,
        RES.sheet,
        res("turns"),
        ("'-' không đọc được thành số nguyên", "không có số liệu thì để trống ô"),
        "-",
    ),
    Case(
        "text-decimal-comma",
        DISTRICT,
        district(cash="1,5"),
        "NUMBER_INVALID",
        ERROR,
        RES.sheet,
        res("cash"),
        ("'1,5' không đọc được thành số nguyên",),
        "1,5",
    ),
    Case(
        "bool-in-number-cell",
        DISTRICT,
        district(turns=True),
        "NUMBER_INVALID",
        ERROR,
        RES.sheet,
        res("turns"),
        ("đúng/sai",),
    ),
    Case(
        "date-in-number-cell",
        DISTRICT,
        district(turns=dt.datetime(YEAR, 1, 1)),
        "NUMBER_INVALID",
        ERROR,
        RES.sheet,
        res("turns"),
        ("hiện thành ngày/giờ", "đổi định dạng ô sang Số"),
    ),
    Case(
        "number-typed-with-dots",
        DISTRICT,
        district(cash="1.200.000"),
        "NUMBER_FROM_TEXT",
        WARNING,
        RES.sheet,
        res("cash"),
        ("'1.200.000', đã đọc là 1.200.000",),
        "1.200.000",
    ),
    Case(
        "non-integer",
        DISTRICT,
        district(girls=1.5),
        "NUMBER_NOT_INTEGER",
        ERROR,
        RES.sheet,
        res("girls"),
        ("Số trẻ em nữ: '1,5' không phải số nguyên",),
    ),
    Case(
        "dot-thousands-fraction",  # "1.350" typed the Vietnamese way on a PC with US settings
        DISTRICT,
        district(girls=1.35),
        "NUMBER_NOT_INTEGER",
        ERROR,
        RES.sheet,
        res("girls"),
        ("Số trẻ em nữ: '1,35' không phải số nguyên", "số đúng có lẽ là 1.350: hãy gõ lại 1350"),
    ),
    Case(
        "money-too-small",  # "513.000" typed on a PC with US settings becomes 513
        DISTRICT,
        district(cash=513),
        "MONEY_TOO_SMALL",
        ERROR,
        RES.sheet,
        res("cash"),
        ("Giá trị bằng tiền mặt là 513 đồng, dưới 1.000 đồng", "số đúng có lẽ là 513.000: hãy gõ lại 513000"),
        "513",
    ),
    Case(
        "too-large",
        DISTRICT,
        district(cash=10**19),
        "NUMBER_TOO_LARGE",
        ERROR,
        RES.sheet,
        res("cash"),
        (f"vượt quá giới hạn {show(FORM.limits.max_number)}",),
    ),
    Case(
        "formula-without-value",
        DISTRICT,
        raw(RES.sheet, res("girls"), "=1+1"),
        "FORMULA_NO_VALUE",
        ERROR,
        RES.sheet,
        res("girls"),
        ("chứa công thức nhưng không có giá trị",),
    ),
    Case(
        "figure-below-table",  # a row added after "Tổng cộng" when the rows ran out (brk33 F4)
        DISTRICT,
        raw(RES.sheet, res("children", RES_TOTAL_ROW + 4), 999),
        "FIGURE_BELOW_TABLE",
        WARNING,
        RES.sheet,
        res("children", RES_TOTAL_ROW + 4),
        (
            f"dòng {RES_TOTAL_ROW + 4} có số liệu ({res('children', RES_TOTAL_ROW + 4)}: 999) nằm dưới dòng "
            "«Tổng cộng», ngoài bảng, nên không được tính vào báo cáo",
        ),
        "999",
    ),
    Case(
        "figures-below-table-as-text",
        DISTRICT,
        raw(
            RES.sheet,
            res("cash", RES_TOTAL_ROW + 2),
            "1.350.000",
            raw(RES.sheet, res("girls", RES_TOTAL_ROW + 2), 12),
        ),
        "FIGURE_BELOW_TABLE",
        WARNING,
        RES.sheet,
        res("girls", RES_TOTAL_ROW + 2),
        (f"({res('girls', RES_TOTAL_ROW + 2)}: 12, {res('cash', RES_TOTAL_ROW + 2)}: 1.350.000)",),
    ),
    # ---- cross-field rules of a row ----
    Case(
        "girls-over-children",
        DISTRICT,
        district(children=100, girls=120),
        "MEASURE_AT_MOST",
        ERROR,
        RES.sheet,
        res("girls"),
        ("Số trẻ em nữ (120) lớn hơn tổng số trẻ em (100)",),
        "120",
    ),
    Case(
        "ethnic-over-children",
        DISTRICT,
        district(children=100, ethnic=130),
        "MEASURE_AT_MOST",
        ERROR,
        RES.sheet,
        res("ethnic"),
        ("Số trẻ em dân tộc thiểu số (130) lớn hơn tổng số trẻ em (100)",),
        "130",
    ),
    Case(
        "turns-under-children",
        DISTRICT,
        district(children=100, turns=80),
        "MEASURE_AT_LEAST",
        ERROR,
        RES.sheet,
        res("turns"),
        ("Số lượt trẻ em (80) nhỏ hơn tổng số trẻ em (100)",),
        "80",
    ),
    Case(
        "value-missing",
        DISTRICT,
        district(cash=0, in_kind=None),
        "VALUE_MISSING",
        WARNING,
        RES.sheet,
        res("cash"),
        ("có 100 trẻ em được hỗ trợ nhưng giá trị hỗ trợ bằng 0 hoặc để trống",),
    ),
    Case(
        "children-missing",
        DISTRICT,
        district(children=None, girls=None, ethnic=None, turns=None),
        "CHILDREN_MISSING",
        WARNING,
        RES.sheet,
        res("children"),
        ("có giá trị hỗ trợ 3.000.000 đồng nhưng số trẻ em bằng 0 hoặc để trống",),
    ),
    Case(
        "children-zero",
        DISTRICT,
        district(children=0, girls=0, ethnic=0, turns=0),
        "CHILDREN_MISSING",
        WARNING,
        RES.sheet,
        res("children"),
        ("có giá trị hỗ trợ 3.000.000 đồng",),
    ),
    # ---- rows of a department (free rows) ----
    Case(
        "region-unknown",
        DEPARTMENT,
        department(dep_row(region="Huyện Không Có")),
        "REGION_UNKNOWN",
        ERROR,
        RES.sheet,
        f"B{DEP_ROW}",
        ("địa bàn 'Huyện Không Có' không có trong danh sách",),
        "Huyện Không Có",
    ),
    Case(
        "region-unknown-names-nearest",
        DEPARTMENT,
        department(dep_row(region="Huyện An")),
        "REGION_UNKNOWN",
        ERROR,
        RES.sheet,
        f"B{DEP_ROW}",
        ("có phải là 'Huyện An Biên' hoặc 'Huyện An Minh'",),
    ),
    Case(
        "region-read-as-nearest",
        DEPARTMENT,
        department(dep_row(region="Huyen An Minh")),
        "NAME_READ_AS",
        WARNING,
        RES.sheet,
        f"B{DEP_ROW}",
        ("'Huyen An Minh'", f"đã đọc là '{DEP_REGION.name}'"),
        "Huyen An Minh",
    ),
    Case(
        "category-unknown",
        DEPARTMENT,
        department(dep_row(category="Xây nhà tình thương")),
        "CATEGORY_UNKNOWN",
        ERROR,
        RES.sheet,
        f"C{DEP_ROW}",
        ("nội dung hỗ trợ 'Xây nhà tình thương' không có trong danh sách",),
        "Xây nhà tình thương",
    ),
    Case(
        "row-without-region",
        DEPARTMENT,
        department(dep_row(region=None)),
        "ROW_KEY_MISSING",
        ERROR,
        RES.sheet,
        f"B{DEP_ROW}",
        (f"dòng {DEP_ROW} có số liệu nhưng chưa chọn địa bàn được hỗ trợ",),
    ),
    Case(
        "row-without-category",
        DEPARTMENT,
        department(dep_row(category=None)),
        "ROW_KEY_MISSING",
        ERROR,
        RES.sheet,
        f"C{DEP_ROW}",
        (f"dòng {DEP_ROW} có số liệu nhưng chưa chọn nội dung hỗ trợ",),
    ),
    Case(
        "row-duplicate",
        DEPARTMENT,
        department(dep_row(), dep_row(region="900"), dep_row(children=5, girls=1, ethnic=1, turns=5)),
        "ROW_DUPLICATE",
        ERROR,
        RES.sheet,
        f"B{DEP_ROW + 2}",
        (f"'{DEP_REGION.name} - {DEP_CAT.name}' đã được ghi ở dòng {DEP_ROW}",),
    ),
    Case(
        "row-duplicate-typed-differently",
        DEPARTMENT,
        department(dep_row(), dep_row(region="  huyện AN  MINH ", category=DEP_CAT.name.upper())),
        "ROW_DUPLICATE",
        ERROR,
        RES.sheet,
        f"B{DEP_ROW + 1}",
        (f"'{DEP_REGION.name} - {DEP_CAT.name}' đã được ghi ở dòng {DEP_ROW}",),
    ),
    Case(
        # A district's region is fixed (locked label); editing it changes the layout.
        "district-region-label-edited",
        DISTRICT,
        raw(RES.sheet, f"B{ROW}", FORM.regions_by_code["900"].name),
        "LAYOUT_CHANGED",
        ERROR,
        RES.sheet,
        f"B{ROW}",
        ("phải là 'Thành phố Rạch Giá' nhưng là 'Thành phố Hà Tiên'",),
    ),
    # ---- identity and required fields ----
    Case(
        "wrong-year",
        DISTRICT,
        raw(INFO, info("year"), YEAR - 1),
        "YEAR_MISMATCH",
        ERROR,
        INFO,
        info("year"),
        (f"năm báo cáo là {YEAR - 1}, nhưng đang tổng hợp năm {YEAR}",),
    ),
    Case(
        "unit-unknown",
        DISTRICT,
        raw(INFO, info("unit_code"), "999"),
        "UNIT_UNKNOWN",
        ERROR,
        INFO,
        info("unit_code"),
        ("mã đơn vị '999' không có trong danh sách đơn vị báo cáo",),
        "999",
    ),
    Case(
        "unit-code-changed",
        DISTRICT,
        raw(INFO, info("unit_code"), "903"),
        "UNIT_CODE_CHANGED",
        ERROR,
        INFO,
        info("unit_code"),
        ("mã đơn vị '903' khác với mã của mẫu (899); ô này đã bị sửa",),
        "903",
    ),
    Case(
        "unit-name-mismatch",
        DISTRICT,
        raw(INFO, info("unit_name"), "UBND Huyện Hòn Đất"),
        "UNIT_MISMATCH",
        ERROR,
        INFO,
        info("unit_name"),
        ("tên đơn vị 'UBND Huyện Hòn Đất' không khớp với mã 899 (UBND Thành phố Rạch Giá)",),
        "UBND Huyện Hòn Đất",
    ),
    Case(
        "unit-name-missing",
        DISTRICT,
        raw(INFO, info("unit_name"), None),
        "REQUIRED_MISSING",
        ERROR,
        INFO,
        info("unit_name"),
        ("chưa điền 'Tên đơn vị báo cáo'",),
    ),
    Case(
        "preparer-missing",
        DISTRICT,
        info_value(preparer=None),
        "REQUIRED_MISSING",
        ERROR,
        INFO,
        info("preparer"),
        ("chưa điền 'Người lập biểu'; đây là thông tin bắt buộc",),
    ),
    Case(
        "report-date-missing",
        DISTRICT,
        info_value(report_date=None),
        "REQUIRED_MISSING",
        ERROR,
        INFO,
        info("report_date"),
        ("chưa điền 'Ngày báo cáo (dd/mm/yyyy)'",),
    ),
    Case(
        "report-date-31-february",
        DISTRICT,
        info_value(report_date=f"31/02/{YEAR}"),
        "DATE_INVALID",
        ERROR,
        INFO,
        info("report_date"),
        (f"'31/02/{YEAR}' không phải ngày hợp lệ",),
        f"31/02/{YEAR}",
    ),
    Case(
        "report-date-words",
        DISTRICT,
        info_value(report_date="hôm qua"),
        "DATE_INVALID",
        ERROR,
        INFO,
        info("report_date"),
        ("'hôm qua' không phải ngày hợp lệ",),
    ),
    Case(
        "text-too-long",
        DISTRICT,
        info_value(preparer="x" * 5000),
        "TEXT_TOO_LONG",
        ERROR,
        INFO,
        info("preparer"),
        ("nội dung dài 5.000 ký tự, tối đa 4.000",),
    ),
    # ---- the template ----
    Case(
        "old-template-version",
        DISTRICT,
        raw(META, meta_cell("version"), "2024.1"),
        "TEMPLATE_OLD",
        ERROR,
        META,
        meta_cell("version"),
        ("phiên bản 2024.1", "tải mẫu mới", f"(phiên bản {FORM.version})"),
        "2024.1",
    ),
    # ---- totals ----
    Case(
        "cached-column-total-wrong",
        DISTRICT,
        raw(RES.sheet, res("children", RES_TOTAL_ROW), 999_999),
        "TOTAL_MISMATCH",
        WARNING,
        RES.sheet,
        res("children", RES_TOTAL_ROW),
        ("tổng ghi trong tệp là 999.999 nhưng tính lại từ các ô nhập là 100", "đã bị gõ đè"),
        "999.999",
    ),
    Case(  # breaker brk8: text typed over a total was shown bare, as if a number
        "column-total-typed-over-with-text",
        DISTRICT,
        raw(RES.sheet, res("children", RES_TOTAL_ROW), "xem ghi chú"),
        "TOTAL_MISMATCH",
        WARNING,
        RES.sheet,
        res("children", RES_TOTAL_ROW),
        ("tổng ghi trong tệp là «xem ghi chú» nhưng tính lại từ các ô nhập là 100", "hãy xoá nội dung đã gõ"),
        "xem ghi chú",
    ),
    Case(
        "cached-row-total-wrong",
        DISTRICT,
        raw(RES.sheet, f"{RES.total_column('value_total')}{ROW}", 1),
        "TOTAL_MISMATCH",
        WARNING,
        RES.sheet,
        f"{RES.total_column('value_total')}{ROW}",
        ("tổng ghi trong tệp là 1 nhưng tính lại từ các ô nhập là 3.000.000",),
    ),
    Case(
        "cached-resources-total-wrong",
        DISTRICT,
        raw(SRC.sheet, f"{SRC.total_column('total')}{SRC_TOTAL_ROW}", 7),
        "TOTAL_MISMATCH",
        WARNING,
        SRC.sheet,
        f"{SRC.total_column('total')}{SRC_TOTAL_ROW}",
        ("tổng ghi trong tệp là 7 nhưng tính lại từ các ô nhập là 10.000.000",),
    ),
    # ---- empty blocks and the "nothing to report" declaration ----
    Case(
        "block-empty",
        DISTRICT,
        needs_left_empty(),
        "BLOCK_EMPTY",
        ERROR,
        NEEDS.sheet,
        FORM.declare_cell(NEEDS),
        ("báo cáo trống", f"chọn «x» ở ô {FORM.declare_cell(NEEDS)}"),
    ),
    Case(
        "block-declared-but-filled",
        DISTRICT,
        declared_but_filled,
        "BLOCK_DECLARED_NOT_EMPTY",
        WARNING,
        NEEDS.sheet,
        FORM.declare_cell(NEEDS),
        ("vẫn được tính",),
    ),
    # ---- plausibility without history ----
    Case(
        "count-looks-like-a-date",
        DISTRICT,
        info_value(activities=46361),  # "12/5" typed into a count cell, read as 05/12/2026
        "LOOKS_LIKE_DATE",
        WARNING,
        INFO,
        info("activities"),
        ("46.361", "giống ngày 05/12/2026"),
    ),
    Case(
        "count-looks-like-a-phone-number",
        DISTRICT,
        info_value(activities=912345678),
        "LOOKS_LIKE_PHONE",
        WARNING,
        INFO,
        info("activities"),
        ("giống số điện thoại 0912345678",),
    ),
    Case(
        "value-per-child-implausible",
        DISTRICT,
        district(cash=1000, in_kind=0),
        "IMPLAUSIBLE_VALUE",
        WARNING,
        RES.sheet,
        res("cash"),
        (
            "Giá trị hỗ trợ bình quân mỗi trẻ em (Khám, chữa bệnh) là 10 đồng",
            "thấp hơn mức tối thiểu 1.000 đồng",
        ),
    ),
    Case(
        "support-exceeds-resources",
        DISTRICT,
        support_over_resources,
        "SUPPORT_EXCEEDS_RESOURCES",
        WARNING,
        SRC.sheet,
        f"{SRC.total_column('total')}{SRC_TOTAL_ROW}",
        ("tổng giá trị hỗ trợ (3.000.000 đồng) lớn hơn tổng nguồn lực đã vận động (6.000 đồng)",),
    ),
]


def test_every_value_and_row_rule_has_a_case():
    """Every rule a filled template can break is in the table (file-level rules are elsewhere)."""
    covered = {c.code for c in CASES} | {"REGION_NOT_OWN"}  # see test_region_not_own_…
    file_level = {
        "FILE_NOT_REPORT",
        "FILE_EMPTY",
        "FILE_CORRUPT",
        "FILE_ENCRYPTED",
        "FILE_TOO_LARGE",
        "FILE_UNSAFE",
        "FILE_FORMAT",
        "TEMPLATE_UNKNOWN",
        "SHEET_MISSING",
        "SHEET_HIDDEN",
        "SHEET_ORDER",
        "MERGED_INPUT",
        "OUTLIER_LAST_YEAR",  # tests/test_resubmission.py
        "TEMPLATE_NEWER",  # tests/test_doors.py: templates of real configurations of other years
        "TEMPLATE_LAST_YEAR",
        # how the file came (tests/test_containers.py, tests/test_mail.py)
        "MAIL_NO_REPORT",
        "ARCHIVE_NO_REPORT",
        "ARCHIVE_NESTED",
        "DATE_AFTER_ARRIVAL",
        "DATE_IN_FUTURE",
        "DATE_BEFORE_PERIOD",
        "DATE_MAYBE_SWAPPED",  # tests/test_containers.py, tests/test_livechecks_warnings4.py
        "SENDER_UNLISTED",
        "UNIT_FORMER_CODE",  # tests/test_former_code.py: An Giang's crosswalk of old codes
        "UNIT_FORMER_NAME",  # tests/test_former_unit_names.py: An Giang's crosswalk of old names
        # a file's totals all storing 0 (tests/test_exceljs_writer.py, tests/test_formula_witness.py)
        "TOTALS_UNCALCULATED",
        # a file's total cells holding no formula (tests/test_fixE_totals_no_formula.py)
        "TOTALS_NO_FORMULA",
        # a text result LibreOffice's .xls stores as 0 (tests/test_text_formulas.py)
        "FORMULA_TEXT_LOST",
    }
    assert set(RULES) - file_level <= covered


def test_a_note_below_a_table_is_no_figure(make_file):
    """Text and a 0 under "Tổng cộng" are a note: nothing is said of them."""
    below = RES_TOTAL_ROW + 3
    note = raw(RES.sheet, f"B{below}", "Ghi chú: số liệu gồm cả 12 trẻ em ở xã bên", base=None)
    zero = raw(RES.sheet, res("children", below), 0, base=note)
    path, _ = make_file(DISTRICT, mutate=raw(RES.sheet, res("girls", below), "(không có)", base=zero))
    (parsed,) = check_files(FORM, [path])
    assert parsed.findings == []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case, make_file):
    path, _ = make_file(case.unit, mutate=case.mutate)
    parsed = check_files(FORM, [path])
    findings = parsed[0].findings
    summary = [(f.code, f.sheet, f.cell) for f in findings]

    # the rule catalogue agrees with the table
    assert RULES[case.code].severity == case.severity

    # exactly the expected finding, nothing else
    assert summary == [(case.code, case.sheet, case.cell)], summary
    f = findings[0]
    assert f.severity == case.severity
    assert f.file == path.name
    assert f.message.startswith(f"{where(case.sheet, case.cell)}: "), f.message
    for fragment in case.fragments:
        assert fragment in f.message, (fragment, f.message)
    if case.value is not None:
        assert f.value == case.value

    # errors reject the file, warnings let it in
    records, units = resolve(FORM, parsed)
    unit = next(u for u in units if u.code == case.unit)
    if case.severity == ERROR:
        assert records[0].status == FileStatus.REJECTED
        assert unit.file is None
        # an unknown code names no unit; an old template: see test_old_template_is_attributed…;
        # a code typed over is the typed unit's file (tests/test_end_to_end.py)
        if case.code not in ("UNIT_UNKNOWN", "TEMPLATE_OLD", "UNIT_CODE_CHANGED"):
            assert unit.status == UnitStatus.REJECTED
    else:
        assert records[0].status == FileStatus.ACCEPTED_WARNINGS
        assert unit.status == UnitStatus.ACCEPTED
        assert unit.file is records[0]


def test_valid_controlled_files_have_no_findings(make_file):
    """The baselines the table mutates are themselves clean."""
    paths = [make_file(DISTRICT, district())[0], make_file(DEPARTMENT, department())[0]]
    for p in check_files(FORM, paths):
        assert p.findings == []


def test_unknown_unit_is_not_attributed_to_any_unit(make_file):
    path, _ = make_file(DISTRICT, raw(INFO, info("unit_code"), "999"))
    records, units = resolve(FORM, check_files(FORM, [path]))
    assert records[0].status == FileStatus.REJECTED
    assert all(u.status == UnitStatus.MISSING for u in units)


def test_old_template_is_attributed_to_its_unit(make_file):
    """A unit that sent last year's template did submit: it is rejected, not 'Chưa gửi'."""
    path, _ = make_file(DISTRICT, raw(META, meta_cell("version"), "2024.1"))
    parsed = check_files(FORM, [path])
    records, units = resolve(FORM, parsed)
    assert records[0].status == FileStatus.REJECTED
    assert parsed[0].findings[0].unit == DISTRICT
    unit = next(u for u in units if u.code == DISTRICT)
    assert unit.status == UnitStatus.REJECTED


def test_unreadable_children_cell_is_not_also_reported_as_empty(make_file):
    """'1,5' in the children cell: one error there, not also 'số trẻ em … để trống'."""
    path, _ = make_file(DISTRICT, district(children="1,5"))
    findings = check_files(FORM, [path])[0].findings
    at_cell = [(f.code, f.severity) for f in findings if f.cell == res("children")]
    assert at_cell == [("NUMBER_INVALID", ERROR)], at_cell


def test_number_typed_with_dots_is_read_and_counted(make_file, tmp_path):
    make_file(DISTRICT, district(cash="1.200.000"))
    report = run(FORM, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    [rec] = report.files
    assert rec.status == FileStatus.ACCEPTED_WARNINGS
    assert rec.parsed.rows["results"][0]["cash"] == 1_200_000
    assert report.totals.to_dict()["results.cash"] == 1_200_000
    assert report.totals.to_dict()["results.value_total"] == 1_200_000 + BASE["in_kind"]


def test_department_may_type_region_and_category_by_name_or_code(make_file):
    """Names differing only in case, spaces or Unicode form, bare codes, "code - name"."""
    rows = [
        dep_row(region=unicodedata.normalize("NFD", "  huyện an   MINH ")),
        dep_row(region="912", category="KHAC"),  # the filler writes names; codes typed below
        dep_row(region="91", category=f"HT - {FORM.categories_by_code['HT'].name}"),
    ]
    typed_codes = [(RES.sheet, f"B{DEP_ROW + 1}", "912"), (RES.sheet, f"C{DEP_ROW + 1}", "khac")]
    path, _ = make_file(
        DEPARTMENT, lambda d: (department(*rows)(d), d.setdefault("raw", []).extend(typed_codes))
    )
    parsed = check_files(FORM, [path])[0]
    assert parsed.findings == []
    keys = [(r["region"], r["category"]) for r in parsed.rows["results"]]
    assert keys == [("909", "DD_MN"), ("912", "KHAC"), ("91", "HT")]


def test_region_not_own_is_checked_on_validation(make_file):
    """REGION_NOT_OWN cannot come from a file: a district's region is a locked label (editing
    it is LAYOUT_CHANGED, see the table). The check still guards the records: a district
    record naming another region is an error at the region cell, naming both regions."""
    path, _ = make_file(DISTRICT, district())
    parsed = parse_path(path, 0, FORM)
    assert parsed.findings == []
    first = parsed.rows["results"][0]
    parsed.rows["results"][0] = replace(first, key={**first.key, "region": "900"})
    validate_all(FORM, [parsed])
    summary = [(f.code, f.severity, f.sheet, f.cell) for f in parsed.findings]
    assert summary == [("REGION_NOT_OWN", ERROR, RES.sheet, f"B{ROW}")]
    assert (
        "địa bàn của mình (Thành phố Rạch Giá), không cho 'Thành phố Hà Tiên'" in parsed.findings[0].message
    )


def test_errors_reject_and_warnings_do_not_through_run(make_file, tmp_path):
    """One clean file, one with a warning, one with an error: totals count the first two."""
    make_file("899", district())
    make_file("903", district(cash=0, in_kind=None))  # VALUE_MISSING warning
    make_file("906", district(girls=101))  # MEASURE_AT_MOST error
    report = run(FORM, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    status = {u.code: u.status for u in report.units}
    assert (status["899"], status["903"], status["906"]) == (
        UnitStatus.ACCEPTED,
        UnitStatus.ACCEPTED,
        UnitStatus.REJECTED,
    )
    assert {r.parsed.name: r.status for r in report.files} == {
        "899.xlsx": "accepted",
        "903.xlsx": FileStatus.ACCEPTED_WARNINGS,
        "906.xlsx": FileStatus.REJECTED,
    }
    assert report.count("accepted") + report.count("rejected") + report.count("missing") == len(FORM.units)
    assert report.totals.to_dict()["results.children"] == 2 * BASE["children"]
    assert report.totals.to_dict()["results.value_total"] == BASE_SUPPORT
    assert report.totals.to_dict()["resources.total"] == 2 * 10_000_000


def test_report_date_typed_as_text_is_read(make_file):
    path, _ = make_file(DISTRICT, info_value(report_date=f"20/11/{YEAR}"))
    parsed = check_files(FORM, [path])[0]
    assert parsed.findings == []
    assert parsed.report_date == dt.date(YEAR, 11, 20)
