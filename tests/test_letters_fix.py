"""Letters a unit can act on (issue #23, item 3): every error with its cell, the findings that
explain it and what to type or do; the relation and the wording live once, in the rule
catalogue (`EXPLAINED_BY`, `FIXES`), and the feedback workbook says the same fix.

The rejected files are made as a unit makes them: a template filled by the project's filler,
then a cell typed the wrong way (a number as text, "1.350" on a PC with US settings, money
typed "513.000" there, a misspelt name, a deleted required value, words in a number cell).
"""

from __future__ import annotations

import datetime as dt
import email
import json
import random
import re
import string
from email import policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline import cli
from pipeline.filler import date_value, fill
from pipeline.form import Form
from pipeline.outbox.paths import feedback_path, report_path, year_dir
from pipeline.rules.catalogue import (
    ERROR,
    EXPLAINED_BY,
    FIX_FACTS,
    FIXES,
    REACHES,
    RULES,
    WITHOUT_FIX,
)
from pipeline.rules.findings import Finding
from pipeline.rules.fixes import how_to_fix
from pipeline.samples import valid_data

from .conftest import template_for


# ----- the catalogue ------------------------------------------------------------------------------
def test_every_cause_relation_names_existing_rules_and_a_known_reach():
    assert EXPLAINED_BY
    for code, causes in EXPLAINED_BY.items():
        assert code in RULES, code
        assert causes, code
        for cause, reach in causes.items():
            assert cause in RULES, (code, cause)
            assert cause != code
            assert reach in REACHES, (code, cause, reach)


def test_every_error_rule_has_a_fix_or_is_knowingly_without_one():
    errors = {code for code, rule in RULES.items() if rule.severity == ERROR}
    assert sorted(errors - FIXES.keys() - WITHOUT_FIX.keys()) == []
    assert sorted(WITHOUT_FIX.keys() & FIXES.keys()) == []  # one or the other
    assert all(WITHOUT_FIX[code].strip() and code in errors for code in WITHOUT_FIX)  # each with a reason
    assert sorted(FIXES.keys() - RULES.keys()) == []
    assert all(RULES[code].fix == FIXES[code] for code in FIXES)


def test_every_fix_names_only_facts_a_finding_gives_and_ends_with_one_it_always_has():
    for code, templates in FIXES.items():
        assert templates, code
        for template in templates:
            names = {n for _, n, _, _ in string.Formatter().parse(template) if n}
            assert names <= FIX_FACTS, (code, names - FIX_FACTS)
            assert template == template.strip() and not template.endswith("."), code  # the letter ends it
            assert template[:1].islower(), code  # said after "Cách sửa:"
        # the last one needs no fact a finding may lack (a value, a nearest name …)
        last = {n for _, n, _, _ in string.Formatter().parse(templates[-1]) if n}
        assert last <= {"cell", "year"}, code


def _finding(code: str, cell: str = "D8", value: str = "", unit: str = "899") -> Finding:
    return Finding("a.xlsx", unit, "Kết quả", cell, code, RULES[code].severity, value, "…")


@pytest.mark.parametrize(
    ("code", "cell", "value", "fix"),
    [
        ("NUMBER_FROM_TEXT", "H8", "3.500.000", "xóa ô H8 và gõ lại: 3500000 (chỉ chữ số)"),
        ("NUMBER_FROM_TEXT", "H8", "ba triệu", "xóa ô H8 và gõ lại chỉ bằng chữ số"),
        (
            "MONEY_TOO_SMALL",
            "I10",
            "513",
            "nếu số đúng là 513.000 đồng, xóa ô I10 và gõ lại: 513000 (chỉ chữ số, không có dấu chấm)",
        ),
        (
            "NUMBER_NOT_INTEGER",
            "E9",
            "1,35",
            "nếu số đúng là 1.350, xóa ô E9 và gõ lại: 1350 (chỉ chữ số, không có dấu chấm)",
        ),
        (
            "REGION_UNKNOWN",
            "B9",
            "Giồng Riềngg",
            "chọn lại ô B9 từ danh sách thả xuống; nếu là «Huyện Giồng Riềng», chọn «Huyện Giồng Riềng»",
        ),
        ("REGION_UNKNOWN", "B9", "Zzzz", "chọn lại ô B9 từ danh sách thả xuống, không gõ tay"),
        (
            "NAME_READ_AS",
            "B9",
            "Thành phố Rạch Gía",
            "chọn lại ô B9 từ danh sách thả xuống: «Thành phố Rạch Giá»",
        ),
        ("REQUIRED_MISSING", "C10", "", "điền vào ô C10"),
        ("YEAR_MISMATCH", "C7", "2024", "dùng mẫu báo cáo năm 2025; ô C7 phải là 2025"),
    ],
)
def test_a_fix_is_filled_from_the_finding(form, code, cell, value, fix):
    assert how_to_fix(form, _finding(code, cell, value)) == fix


def test_a_unit_name_that_does_not_match_is_told_the_registered_one(form):
    fix = how_to_fix(form, _finding("UNIT_MISMATCH", "C6", "UBND Rạch Giá", unit="899"))
    assert fix.startswith("ghi tên đơn vị ở ô C6 là «UBND Thành phố Rạch Giá»")
    assert how_to_fix(form, _finding("UNIT_MISMATCH", "C6", "x", unit="không có")) == (
        "dùng mẫu Sở gửi cho chính đơn vị mình"
    )


# ----- the letters --------------------------------------------------------------------------------
def _row(form: Form, code: str, block: str = "results", i: int = 0) -> int:
    return form.rows_for(form.blocks[block], form.units_by_code[code])[i].row


def _cases(form: Form) -> dict[str, tuple[Any, list[tuple[str, str, Any]]]]:
    """unit code -> (mutation of the filled data, raw cells typed over it as a unit would)."""
    res = form.blocks["results"]
    col = res.measure_column
    category = form.categories[0].code
    money = next(t for t in res.totals if "cash" in t.sum_of)  # in_kind is 0 in `figures`
    figures = {"children": 171, "girls": 100, "ethnic": 30, "turns": 200, "cash": 3_500_000, "in_kind": 0}

    def one_row(code: str):
        def mutate(data: dict[str, Any]) -> None:
            data["results"] = [{"region": code, "category": category, **figures}]

        return mutate

    def department(data: dict[str, Any]) -> None:
        first, second = data["results"][0], data["results"][1]
        first["region"] = "899"
        second["category"] = first["category"]
        second["region"] = "Thành phố Rạch Gía"  # the tone mark moved: read as Rạch Giá, a duplicate
        data["results"][2]["region"] = "Giồng Riềngg"  # not close enough to be read as it

    def little_resources(data: dict[str, Any]) -> None:
        source = next(iter(data["resources"]))
        data["resources"] = {source: {"cash": 513, "in_kind": 0}}  # "513.000" typed on a US PC

    def no_date(data: dict[str, Any]) -> None:
        data["info"].pop("report_date", None)

    return {
        # the children typed as text "1.350.000": fewer turns than children (an error at the
        # turns' cell) and two implausible values, all explained by the one text cell
        # (the cash of that row typed as text too: read as typed, it explains no check on counts)
        "899": (
            one_row("899"),
            [
                (res.sheet, f"{col('children')}{_row(form, '899')}", "1.350.000"),
                (res.sheet, f"{col('cash')}{_row(form, '899')}", "3.500.000"),
            ],
        ),
        # "1.350" typed on a PC with US settings: 1,35 girls
        "900": (one_row("900"), [(res.sheet, f"{col('girls')}{_row(form, '900')}", 1.35)]),
        # "513.000" typed there: 513 đồng
        "902": (one_row("902"), [(res.sheet, f"{col('in_kind')}{_row(form, '902')}", 513)]),
        # the same on the resources sheet: the support given exceeds the resources
        "903": (little_resources, []),
        # words in a number cell; a deleted required value
        "904": (one_row("904"), [(res.sheet, f"{col('children')}{_row(form, '904')}", "khoảng 50")]),
        "905": (no_date, []),
        "SGDDT": (department, []),
        # "513.500" typed on a US PC: 513,5 đồng; Excel's row total summed it, the pipeline
        # cannot: the total does not match, because of the decimal
        "907": (
            one_row("907"),
            [
                (res.sheet, f"{col('cash')}{_row(form, '907')}", 513.5),
                (res.sheet, f"{res.total_column(money.key)}{_row(form, '907')}", 513.5),
            ],
        ),
        # girls typed so that the spreadsheet made a day of it (10/11 -> 45971): more girls
        # than children
        "908": (one_row("908"), [(res.sheet, f"{col('girls')}{_row(form, '908')}", 45971)]),
        # an accepted file: 35.000 đồng typed as text for 171 children, too little per child
        "906": (one_row("906"), [(res.sheet, f"{col('cash')}{_row(form, '906')}", "35.000")]),
    }


@pytest.fixture(scope="module")
def season(form, layout, template_dir, tmp_path_factory) -> tuple[Path, dict[str, Any], dict[str, str]]:
    """(outbox, the run's report, unit code -> letter body) after consolidate and mail drafts."""
    base = tmp_path_factory.mktemp("letters")
    inbox, outbox = base / "inbox", base / "out"
    for code, (mutate, raw) in _cases(form).items():
        data = valid_data(form, code, random.Random(code), layout)
        data["info"]["report_date"] = date_value(dt.date(form.year, 11, 10))
        if mutate:
            mutate(data)
        data.setdefault("raw", []).extend(raw)
        fill(template_for(template_dir, form, code), inbox / f"{code}.xlsx", layout, code, data)
    assert cli.main(["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]) == cli.EXIT_OK
    assert cli.main(["mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    run = json.loads(report_path(outbox, form.year).read_text(encoding="utf-8"))
    bodies = {}
    for path in (year_dir(outbox, form.year) / "thu").glob("thu-*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        bodies[path.name.split("-")[1]] = msg.get_body(("plain",)).get_content()
    return outbox, run, bodies


def _found(run: dict[str, Any], unit: str, code: str) -> list[dict[str, Any]]:
    return [f for f in run["findings"] if f["file"] == f"{unit}.xlsx" and f["code"] == code]


def _item(body: str, message: str) -> str:
    """The numbered item of `body` whose finding's message is `message`: its line ("3. …")
    and the indented lines under it."""
    lines = body.split("\n")
    (start,) = [
        i
        for i, line in enumerate(lines)
        if re.fullmatch(r"\d+\. " + re.escape(message) + r"( \(ô .*)?", line)
    ]
    out = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("   "):
            break
        out.append(line)
    return "\n".join(out)


def test_an_error_is_told_with_its_cause_and_what_to_type_and_the_cause_once(form, season):
    _, run, bodies = season
    body = bodies["899"]
    res = form.blocks["results"]
    row = _row(form, "899")
    children, turns = f"{res.measure_column('children')}{row}", f"{res.measure_column('turns')}{row}"
    (error,) = _found(run, "899", "MEASURE_AT_LEAST")
    as_text, cash_text = _found(run, "899", "NUMBER_FROM_TEXT")
    assert error["cell"] == turns and as_text["cell"] == children
    item = _item(body, error["message"])
    assert cash_text["cell"] not in item  # in the row, but not a figure the check compares
    assert item.split(". ", 1)[1].startswith(
        f"Trang '{res.sheet}', ô {turns}: "
    )  # the cell, and what was found there
    assert (
        f"\n   - Nguyên nhân: {as_text['message']}\n     Cách sửa: xóa ô {children} và gõ lại: 1350000 (chỉ chữ số)."
        in item
    )
    # what to type: the figure it is compared with, as the message says it (brk21)
    other = error["message"].split("tổng số trẻ em (", 1)[1].split(")", 1)[0]
    assert item.endswith(
        f"\n   - Cách sửa: gõ lại ô {turns} bằng số không nhỏ hơn {other} (tổng số trẻ em), hoặc sửa "
        "tổng số trẻ em nếu số đó sai."
    )
    # the implausible values the same text cell explains point back to it; it is told once
    implausible = _found(run, "899", "IMPLAUSIBLE_VALUE")
    assert implausible
    for f in implausible:
        assert f"   - Nguyên nhân: Trang '{res.sheet}', ô {children} (đã nêu ở trên)" in _item(
            body, f["message"]
        )
    assert body.count(as_text["message"]) == 1
    assert body.count("gõ lại: 1350000") == 1


@pytest.mark.parametrize(
    ("unit", "code", "fix"),
    [
        (
            "900",
            "NUMBER_NOT_INTEGER",
            "nếu số đúng là 1.350, xóa ô {cell} và gõ lại: 1350 (chỉ chữ số, không có dấu chấm)",
        ),
        (
            "902",
            "MONEY_TOO_SMALL",
            "nếu số đúng là 513.000 đồng, xóa ô {cell} và gõ lại: 513000 (chỉ chữ số, không có dấu chấm)",
        ),
        (
            "904",
            "NUMBER_INVALID",
            "xóa nội dung ô {cell} rồi gõ lại con số bằng chữ số, không kèm chữ, dấu hay đơn vị",
        ),
        ("905", "REQUIRED_MISSING", "điền vào ô {cell}"),
        (
            "SGDDT",
            "REGION_UNKNOWN",
            "chọn lại ô {cell} từ danh sách thả xuống; nếu là «Huyện Giồng Riềng», chọn «Huyện Giồng Riềng»",
        ),
    ],
)
def test_each_error_is_told_with_its_cell_and_what_to_do(season, unit, code, fix):
    _, run, bodies = season
    (f,) = _found(run, unit, code)
    item = _item(bodies[unit], f["message"])
    assert item.split(". ", 1)[1].startswith(f"Trang '{f['sheet']}', ô {f['cell']}: "), item
    assert item.endswith(f"\n   - Cách sửa: {fix.format(cell=f['cell'])}."), item
    said = " ".join(f["message"].casefold().split())
    words = fix.format(cell=f["cell"]).casefold().split()
    repeated = [
        " ".join(words[i : i + 5]) for i in range(len(words) - 4) if " ".join(words[i : i + 5]) in said
    ]
    assert not repeated, f"the fix repeats the message: {repeated}"
    if f["value"] and f["value"] not in f["message"]:
        assert f"(ô đang ghi: «{f['value']}»)" in item


def test_a_name_read_as_another_row_s_explains_the_duplicate_and_is_not_listed_again(season):
    _, run, bodies = season
    body = bodies["SGDDT"]
    (duplicate,) = _found(run, "SGDDT", "ROW_DUPLICATE")
    read_as = [f for f in _found(run, "SGDDT", "NAME_READ_AS") if f["cell"] == duplicate["cell"]]
    assert len(read_as) == 1
    item = _item(body, duplicate["message"])
    assert f"\n   - Nguyên nhân: {read_as[0]['message']}" in item
    assert (
        f"\n     Cách sửa: chọn lại ô {duplicate['cell']} từ danh sách thả xuống: «Thành phố Rạch Giá»."
        in item
    )
    assert body.count(read_as[0]["message"]) == 1
    # the cell shows the listed name: the letter never says it holds the name's code
    assert duplicate["value"] in duplicate["message"] and "(ô đang ghi: «" not in item


def test_a_duplicate_row_s_fix_names_the_row_it_repeats(form, season):
    """The fix of a duplicate row says which earlier row to add it to, by its number and its
    cell in the same column (it said "the row written before", leaving the unit to find it)."""
    _, run, bodies = season
    (duplicate,) = _found(run, "SGDDT", "ROW_DUPLICATE")
    first = _row(form, "SGDDT")  # the department's first row holds the pair first
    column = duplicate["cell"].rstrip("0123456789")
    assert first < int(duplicate["cell"][len(column) :])
    fix = (
        f"Cách sửa: cộng số liệu của dòng có ô {duplicate['cell']} vào dòng {first} đã ghi trước "
        f"(dòng có ô {column}{first}), rồi xóa dòng có ô {duplicate['cell']}."
    )
    assert fix in " ".join(_item(bodies["SGDDT"], duplicate["message"]).split())


def test_money_read_a_thousand_times_too_small_explains_the_support_exceeding_resources(season):
    _, run, bodies = season
    body = bodies["903"]
    (small,) = _found(run, "903", "MONEY_TOO_SMALL")
    (exceeds,) = _found(run, "903", "SUPPORT_EXCEEDS_RESOURCES")
    assert small["sheet"] == exceeds["sheet"] and small["cell"] != exceeds["cell"]
    # the error is listed (it must be corrected), with what to type …
    assert f"xóa ô {small['cell']} và gõ lại: 513000" in _item(body, small["message"])
    # … and the warning it explains points back to it
    assert f"   - Nguyên nhân: Trang '{small['sheet']}', ô {small['cell']} (đã nêu ở trên)" in _item(
        body, exceeds["message"]
    )


def test_the_feedback_workbook_says_the_fix_the_letter_says(form, season):
    outbox, run, bodies = season
    (f,) = _found(run, "902", "MONEY_TOO_SMALL")
    wb = openpyxl.load_workbook(feedback_path(outbox, form.year, "902", "902.xlsx"))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "STT")
    fix_col, cell_col = header.index("Cách sửa"), header.index("Ô")
    (row,) = [r for r in rows if r[cell_col] == f["cell"]]
    assert row[fix_col].startswith("nếu số đúng là 513.000 đồng")
    assert f"   - Cách sửa: {row[fix_col]}." in bodies["902"]


def test_a_receipt_tells_a_warning_with_its_cause_and_what_to_type(season):
    _, run, bodies = season
    body = bodies["906"]
    assert "Sở đã nhận và chấp nhận báo cáo" in body
    (as_text,) = _found(run, "906", "NUMBER_FROM_TEXT")
    (implausible,) = _found(run, "906", "IMPLAUSIBLE_VALUE")
    item = _item(body, implausible["message"])
    assert item.endswith(
        f"\n   - Nguyên nhân: {as_text['message']}\n     Cách sửa: xóa ô {as_text['cell']} và gõ lại: 35000 (chỉ chữ số)."
    ), item  # nothing to send again: the warning itself gets no "Cách sửa"
    assert body.count(as_text["message"]) == 1


def test_a_total_that_does_not_match_is_explained_by_the_decimal_excel_summed(season):
    _, run, bodies = season
    body = bodies["907"]
    (decimal,) = _found(run, "907", "NUMBER_NOT_INTEGER")
    (mismatch,) = _found(run, "907", "TOTAL_MISMATCH")
    # the error, with the amount it was likely meant to be …
    assert _item(body, decimal["message"]).endswith(
        f"\n   - Cách sửa: nếu số đúng là 513.500, xóa ô {decimal['cell']} và gõ lại: 513500 "
        "(chỉ chữ số, không có dấu chấm)."
    )
    # … and the total it put out of step, pointing back to it
    item = _item(body, mismatch["message"])
    assert f"\n   - Nguyên nhân: Trang '{decimal['sheet']}', ô {decimal['cell']} (đã nêu ở trên)" in item
    assert item.endswith(
        f"\n   - Cách sửa: sửa các ô số liệu cùng dòng, cùng cột; ô tổng {mismatch['cell']} có công thức tự "
        "tính lại, không gõ vào."
    )


def test_a_count_the_spreadsheet_made_a_day_of_explains_the_check_it_fails(season):
    _, run, bodies = season
    body = bodies["908"]
    (error,) = _found(run, "908", "MEASURE_AT_MOST")
    (day,) = _found(run, "908", "LOOKS_LIKE_DATE")
    assert day["cell"] == error["cell"]
    assert (
        f"\n   - Nguyên nhân: {day['message']}\n     Cách sửa: gõ lại đúng số ở ô {day['cell']}, chỉ chữ số."
        in (_item(body, error["message"]))
    )
    assert body.count(day["message"]) == 1
