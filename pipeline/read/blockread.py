"""The rows of one block of a file, read as its plan says (`plan.block_plan`): labels
checked, numbers parsed as the sheet shows them, names read as listed, totals cached in the
file compared with the totals recomputed from its inputs; rows with figures become typed
records (`records.Record`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..form import Block, KeyField, Unit, col_letter
from ..form.sheets import TOTAL_LABEL
from ..rules import findings as fd
from ..rules import nearest
from ..rules.catalogue import TOTAL_WHY
from ..rules.spellings import usual_spelling_of
from ..text.values import (
    LARGEST_WHOLE,
    ShownOtherwise,
    UnreadDate,
    UnshownDate,
    is_blank,
    parse_int,
    parse_text,
    typed_text,
)
from .plan import BlockPlan, RowPlan, block_plan
from .reader import SheetData, split_cell
from .reading import FileReading
from .records import Record
from .witness import Verdict


def read_block(reading: FileReading, block: Block, unit: Unit) -> list[Record]:
    """The rows of one block with figures, as typed records; findings on `reading.p` (labels moved,
    merged inputs, numbers, names, cached totals). [] when the block cannot be read."""
    form = reading.form
    sheet = reading.book.sheets[block.sheet]
    plan = block_plan(form, block, unit)
    # geometry: column headers, the "(1)" numbering, fixed row labels, the total label
    rows = sheet.rows
    labels = plan.labels if reading.marked else plan.labels[: len(plan.labels) - len(plan.ends)]
    for cell, expected, r, c in labels:
        found = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
        if found != expected and not reading.check_label(
            sheet, cell, expected, [(a, b) for a, b, _r, _c in labels], plan.ends
        ):
            return []
    if not reading.check_row_marks(sheet, plan.head_mark, plan.row_marks, plan.mark_moved):
        return []  # cells of a row inserted or deleted: its figures under other headings
    if reading.merged_over(sheet, plan.inputs):
        return []
    out: list[Record] = []
    columns = {kf.key: kf.column for kf in block.key_fields} | block.grid.columns
    own_region = unit.region if block.rows_by_unit_region else None
    sums = dict.fromkeys(plan.measure_keys, 0)
    row_totals: list[tuple[RowPlan, dict[str, int | None]]] = []
    # cells the fast paths below leave to `reading.number`: errors, formulas without a
    # value, and measures holding a formula (its stored 0 may be uncalculated)
    formulas = (sheet.formula_results & plan.measure_cells) - sheet.errors.keys()
    odd_cells = sheet.errors.keys() | sheet.formulas_without_value | formulas
    odd_rows = {split_cell(c)[1] for c in odd_cells}  # cached: the same cells in every file
    blank = dict.fromkeys(plan.measure_keys)
    # formulas storing 0 or blank: (row, its values, measure key, cell, "zero" or "blank")
    stored: list[tuple[RowPlan, dict[str, int | None], str, str, str]] = []
    first_col, last_col = plan.span
    unkept: dict[int, set[str]] = {}  # row -> keys of its numbers refused for their size
    plain = True  # every input read is a number as stored, or blank: a total's formula
    # that differs from the recomputed total then stores a result older than its inputs
    max_number = form.limits.max_number
    for rp in plan.rows:
        if rp.row not in odd_rows and sheet.blank_span(rp.row, first_col, last_col):
            row_totals.append((rp, blank))  # an unused row: nothing to read
            continue
        row = rows[rp.row - 1] if rp.row <= len(rows) else []
        values: dict[str, int | None] = {}
        zeros: list[str] = []  # keys of this row's formulas storing 0
        for key, cell, label, col in rp.measures:
            raw = row[col] if col < len(row) else ""
            if cell in formulas and (raw == "" or raw == 0 and raw.__class__ is not bool):
                # a formula storing 0 or nothing: judged by the file's totals below
                values[key] = None if raw == "" else 0
                kind = "blank" if raw == "" else "text" if cell in sheet.text_as_zero else "zero"
                stored.append((rp, values, key, cell, kind))
                plain = plain and kind != "text"  # a text result: the spreadsheet may count it
                if raw != "":
                    zeros.append(key)
            # fast paths, the common cases: a whole number typed as a number, a blank cell
            elif (
                raw.__class__ is float
                and raw.is_integer()
                and 0 <= raw <= max_number
                and cell not in odd_cells
            ):
                values[key] = int(raw)
            elif raw == "" and cell not in odd_cells:
                values[key] = None
            else:
                values[key] = reading.number(sheet, cell, label)
                if values[key] is None and (sheet.name, cell) in reading.unkept:
                    unkept.setdefault(rp.row, set()).add(key)
                if not (
                    raw.__class__ in (float, int) and values[key] == raw or raw == "" and values[key] is None
                ):
                    plain = False  # text, a date, an error…: a spreadsheet may count it otherwise
        if zeros and all(v is None or k in zeros for k, v in values.items()):
            for k in zeros:  # only formulas' zeros: an unused row, as a formula filled down
                values[k] = None  # leaves it (LibreOffice's .xls stores empty text as 0)
        key: dict[str, Any] = dict(rp.fixed)
        blank_keys = []
        for kf, cell in rp.key_cells:
            raw = parse_text(sheet.get(cell))
            if not raw:
                blank_keys.append((kf, cell))
            key[kf.key] = (
                (form.code_for(kf.key, raw) or _usual(reading, kf, raw, sheet, cell)) if raw else None
            )
        has_numbers = False
        for k, v in values.items():
            if v is not None:
                sums[k] += v
                has_numbers = True
        row_totals.append((rp, values))
        if not has_numbers:
            continue
        for kf, cell in blank_keys:
            reading.add(
                "ROW_KEY_MISSING",
                fd.RULES["ROW_KEY_MISSING"].say(row=rp.row, label=kf.label.lower()),
                sheet.name,
                cell,
            )
        if blank_keys:
            continue
        out.append(Record(block.key, rp.row, key, values, own_region, columns))
    wrong = _cached_totals(plan, sheet, sums, row_totals, unkept)
    if not reading.total_formulas:  # a total cell holding a formula (`FileReading.said_totals`)
        formulas_or_errors = sheet.formula_results | sheet.formulas_without_value | sheet.errors.keys()
        reading.total_formulas = not plan.total_cells.isdisjoint(formulas_or_errors)
    for rp, values, key, cell, kind in stored:
        # the 0 or blank a formula stores is what the application calculated when the
        # template's reading cell of it saw the same (`read/witness.py`), a result never
        # calculated when that cell saw otherwise; with no witness, a result never
        # calculated when a total the file holds, calculated by the application that saved
        # it, counts the formula otherwise, or when no total counting it was calculated at
        # all (nothing vouches for it)
        verdict = reading.witnessed(sheet, cell, kind)
        if verdict is Verdict.CALCULATED:
            continue
        if verdict is Verdict.BLANK:
            values[key] = None
            continue
        if verdict is Verdict.STALE or kind == "text":  # a text result lost: no total vouches
            reading.uncalculated(sheet, cell, kind)
            values[key] = None
            continue
        summed = {t for sum_of, t, _r, _c in rp.totals if key in sum_of}
        summed |= {t for k, t, _r, _c in plan.total_measure_cells if k == key}
        calculated = any(not is_blank(sheet.get(t)) or t in sheet.errors for t in summed)
        if summed & wrong.keys() or (summed and not calculated):
            reading.uncalculated(sheet, cell, kind)
            values[key] = None
        elif values[key] is not None:  # a 0 the totals agree with: judged with the file
            reading.unvouched.append((sheet.name, cell, values[key]))
    # the "Tổng cộng" of a row-total column adds the row totals above it: one of them typed
    # over explains its own mismatch
    typed_over = {t for t in wrong if t not in sheet.formula_results and t not in sheet.errors}
    row_total_cols = (
        {c for rp, _v in row_totals for _s, t, _r, c in rp.totals if t in typed_over} if typed_over else set()
    )
    grand = {t for _s, t, _r, c in plan.total_row_cells if c in row_total_cols}
    for cell, (cached, want) in wrong.items():
        formula = cell in sheet.formula_results or cell in sheet.errors
        if not formula:
            kind = "typed"
        elif cell in grand:
            kind = "adds"
        elif reading.witnesses is not None and reading.witnesses.calculated_after_typing():
            kind = "changed"  # calculated with every figure typed: its formula is not the template's
        else:
            kind = "formula"
        if (
            kind == "formula"
            and plain
            and cached
            and cell not in sheet.errors
            and not isinstance(cached, str)
        ):
            # its result is older than its inputs (`said_unvouched`); a 0 may be a formula
            # broken (SheetJS's .ods drops the template's names), as an error value is
            reading.stale_totals = True
        why = TOTAL_WHY[kind].format(recomputed=fd.show(want))
        typed_text = isinstance(cached, str) and cell not in sheet.errors  # an error value shown bare
        shown = f"«{cached}»" if typed_text else fd.show(cached)
        message = fd.RULES["TOTAL_MISMATCH"].say(value=shown, recomputed=fd.show(want), why=why)
        if kind == "formula" and cached == 0 and not isinstance(cached, bool):
            reading.stale_total(message, sheet.name, cell)  # the template's 0, never calculated
            continue
        if kind == "typed":  # typed over, or the file's formulas dropped: said with the file
            reading.typed_total(message, sheet.name, cell, cached)
            continue
        reading.add("TOTAL_MISMATCH", message, sheet.name, cell, cached)
    _figures_below(reading, sheet, plan)
    return out


def _figures_below(reading: FileReading, sheet: SheetData, plan: BlockPlan) -> None:
    """FIGURE_BELOW_TABLE at the first figure of each row below the table (under its total
    row and end marks) holding figures in the measures' columns: a row a unit added after
    "Tổng cộng" when it ran out of rows is no row of the biểu, and its figures are not
    counted (brk33 F4: counted nowhere, told nothing). A text or a 0 there is a note."""
    if not plan.total_measure_cells:
        return
    last = plan.total_measure_cells[0][2] + (1 if plan.ends and reading.marked else 0)  # 0-based
    columns = [col for _k, _cell, _r, col in plan.total_measure_cells]
    for r in range(last + 1, len(sheet.rows)):
        row = sheet.rows[r]
        found = [(f"{col_letter(c)}{r + 1}", row[c]) for c in columns if c < len(row) and _figure(row[c])]
        if found:
            cells = ", ".join(f"{cell}: {fd.show(v)}" for cell, v in found)
            message = fd.RULES["FIGURE_BELOW_TABLE"].say(row=r + 1, cells=cells, total=TOTAL_LABEL)
            reading.add("FIGURE_BELOW_TABLE", message, sheet.name, found[0][0], found[0][1])


def _figure(value: Any) -> bool:
    """Whether a cell below a table holds a figure: a number other than 0, or text that is one."""
    if value.__class__ in (float, int):
        return value != 0
    if isinstance(value, str) and value.strip():
        number, _problem, _text = parse_int(value, LARGEST_WHOLE)
        return bool(number)
    return False


def _usual(reading: FileReading, kf: KeyField, raw: str, sheet: SheetData, cell: str) -> str:
    """A name not listed as typed: the listed one it is a usual spelling of (a warning,
    `spellings.usual_spelling_of`, the template's own table), else as typed (validation
    reports it unknown, offering the nearest name)."""
    code = usual_spelling_of(reading.form, kf.key, typed_text(sheet.get(cell)))
    if code is None:
        return raw
    hit = nearest.Match(code, reading.form.names(kf.key)[code])
    reading.add("NAME_READ_AS", nearest.read_as_message(kf.label, raw, hit), sheet.name, cell, raw)
    return code


def _cached_totals(
    plan: BlockPlan,
    sheet: SheetData,
    sums: dict[str, int],
    row_totals: list[tuple[RowPlan, dict[str, int | None]]],
    unkept: dict[int, set[str]],
) -> dict[str, tuple[Any, int]]:
    """Compare totals cached in the file with the totals recomputed from its inputs: cell
    -> (the total cached, the total recomputed) of those that differ (TOTAL_MISMATCH).
    `unkept`: row -> keys of the numbers refused for their size there; a total over one is
    not compared (a spreadsheet may count what the reader did not keep, and the number's
    own finding already refuses the file)."""
    wrong: dict[str, tuple[Any, int]] = {}
    any_unkept = set().union(*unkept.values())
    expected = [
        (cell, r, c, sums[key]) for key, cell, r, c in plan.total_measure_cells if key not in any_unkept
    ]
    for sum_of, cell, r, c in plan.total_row_cells:
        if not any_unkept.intersection(sum_of):
            expected.append((cell, r, c, sum(sums[k] for k in sum_of)))
    for rp, values in row_totals:
        for sum_of, cell, r, c in rp.totals:
            if not unkept.get(rp.row, set()).intersection(sum_of):
                expected.append((cell, r, c, sum(values[k] or 0 for k in sum_of)))
    rows = sheet.rows
    for cell, r, c, want in expected:
        cached = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
        if isinstance(cached, ShownOtherwise):  # a total shown as a percentage or scaled: its number compared
            cached = float(cached)
        elif isinstance(cached, dt.timedelta):  # shown as a duration ([h]:mm): its number of days
            cached = cached.total_seconds() / 86400
        elif isinstance(cached, UnshownDate) and not isinstance(cached, UnreadDate):
            number, problem, _ = parse_int(str(cached), 10**30)  # the number, as `show` wrote it
            if problem is not None:  # none kept (LibreOffice's .ods duration past any time): no
                continue  # total to compare (brk15: "«#NUM!» … công thức … đã bị sửa")
            cached = number
        if cached == "":
            if cell not in sheet.errors:
                continue
            cached = sheet.errors[cell]
        elif cached.__class__ is float and cached == want:
            continue  # the common case: the cached total is right
        if is_blank(cached):
            continue
        got, problem, _ = parse_int(cached, 10**30)
        typed_text = isinstance(cached, str) and cell not in sheet.formula_results
        if problem is None and got == want and not typed_text:  # text typed over a total, even
            continue  # its right figure, took the formula's place (the template says so too)
        wrong[cell] = (cached, want)
    return wrong
