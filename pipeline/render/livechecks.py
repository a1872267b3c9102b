"""The template's live checks, built from the rules the form applies (`rules/bind.py`).

For every rule the pipeline applies to a row or field, the template gets: a data-validation
rule that warns at entry (error type "warning": a person can pass it, cells are filled in
any order), conditional formatting that colours the violating cell, and per-row formulas
in a "Kiểm tra" area, summed up per sheet ("Đạt" / "Còn N lỗi: dòng …") and on the first
sheet. Every rule reads a number cell as the pipeline reads it, through its hidden reading
cells (`numbercells.py`), and skips a cell the pipeline could not read. Severity and words
are the catalogue's (`rules/catalogue.py`), also for what the reader checks (a number cell
holding text: `NUMBER_FROM_TEXT`, `NUMBER_INVALID`; `NUMBER_TOO_LARGE`,
`NUMBER_NOT_INTEGER`; a name read as a listed one: `NAME_READ_AS`), and a row's error count
is counted from its text, so the template's verdict and counts are the pipeline's. Formulas
use English function names and comma separators, as the xlsx format stores them (ECMA-376
Part 1, §18.17), and only functions Excel 2010, LibreOffice and Gnumeric share
(`tests/test_livechecks_text.py`).

A name typed by the unit is read through its hidden ITEM cell (`numbercells.py`): every
spelling `Form.code_for` reads (the name, the code typed as a number or as text, "code -
name", any case, white space folded) is the listed item, as are the usual spellings of
`rules/spellings.py` (without accents, without or with an abbreviated prefix, the tone on
another vowel; a warning, `NAME_READ_AS`), the one table the pipeline reads names with too;
rows are compared by item, so a duplicate under another spelling is the pipeline's
duplicate. A formula cannot compose Unicode, so the spellings are listed decomposed too, as
Vietnamese keyboards in their "Unicode tổ hợp" mode type them and in full NFD (as macOS
hands text over) for the names `code_for` reads. Anything else ("Gò Qao", "Hòn Đất.") is
"không có trong danh sách", an error, in the template and in the pipeline alike (whose
message offers the name meant, `nearest.near_text`).
The declaration cell is read as `read.declare` reads it (white space alone is no mark). A
sheet's summary reads every number of a row through absolute references to its VALUE cells
(a relative name would read the summary's own row).

The pipeline's warnings over more than a row are shown where the pipeline names them, with
their kinds' formulas (`rules/recordkinds.py`): the typed report date after today or before
the period (`check.arrival`: TODAY() is the template's today, as the run's date is the
pipeline's; the date read by `numbercells.write_date_readers`), a results row outside the
configured plausibility bounds (`check.plausible`: one defined name per bound, its formula
stored once and read in each row, as the reading steps are), and on a sheet's "Tổng cộng" row
a file's totals: the unit's total out of its bound, the support given above the resources
mobilised (`rules.bind.totals_rules`), each a sum of the VALUE cells the pipeline reads.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Mapping, Sequence

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..check.arrival import arrival_rules
from ..check.plausible import plausibility_rules
from ..form import Block, Form, RowSpec, SheetChecks, col_index
from ..form.sheets import SumCell
from ..rules import findings as fd
from ..rules.bind import block_rules, info_rules, totals_rules
from ..rules.catalogue import DOT_GUESS, READ_AS_LISTED, RULES, Bound, bind
from ..rules.kinds import MOBILE_SPANS, XlRow
from ..text.values import NUMBER_EXAMPLE
from .layoutchecks import LayoutCells, first_refusal, guarded_count, guarded_summary, missing_count, spliced
from .numbercells import (
    READ_CODES,
    UNKNOWN,
    Readers,
    ReadRow,
    absolute,
    quoted,
    trimmed,
)
from .style import Styles, sheet_ref

PASSED = "Đạt"
MAX_DV_TEXT = 250  # Excel's limit for a data-validation message is 255 characters
ERROR_MARK = fd.SEVERITY_VI[fd.ERROR] + ": "  # what begins each error in a row's text
# the overview's defined names: form sheets missing, the errors counted as the reader
# counts them (-1 when a sheet's own checks were deleted), the first reason the file is
# refused for its geometry, the first sheet whose checks were deleted
OVERVIEW = {"missing": "KiemTra_ThieuTrang", "total": "KiemTra_SoLoi", "refusal": "KiemTra_TraLai"}
OVERVIEW |= {"unchecked": "KiemTra_MatO"}
# a sheet's count or summary cell deleted (its check column, brk10 L4): the template can no
# longer count, the pipeline still reads the figures
CHECKS_GONE = (
    "mẫu không tự kiểm tra được trang {sheet} nữa vì ô hoặc cột «Kiểm tra» của trang đó đã bị xóa; "
    "Sở vẫn đọc số liệu nếu các trang đúng mẫu. Hãy hoàn tác thay đổi đó, hoặc tải mẫu gốc và điền lại "
    "để mẫu kiểm tra giúp trước khi gửi"
)
CHECKS_GONE_LINE = "mẫu không tự kiểm tra được trang này nữa (xem trên)"  # that sheet's line
# a form sheet missing: the pipeline reads nothing else, so the other sheets' errors wait
NOT_READ_YET = "Sở chưa đọc trang này khi tệp còn thiếu trang của mẫu (xem trên)"


_q = quoted


# ----- what is in a number cell: its reading cells (`numbercells.py`) -------------------------
def _content(
    value: str, typed: str, key: str, name: str, lead: bool = True, as_text: bool = True, guess: str = ""
) -> str:
    """What a row's text says of a number cell by its VALUE cell `value` (`typed`: the input
    cell): "" for a number or a blank (its rules speak for it), the words of the rule the
    pipeline reports for a code (`READ_CODES`), and NUMBER_FROM_TEXT for text it reads as a
    number that is not negative (NUMBER_NEGATIVE speaks for that), unless `as_text` is False
    (a field the template fills in: the pipeline reads its text silently). `lead`: "Lỗi: …; "
    as in a row's text, else ", …" as in a sheet's list of errors (errors only); `guess`:
    the cell's `_guesses` name, said after a rule that guesses (`Bound.guess`)."""
    warn = bind("NUMBER_FROM_TEXT", key, used_by="template", name=name)
    out = '""'
    if as_text and (lead or warn.severity == fd.ERROR):
        said = _said(warn) if lead else ", " + warn.text
        out = f'IF(AND(ISTEXT({typed}),ISNUMBER({value})),IF({value}>=0,{_q(said)},""),"")'
    for code, rule_code in reversed(READ_CODES.items()):
        rule = bind(rule_code, key, used_by="template", name=name)
        if not lead and rule.severity != fd.ERROR:
            continue
        said = _said_of(rule, guess) if lead else _q(", " + rule.text)
        out = f'IF({value}="{code}",{said},{out})'
    return out


def _read(value: str) -> str:
    """TRUE where VALUE cell `value` holds what the pipeline read (a number or a blank)."""
    return f'OR(ISNUMBER({value}),{value}="")'


def _lookalikes(rules: list[Bound], at: XlRow) -> dict[str, list[tuple[Bound, str]]]:
    """Number key -> (rule, its expression over VALUE cell) for each of `rules` (the
    pipeline's, `check.plausible`) binding LOOKS_LIKE_DATE: a number that is a date's serial
    between the bounds the pipeline reads (`serials`), as a date typed in a number cell
    whose format is not a date's becomes (LibreOffice keeps the cell's number format); or
    LOOKS_LIKE_PHONE: a whole number spelling a mobile number (brk39 F3: the pipeline's
    warning alone)."""
    out: dict[str, list[tuple[Bound, str]]] = {}
    for r in rules:
        if r.field not in at.columns:
            continue
        v = at.ref(r.field)
        if r.code == "LOOKS_LIKE_DATE":
            first, last = r.params["serials"]
            out.setdefault(r.field, []).append((r, f"AND(ISNUMBER({v}),{v}>={first},{v}<={last})"))
        elif r.code == "LOOKS_LIKE_PHONE":
            spans = ",".join(f"AND({v}>={low},{v}<{high})" for low, high in MOBILE_SPANS)
            test = f"IF(ISNUMBER({v}),IF({v}=INT({v}),OR({spans}),FALSE),FALSE)"
            out.setdefault(r.field, []).append((r, test))
    return out


def _bounded(
    wb: Workbook,
    form: Form,
    block: Block,
    rules: list[Bound],
    read: Mapping[str, str],
    free: bool,
    rd: Readers,
) -> dict[str, list[str]]:
    """Number key -> the defined names saying in a row of `block` "Cảnh báo: …; " where its
    ratio is out of its bounds ("" elsewhere), one for each of `rules` (the pipeline's on a
    results row, `check.plausible`) of kind "bounded" (IMPLAUSIBLE_VALUE): the kind's formula
    over the row's VALUE names (`read`) and the bounds of the row's category, where its own
    cell was read (the pipeline reports no finding at a cell it could not read). A name's
    references are relative to the row that reads it, as the VALUE names are
    (`numbercells._relative`): the formula and its words are stored once a workbook, not once
    a row. The category's code: from its ITEM (`free` rows) or the listed name a fixed row shows."""
    mine = [r for r in rules if r.kind == "bounded" and r.field in read]
    codes = list(dict.fromkeys(code for r in mine for code in r.params["by_category"]))
    category = '""'
    key = next((kf for kf in block.key_fields if kf.key == "category"), None)
    if key is not None and codes:
        number = {item.code: n for n, item in enumerate(form.items("category"), 1)}
        listed = {item.code: item.name for item in form.items("category")}
        cell = f"{sheet_ref(block.sheet, '')}${key.column}1"
        for code in reversed(codes):
            test = (
                f"{rd.item(block.sheet, key.column)}={number[code]}" if free else f"{cell}={_q(listed[code])}"
            )
            category = f"IF({test},{_q(code)},{category})"
    at = ReadRow(1, 1, {}, {}, {**read, "category": category})
    out: dict[str, list[str]] = {}
    for i, r in enumerate(mine, 1):
        name = f"KhoTin_{block.key}_{i}"
        wb.define_name(name, f'=IF(IF({_read(at.ref(r.field))},{r.excel(at)},FALSE),{_q(_said(r))},"")')
        out.setdefault(r.field, []).append(name)
    return out


def _date_rules(form: Form, rd: Readers) -> dict[str, list[tuple[Bound, str]]]:
    """Date field key -> (rule, expression TRUE where it is broken) for each rule of the
    pipeline on the typed report date that the template can judge (`check.arrival`): after
    today (TODAY(), the computer's date, as the pipeline's is the run's; not the arrival,
    unknown here) and before the period, over the date read (`Readers.date_serial`)."""
    fields = dict(rd.dates)
    known = {"today": "TODAY()", "arrival": '""'}
    out: dict[str, list[tuple[Bound, str]]] = {}
    for r in arrival_rules(form):
        if r.field not in fields or r.rule.kind is None or r.rule.kind.excel is None:
            continue
        if r.others and r.others[0] != "today":
            continue  # after the arrival: the template cannot know when the file will arrive
        at = ReadRow(0, 0, {}, {}, {r.field: rd.date_serial(r.field), **known})
        out.setdefault(r.field, []).append((r, r.excel(at)))
    return out


def _sum_of(rd: Readers, sheet: str, columns: list[str], first: int, last: int) -> str:
    """The sum of the numbers the pipeline reads from input `columns` of `sheet`, rows
    `first` to `last`: their VALUE cells, as a "Tổng cộng" adds them (`Readers.total`), in
    absolute references (a defined name reads them from any cell)."""
    total = rd.total(sheet, SumCell("", "", (), tuple(columns), first, last, inputs=True))[1:]
    return re.sub(r"!([A-Z]+)(\d+):([A-Z]+)(\d+)", r"!$\1$\2:$\3$\4", total)


def _on_totals(
    wb: Workbook, form: Form, block: Block, first: int, last: int, rd: Readers
) -> list[tuple[Bound, str, str]]:
    """(rule, defined name TRUE where it is broken, column) of each rule the pipeline checks
    on a file's totals at the "Tổng cộng" row of `block` (rows `first` to `last`): the unit's
    total of a measure out of its bound (`check.plausible`, on the results) and the support
    given above the resources mobilised (`rules.bind.totals_rules`, on the resources, at its
    headline amount, where `check.stacks.stack_support` points), over the sums of what the
    pipeline reads. A name: the long sums are stored once, not in the row and its colour."""
    found = []
    if block.key == form.history_block.key:
        columns = {m.key: block.measure_column(m.key) for m in block.measures}
        read = {k: _sum_of(rd, block.sheet, [c], first, last) for k, c in columns.items()}
        at = ReadRow(0, 0, {}, {}, read)
        found += [
            (r, r.excel(at), columns[r.field]) for r in plausibility_rules(form)[2] if r.kind == "bounded"
        ]
    if block.balance == "resources":
        given = form.support_block
        start = given.first_row
        end = start + max(len(form.rows_for(given, u)) for u in form.units) - 1  # no VALUE cell below
        values = [given.measure_column(k) for k in given.value_measures]
        read = {
            "support": _sum_of(rd, given.sheet, values, start, end),
            "resources": _sum_of(
                rd, block.sheet, [block.measure_column(m.key) for m in block.measures], first, last
            ),
        }
        at = ReadRow(0, 0, {}, {}, read)
        found += [(r, r.excel(at), block.grid.columns[block.main_total]) for r in totals_rules(form)]
    out = []
    for i, (r, expr, col) in enumerate(found, 1):
        name = f"Tong_{block.key}_{i}"
        wb.define_name(name, "=" + expr)
        out.append((r, name, col))
    return out


def _row_of(cell: str) -> int:
    """The row number of an A1 reference ("H12" -> 12)."""
    return int(cell.lstrip(string.ascii_uppercase))


def _typed_over(cell: str, want: str) -> str:
    """TRUE where total `cell` does not hold `want`, what the pipeline recomputes
    (TOTAL_MISMATCH, `read.blockread`): for a number there, another number; any text; an
    error value. A blank is left alone, as the reader leaves it. Where the template's own
    formula is in the cell it gives `want`: TRUE only where a unit typed over the total or
    changed its formula, on an unprotected sheet (brk39 F7)."""
    return f'IFERROR(IF(ISNUMBER({cell}),{cell}<>{want},{cell}<>""),TRUE)'


def _totals_typed_over(
    wb: Workbook, block: Block, totals: Sequence[SumCell], read: Mapping[str, str], rd: Readers
) -> tuple[str, dict[str, str], dict[str, str]]:
    """Where `block`'s total cells do not hold what the pipeline recomputes (`_typed_over`),
    in defined names, so that neither the test nor TOTAL_MISMATCH's words is written in
    every row and its colour: (the name of the words, row total column -> the name TRUE
    where that row's total is typed over, relative to the row that uses it as the VALUE
    names `read` are, cell of the "Tổng cộng" row -> the name TRUE where it is; a row
    total's "Tổng cộng" adds its inputs over the rows, as `read.blockread` recomputes it)."""
    words = f"LoiTongGoDe_{block.key}"
    wb.define_name(words, "=" + _q(_said(bind("TOTAL_MISMATCH", "total", used_by="template"))))
    rows: dict[str, str] = {}
    sums: dict[str, str] = {}
    for t in totals:
        col = t.cell.rstrip(string.digits)
        if t.inputs and t.first == t.last == _row_of(t.cell):  # a row total
            if col not in rows:
                rows[col] = f"GoDeDong_{block.key}_{len(rows) + 1}"
                cell = f"{sheet_ref(block.sheet, '')}${col}1"
                want = f"SUM({','.join(read[k] for k in t.sum_of)})"
                wb.define_name(rows[col], "=" + _typed_over(cell, want))
            continue
        # the row totals' "Tổng cộng": their inputs over the rows
        columns = list(t.columns) if t.inputs else [block.measure_column(k) for k in t.sum_of]
        sums[t.cell] = f"GoDeTong_{block.key}_{len(sums) + 1}"
        cell = sheet_ref(block.sheet, absolute(t.cell))
        wb.define_name(
            sums[t.cell], "=" + _typed_over(cell, _sum_of(rd, block.sheet, columns, t.first, t.last))
        )
    return words, rows, sums


def _colour_content(
    ws: Worksheet, rng: str, value: str, typed: str, st: Styles, as_text: bool = True
) -> None:
    """Colour the number cells `rng` by their first VALUE cell `value` (`typed`: the first
    input cell): red where the pipeline cannot read it, yellow for text it reads as a number
    (unless `as_text` is False, as `_content`)."""
    red = f'AND(ISTEXT({value}),{value}<>"")'
    yellow = f"AND(ISTEXT({typed}),ISNUMBER({value}))"
    for test, fill in ((red, st.error_fill), (yellow, st.warning_fill))[: 2 if as_text else 1]:
        ws.conditional_format(rng, {"type": "formula", "criteria": "=" + test, "format": fill})


def _read_as(at: ReadRow, key: str, spellings: str) -> str:
    """TRUE where the key cell holds one of the usual `spellings` (a defined name) of a
    listed name: read as an item (ITEM), its text one of those spellings."""
    item, text, _col = at.names[key]
    return f"AND(ISNUMBER({item}),ISNUMBER(MATCH({text},{spellings},0)))"


def _expr(rule: Bound, at: XlRow) -> str:
    """The rule's expression, TRUE where the row breaks it; a rule over names typed by the
    unit reads what the pipeline reads them as (the ITEM cells, `numbercells.py`): a name
    not listed is one read as no item, and a duplicate row one whose items repeat an earlier
    row's (where a name is read as no item, the typed texts are compared as before)."""
    names = at.names if isinstance(at, ReadRow) else {}
    if rule.field not in names:
        return rule.excel(at)
    if rule.kind == "in_list":
        return f'{names[rule.field][0]}="{UNKNOWN}"'
    if rule.kind == "duplicate" and all(k in names for k in rule.fields):
        items = [names[k] for k in rule.fields]
        known = ",".join(f"ISNUMBER({item})" for item, _t, _c in items)
        same = ",".join(f"{col}${at.first_row}:{col}{at.row},{item}" for item, _t, col in items)
        typed = rule.excel(XlRow(at.row, at.first_row, at.columns, at.lists))
        return f"IF(AND({known}),COUNTIFS({same})>1,{typed})"
    return rule.excel(at)


def _said(rule: Bound) -> str:
    """How a row's text says a rule is broken: "Lỗi: …; " or "Cảnh báo: …; "."""
    return fd.SEVERITY_VI[rule.severity] + ": " + rule.text + "; "


def _said_of(rule: Bound, guess: str = "") -> str:
    """The formula of `_said(rule)`, followed by the defined name `guess` (`_guesses`) where
    the rule says `DOT_GUESS` (`Bound.guess`)."""
    if not rule.guess or not guess:
        return _q(_said(rule))
    head = fd.SEVERITY_VI[rule.severity] + ": " + rule.text
    return f'{_q(head)}&{guess}&"; "'


def _guesses(wb: Workbook, sheet: str, columns: Mapping[str, str], read: Mapping[str, str]) -> dict[str, str]:
    """Number key -> the defined name saying `DOT_GUESS` of its cell (`columns`: key -> the
    input column on `sheet`) in the row that reads it ("" elsewhere): where the number typed
    (or, when its input cell holds text, the one read: its VALUE name in `read`) is what a
    PC with US settings reads from a dot-thousands entry, as `text.values.dot_thousands`
    decides: the number times 1.000 is from 1.000 to under 1.000.000 (`{plain}`, to the
    nearest whole) and whole as shown with 15 significant digits (`values.whole_number`:
    1,35*1000 is 1350.0000000000002, a whole; 1,3500000001 and 512,999999999999 are no such
    entry, brk20 P1); `{typed}` is the same with its dot ("1.350"). Its fraction is taken
    from its whole part, never as a difference of near-equal numbers, which LibreOffice
    makes 0 (rtl::math::approxSub), and it is compared as whole numbers, not as the value
    against 1, which LibreOffice compares approximately (0,999999999999999 >= 1). One name a column,
    relative to the row as the VALUE names are (`numbercells._relative`): a row's text names
    it, not its formula. INT, not ROUND or ABS: the functions every application reads
    (`tests/test_livechecks_text.py`)."""
    out: dict[str, str] = {}
    for key, column in columns.items():
        if key not in read:
            continue
        typed = f"{sheet_ref(sheet, '')}${column}1"
        x = f"IF(ISNUMBER({typed}),{typed},{read[key]})"
        whole_part = f"INT({x}*1000)"
        part = f"({x}*1000-{whole_part})"  # the fraction left, never a difference of near-equals
        plain = f"INT({x}*1000+0.5)"
        fill = {"plain": plain, "typed": f'INT({plain}/1000)&"."&RIGHT({plain},3)'}
        words = "&".join(
            expr
            for literal, name, _spec, _conv in string.Formatter().parse(DOT_GUESS)
            for expr in (_q(literal) if literal else "", fill[name] if name else "")
            if expr
        )
        near = f"5*10^(LEN({whole_part})-16)"  # half the 15th significant digit's unit
        whole = f"AND({whole_part}>=1000,{plain}<1000000,OR({part}<{near},1-{part}<{near}))"
        name = f"DoanSo_{read[key].removeprefix('So_')}"
        wb.define_name(name, f'=IF(ISNUMBER({x}),IF({whole},{words},""),"")')
        out[key] = name
    return out


def _guarded(rule: Bound, at: XlRow, numbers: set[str], expr: str | None = None) -> str:
    """The rule's expression over what the pipeline reads (`at`: each number of `numbers`
    through its VALUE cell), evaluated only where each number cell it reads was read (a
    number or a blank, no code) and no key cell it reads holds an error value; FALSE
    otherwise. The pipeline likewise skips a rule over a cell it could not read
    (`rules.schema.check`). "key_missing" counts figures with COUNT, which skips codes, so
    only its key cell is guarded."""
    fields = (rule.field,) if rule.kind == "key_missing" else tuple(dict.fromkeys(rule.fields))
    guards = [_read(at.ref(f)) if f in numbers else f"NOT(ISERROR({at.ref(f)}))" for f in fields]
    guard = guards[0] if len(guards) == 1 else f"AND({','.join(guards)})"
    return f"IF({guard},{_expr(rule, at) if expr is None else expr},FALSE)"


def _row_text(
    rules: list[Bound],
    at: XlRow,
    typed: XlRow,
    numbers: dict[str, str],
    read_as: Mapping[str, tuple[Bound, str]] | None = None,
    extra: Mapping[str, list[tuple[Bound, str]]] | None = None,
    worded: Mapping[str, list[str]] | None = None,
    prefilled: Collection[str] = (),
    guesses: Mapping[str, str] | None = None,
    cells: Mapping[str, str] | None = None,
) -> str:
    """The formula of a row's text naming each problem. Each number cell of `numbers` (key ->
    name) first: what the pipeline says of its content (`_content`; of text in a field of
    `prefilled`, which the template fills in, nothing), then its own rules
    over the value read; then each rule reading several cells, guarded (`_guarded`); then a
    key typed as a usual spelling of a listed name (`read_as`: key -> its NAME_READ_AS rule
    and the defined name of the spellings). `extra`: number key -> (rule, expression) of the
    rules on its cell without an Excel kind (`_lookalikes`); `worded`: number key -> names
    whose value is what the row says of it ("" for nothing, `_bounded`); `guesses`: number
    key -> its `_guesses` name; `cells`: number key -> the defined name that holds what the
    row says of its content and own rules (`_cell_words`), said through it. `at` reads
    numbers through their VALUE cells, `typed` their input cells."""
    own = {k: [r for r in rules if r.fields == (k,)] for k in numbers}
    parts = []
    for key, name in numbers.items():
        if cells and key in cells:
            parts.append(cells[key])
        else:
            parts += _own_words(
                own[key], at, typed, key, name, key not in prefilled, (guesses or {}).get(key, "")
            )
        parts += [f'IF({expr},{_q(_said(r))},"")' for r, expr in (extra or {}).get(key, [])]
        parts += (worded or {}).get(key, [])
    for key, found in (extra or {}).items():  # a field that is not a number (a date)
        if key not in numbers:
            parts += [f'IF({expr},{_q(_said(r))},"")' for r, expr in found]
    done = {id(r) for rs in own.values() for r in rs}
    parts += [f'IF({_guarded(r, at, set(numbers))},{_q(_said(r))},"")' for r in rules if id(r) not in done]
    for key, (rule, spellings) in (read_as or {}).items():
        expr = _guarded(rule, at, set(numbers), _read_as(at, key, spellings))
        parts.append(f'IF({expr},{_q(_said(rule))},"")')
    return "=" + ("&".join(parts) or '""')


def _own_words(
    own: list[Bound], at: XlRow, typed: XlRow, key: str, name: str, as_text: bool, guess: str
) -> list[str]:
    """What a row's text says of number cell `key` (`name` its words): its content
    (`_content`) and each of its `own` rules (over that cell alone) it breaks."""
    return [_content(at.ref(key), typed.ref(key), key, name, as_text=as_text, guess=guess)] + [
        f'IF({r.excel(at)},{_said_of(r, guess)},"")' for r in own
    ]


def _cell_words(
    wb: Workbook,
    sheet: str,
    rules: list[Bound],
    numbers: Mapping[str, str],
    columns: Mapping[str, str],
    read: Mapping[str, str],
    guesses: Mapping[str, str],
    lookalikes: Sequence[Bound] = (),
) -> dict[str, str]:
    """Number key -> the defined name holding `_own_words` of its cell (`numbers`: key ->
    its words; `columns`: key -> its input column on `sheet`; `read`: key -> its VALUE
    name), then what its `lookalikes` rules say of it (`_lookalikes`), relative to the row
    that uses it as the VALUE names are (`numbercells._relative`). A row's text names these
    instead of repeating each cell's words: written out, a district's results row is over
    5,000 characters, past what LibreOffice's .xls (BIFF8) export keeps of a formula (it
    writes NA(): #N/A in every row text and count)."""
    out: dict[str, str] = {}
    typed = XlRow(1, 1, {k: f"{sheet_ref(sheet, '')}${c}" for k, c in columns.items()}, {})
    at = ReadRow(1, 1, dict(typed.columns), {}, dict(read), {})
    looks = _lookalikes(list(lookalikes), at)
    for key, words in numbers.items():
        if key not in read:
            continue
        own = [r for r in rules if r.fields == (key,)]
        name = f"LoiSo_{read[key].removeprefix('So_')}"
        parts = _own_words(own, at, typed, key, words, True, guesses.get(key, ""))
        parts += [f'IF({expr},{_q(_said(r))},"")' for r, expr in looks.get(key, [])]
        wb.define_name(name, "=" + "&".join(parts))
        out[key] = name
    return out


def _merged(*found: Mapping[str, list[tuple[Bound, str]]]) -> dict[str, list[tuple[Bound, str]]]:
    """Key -> (rule, expression) lists of `found`, joined key by key."""
    out: dict[str, list[tuple[Bound, str]]] = {}
    for each in found:
        for key, pairs in each.items():
            out.setdefault(key, []).extend(pairs)
    return out


def _error_count(text_cell: str) -> str:
    """The number of errors a row's text names (each begins "Lỗi: "): the count and the
    text can never disagree, and no rule is written twice."""
    mark = _q(ERROR_MARK)
    return f'=(LEN({text_cell})-LEN(SUBSTITUTE({text_cell},{mark},"")))/LEN({mark})'


def _summary(
    count_ref: str, listing: str, declared: str | None, warning: tuple[str, str] | None = None
) -> str:
    """ "Đạt" (or "Đạt: …không có số liệu" when `declared`, the name TRUE where the sheet is
    marked) / "Còn N lỗi: <listing>"; then the sheet's warning where its condition holds
    (`warning`: (condition, "Cảnh báo: …; "))."""
    passed = _q(PASSED)
    if declared:
        marked = f"AND({declared},NOT({warning[0]}))" if warning else declared
        passed = f"IF({marked},{_q(PASSED + ': đã đánh dấu không có số liệu')},{passed})"
    said = f'IF({count_ref}=0,{passed},"Còn "&{count_ref}&" lỗi: "&MID({listing},3,2000))'
    if warning:
        test, text = warning
        said += f'&IF({test},{_q("; " + text.removesuffix("; "))},"")'
    return "=" + said


def _dv_rule(rules: list[Bound], at: XlRow, key: str, max_number: int) -> dict | None:
    """A warning data validation for the cell of measure `key` at the first row."""
    mine = [
        r for r in rules if key in r.fields and r.severity == fd.ERROR and r.kind in ("at_most", "at_least")
    ]
    a = at.ref(key)
    bad = [r.excel(at) for r in mine]
    valid = f"AND(ISNUMBER({a}),{a}>=0,{a}<={max_number},{a}=INT({a})"
    valid += f",NOT(OR({','.join(bad)})))" if bad else ")"
    message = f"Nhập số nguyên không âm, không có dấu phân cách {NUMBER_EXAMPLE}."
    for r in mine:
        message += f" {fd.SEVERITY_VI[r.severity]} nếu {r.text}."
    if len(valid) > 255:  # Excel's limit for a validation formula
        return None
    return {
        "validate": "custom",
        "value": "=" + valid,
        "ignore_blank": True,
        "error_type": "warning",
        "error_title": "Kiểm tra số liệu",
        "error_message": message[:MAX_DV_TEXT],
    }


def write_block_checks(
    wb: Workbook,
    ws: Worksheet,
    form: Form,
    block: Block,
    rows: list[RowSpec],
    lists: dict[str, str],
    spellings: dict[str, str],
    rd: Readers,
    st: Styles,
    lc: LayoutCells,
    totals: Sequence[SumCell] = (),
) -> SheetChecks:
    """The declaration cell, warnings at entry, colours and the "Kiểm tra" area of a block.

    `lists`: key -> the defined name of its listed names and their usual spellings (what
    the pipeline reads); `spellings`: key -> the defined name of those spellings alone;
    `rd`: where each number cell is read (`write_readers` writes those cells); `lc`: where
    the template sees the sheet renamed or its rows and columns moved (`layoutchecks.py`);
    `totals`: the sheet's total cells (row totals, then the "Tổng cộng" row's), each told
    where it does not hold what the pipeline recomputes (`_typed_over`)."""
    chk = form.block_checks(block)
    free = bool(rows) and any(kf.key not in rows[0].fixed for kf in block.key_fields)
    skip = {"own_region", *(RULES[c].kind.name for c in READ_CODES.values() if RULES[c].kind)}
    rules = [r for r in block_rules(form, block, free_keys=free) if r.kind not in skip]
    columns = {kf.key: kf.column for kf in block.key_fields}
    columns.update({m.key: block.measure_column(m.key) for m in block.measures})
    read = {m.key: rd.value(block.sheet, columns[m.key]) for m in block.measures}
    names = {
        kf.key: (
            rd.item(block.sheet, kf.column),
            rd.text(block.sheet, kf.column),
            rd.items(block.sheet, kf.column),
        )
        for kf in block.key_fields
        if free
    }
    dates = plausibility_rules(form)[1][block.key]
    bounded = _bounded(wb, form, block, dates, read, free, rd)
    guesses = _guesses(wb, block.sheet, {m.key: block.measure_column(m.key) for m in block.measures}, read)
    # the declaration, read as the pipeline reads it (`read.declare`: blank after its white
    # space is folded and trimmed, `numbercells.trimmed`); an error value is a mark
    decl = chk.declare_cell or ""
    declared = f"DanhDau_{block.key}"
    wb.define_name(declared, f'=IFERROR({trimmed(sheet_ref(block.sheet, absolute(decl)))}<>"",TRUE)')
    ws.write_string(form.checks.declare_label_cell, form.checks.declare_label, st.declare_label)
    ws.write_blank(decl, None, st.declare_input)
    ws.set_row(form.checks.declare_row - 1, 32)
    ws.data_validation(
        decl,
        {
            "validate": "list",
            "source": [form.checks.declare_mark],
            "error_type": "warning",
            "error_title": "Không có số liệu",
            "error_message": f"Chọn «{form.checks.declare_mark}» nếu đơn vị không có số liệu cho trang này.",
        },
    )
    # the per-row columns
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.set_column(cnt, cnt, 8)
    ws.set_column(txt, txt, 48)
    ws.write_string(chk.header_row - 1, cnt, "Số lỗi", st.head)
    ws.write_string(chk.header_row - 1, txt, "Kiểm tra từng dòng", st.head)
    numbers = {m.key: m.name for m in block.measures}
    read_as = {
        kf.key: (
            bind("NAME_READ_AS", kf.key, used_by="template", label=kf.label.lower(), **READ_AS_LISTED),
            spellings[kf.key],
        )
        for kf in block.key_fields
        if free and kf.key in spellings
    }
    first = rows[0].row if rows else block.first_row
    cells = _cell_words(wb, block.sheet, rules, numbers, columns, read, guesses, dates)
    over_words, typed_over, sums_typed_over = _totals_typed_over(wb, block, totals, read, rd)
    for spec in rows:
        at = ReadRow(spec.row, first, columns, lists, read, names)
        typed = XlRow(spec.row, first, columns, lists)
        text_cell = f"{chk.text_column}{spec.row}"
        looks = {k: v for k, v in _lookalikes(dates, at).items() if k not in cells}  # else in its name
        text = _row_text(rules, at, typed, numbers, read_as, looks, bounded, guesses=guesses, cells=cells)
        text = "&".join([text, *(f'IF({name},{over_words},"")' for name in typed_over.values())])
        ws.write_formula(text_cell, text, st.text, "")
        ws.write_formula(f"{chk.count_column}{spec.row}", _error_count(text_cell), st.count, 0)
    if rows:
        last = rows[-1].row
        at = ReadRow(first, first, columns, lists, read, names)
        raw = XlRow(first, first, columns, lists)
        for m in block.measures:  # what is typed: an unreadable value red, text read yellow
            col = block.measure_column(m.key)
            _colour_content(ws, f"{col}{first}:{col}{last}", at.ref(m.key), raw.ref(m.key), st)
        for key, found in _lookalikes(dates, at).items():
            rng = f"{columns[key]}{first}:{columns[key]}{last}"
            for _r, expr in found:
                ws.conditional_format(
                    rng, {"type": "formula", "criteria": "=" + expr, "format": st.warning_fill}
                )
        for r in rules:
            col = columns[r.field]
            rng = f"{col}{first}:{col}{last}"
            fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
            ws.conditional_format(
                rng, {"type": "formula", "criteria": "=" + _guarded(r, at, set(numbers)), "format": fill}
            )
        for key, (rule, names) in read_as.items():
            criteria = "=" + _guarded(rule, at, set(numbers), _read_as(at, key, names))
            rng = f"{columns[key]}{first}:{columns[key]}{last}"
            ws.conditional_format(rng, {"type": "formula", "criteria": criteria, "format": st.warning_fill})
        for m in block.measures:
            dv = _dv_rule(rules, raw, m.key, form.limits.max_number)
            if dv:
                col = block.measure_column(m.key)
                ws.data_validation(f"{col}{first}:{col}{last}", dv)
        for key, names in bounded.items():  # a ratio out of its bounds, at its cell
            rng = f"{columns[key]}{first}:{columns[key]}{last}"
            for name in names:
                criteria = f'={name}<>""'
                ws.conditional_format(
                    rng, {"type": "formula", "criteria": criteria, "format": st.warning_fill}
                )
        for col, name in typed_over.items():  # a total typed over: yellow, as the reader's warning
            criteria = f"={name}"
            ws.conditional_format(
                f"{col}{first}:{col}{last}",
                {"type": "formula", "criteria": criteria, "format": st.warning_fill},
            )
        for cell, name in sums_typed_over.items():
            criteria = f"={name}"
            ws.conditional_format(cell, {"type": "formula", "criteria": criteria, "format": st.warning_fill})
        on_totals = _on_totals(wb, form, block, first, last, rd)
        total = block.grid.total_row(len(rows))
        said_total = [f'IF({expr},{_q(_said(r))},"")' for r, expr, _c in on_totals]
        said_total += [f'IF({name},{over_words},"")' for name in sums_typed_over.values()]
        if said_total:  # the file's totals, on its "Tổng cộng" row
            ws.write_formula(f"{chk.text_column}{total}", "=" + "&".join(said_total), st.text, "")
            for r, expr, col in on_totals:
                fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
                ws.conditional_format(
                    f"{col}{total}", {"type": "formula", "criteria": "=" + expr, "format": fill}
                )
        # nothing read and nothing the pipeline reports in any number cell (text it cannot
        # read, an error value: a finding on the sheet, so not empty; spaces alone are
        # blank), and no declaration
        empty_rule = bind(
            "BLOCK_EMPTY", "has_rows", used_by="template", mark=form.checks.declare_mark, cell=decl
        )
        values = rd.values(block.sheet, [columns[m.key] for m in block.measures], first, last)
        size = len(block.measures) * (last - first + 1)  # COUNTBLANK counts a formula's "" as blank
        empty = f"AND(COUNTBLANK({values})={size},NOT({declared}))"
        # a mark on a sheet with a figure read: BLOCK_DECLARED_NOT_EMPTY, a warning
        full = bind("BLOCK_DECLARED_NOT_EMPTY", "declared", used_by="template")
        warning = (f"AND({declared},COUNT({values})>0)", _said(full))
        count = f"=SUM({chk.count_column}{first}:{chk.count_column}{last})"
        if empty_rule.severity == fd.ERROR:
            count += f"+IF({empty},1,0)"
        listing = "&".join(
            [f'IF({empty},{_q(", " + empty_rule.text)},"")']
            + [f'IF({chk.count_column}{s.row}>0,", dòng {s.row}","")' for s in rows]
        )
    else:
        count, listing, warning = "=0", '""', None
    _sheet_summary(ws, chk, count, listing, declared, st, lc, cached_errors=1, warning=warning)
    return chk


def write_info_checks(
    wb: Workbook, ws: Worksheet, form: Form, rd: Readers, st: Styles, lc: LayoutCells
) -> SheetChecks:
    """Warnings and colours for the fields of the information sheet a unit fills (required
    fields; what is typed in a number field, and its sign, as the pipeline reads it), and
    its summary. `rd`: where each number cell is read; `lc`: the layout cells."""
    chk = form.info_checks()
    numbers = {f.key: f.label for f in form.info_numbers()}
    signs = [r for r in info_rules(form, in_template=False) if r.field in numbers and r.kind == "negative"]
    rules = info_rules(form) + signs
    columns = {f.key: f.column for f in form.info_fields}
    read = {k: rd.value(chk.sheet, columns[k]) for k in numbers}
    guesses = _guesses(wb, chk.sheet, {k: columns[k] for k in numbers}, read)
    dates = plausibility_rules(form)[0]  # LOOKS_LIKE_DATE (and the like) on the counts
    unread = {key: rd.date_test(key) for key, _cell in rd.dates}  # DATE_INVALID where TRUE
    dated = _date_rules(form, rd)  # after today, before the period
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.set_column(cnt, cnt, 8)
    ws.set_column(txt, txt, 40)
    ws.write_string(chk.header_row - 1, cnt, "Số lỗi", st.head)
    ws.write_string(chk.header_row - 1, txt, "Kiểm tra", st.head)
    listing = []
    blank_errors = 0
    for f in form.info_fields:
        mine = [r for r in rules if r.field == f.key]
        if not mine and f.key not in numbers:
            continue
        # each cell read where the form puts it, as the reader reads it (brk12 B1: a cell
        # cut elsewhere, or pushed right by an inserted column, left the template "Đạt")
        at = ReadRow(f.row, f.row, columns, {}, read, fixed=True)
        typed = XlRow(f.row, f.row, columns, {}, fixed=True)
        text_cell = f"{chk.text_column}{f.row}"
        here = {f.key: numbers[f.key]} if f.key in numbers else {}
        if here:
            _colour_content(ws, f.cell, at.ref(f.key), f.cell, st, as_text=not f.prefilled)
        # what the formulas give in the blank template: every required field the unit fills is
        # missing (those the template fills in, as the unit's code, are not)
        missing = [r for r in mine if r.kind == "required" and not f.prefilled]
        blank_errors += sum(1 for r in missing if r.severity == fd.ERROR)
        cached = "".join(_said(r) for r in missing)
        looks = {k: v for k, v in _lookalikes(dates, at).items() if k in here}
        if f.key in unread:
            looks[f.key] = [(bind("DATE_INVALID", f.key, used_by="template", year=form.year), unread[f.key])]
        looks = _merged(looks, {k: v for k, v in dated.items() if k == f.key})
        text = _row_text(
            mine, at, typed, here, extra=looks, prefilled={f.key} if f.prefilled else (), guesses=guesses
        )
        ws.write_formula(text_cell, text, st.text, cached)
        for r, expr in looks.get(f.key, []):
            fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
            ws.conditional_format(f.cell, {"type": "formula", "criteria": "=" + expr, "format": fill})
            if r.severity == fd.ERROR:
                listing.append(f'IF({expr},{_q(", " + r.text)},"")')
        ws.write_formula(
            f"{chk.count_column}{f.row}", _error_count(text_cell), st.count, cached.count(ERROR_MARK)
        )
        for r in mine:
            fill = st.error_fill if r.severity == fd.ERROR else st.warning_fill
            criteria = "=" + _guarded(r, at, set(numbers))
            ws.conditional_format(f.cell, {"type": "formula", "criteria": criteria, "format": fill})
        # the summary lists the errors from its own row: each number through its VALUE cell
        # in the field's row, not through the relative name (that would read the summary's row)
        fixed = ReadRow(
            f.row,
            f.row,
            columns,
            {},
            {k: rd.value_at(chk.sheet, columns[k], f.row) for k in here},
            fixed=True,
        )
        listing += [
            f'IF({_guarded(r, fixed, set(numbers))},{_q(", " + r.text)},"")'
            for r in mine
            if r.severity == fd.ERROR
        ]
        if here:
            listing.append(_content(fixed.ref(f.key), f.cell, f.key, f.label, lead=False))
    first, last = form.info_fields[0].row, form.info_fields[-1].row
    count = f"=SUM({chk.count_column}{first}:{chk.count_column}{last})"
    _sheet_summary(ws, chk, count, "&".join(listing) or '""', None, st, lc, cached_errors=blank_errors)
    return chk


def _sheet_summary(
    ws: Worksheet,
    chk: SheetChecks,
    count: str,
    listing: str,
    declared: str | None,
    st: Styles,
    lc: LayoutCells,
    cached_errors: int,
    warning: tuple[str, str] | None = None,
) -> None:
    """The sheet's error count and summary; what makes the reader refuse the sheet for its
    layout comes first (`layoutchecks.guarded_count`, `guarded_summary`)."""
    cnt, txt = col_index(chk.count_column), col_index(chk.text_column)
    ws.write_string(0, cnt, "Kiểm tra", st.head)
    ws.write_string(0, txt, "Kết quả kiểm tra trang này (tự cập nhật khi điền)", st.head)
    ws.write_formula(chk.count_cell, guarded_count(lc, chk.sheet, count), st.count, cached_errors)
    cached = PASSED if cached_errors == 0 else f"Còn {cached_errors} lỗi"
    said = guarded_summary(lc, chk.sheet, _summary(chk.count_cell, listing, declared, warning))
    ws.write_formula(chk.summary_cell, said, st.summary, cached)


def write_overview(
    wb: Workbook,
    ws: Worksheet,
    form: Form,
    checks: list[SheetChecks],
    st: Styles,
    cached: int,
    lc: LayoutCells,
) -> None:
    """The check summary on the first sheet: the whole workbook, then each sheet. The
    errors are counted as the reader finds them: a form sheet missing stops the reading
    (one error a sheet missing), as does the information sheet's layout changed (one);
    then the first reason the file is refused for its geometry, in the reader's words.
    The count and the reason are defined names, each used twice and stored once."""
    sheet, cell = form.overview_cell()
    ws.write_string(form.checks.overview_label_cell, "KIỂM TRA TRƯỚC KHI GỬI (tự cập nhật khi điền)", st.head)
    info = checks[0].sheet
    counts = "+".join(sheet_ref(c.sheet, absolute(c.count_cell)) for c in checks)  # a name: absolute
    wb.define_name(OVERVIEW["missing"], "=" + missing_count(lc))
    missing = OVERVIEW["missing"]
    total_formula = f'IF({missing}>0,{missing},IF({lc.layout(info)}<>"",1,{counts}))'
    wb.define_name(OVERVIEW["total"], f"=IFERROR({total_formula},-1)")
    wb.define_name(OVERVIEW["refusal"], "=" + first_refusal(lc))
    unchecked = '""'
    for c in reversed(checks):  # the first sheet whose count or summary cell is gone
        own = f"OR(ISERROR({sheet_ref(c.sheet, absolute(c.count_cell))}),ISERROR({sheet_ref(c.sheet, absolute(c.summary_cell))}))"
        unchecked = f'IF(AND({lc.missing(c.sheet)}="",{own}),{_q(c.sheet)},{unchecked})'
    wb.define_name(OVERVIEW["unchecked"], "=" + unchecked)
    total, refusal, gone_checks = OVERVIEW["total"], OVERVIEW["refusal"], OVERVIEW["unchecked"]
    said = f'IF({refusal}<>"",". Tệp sẽ bị trả lại: "&{refusal},"")'
    cannot = spliced(CHECKS_GONE, sheet=gone_checks)
    formula = (
        f'=IF({total}=0,"{PASSED}: không còn lỗi",IF({total}<0,IF({refusal}<>"","Tệp sẽ bị trả lại: "&{refusal},'
        f'{cannot}),"Còn "&{total}&" lỗi; xem từng trang dưới đây"&{said}))'
    )
    ws.write_formula(cell, formula, st.summary, PASSED if cached == 0 else f"Còn {cached} lỗi")
    for i, c in enumerate(checks):
        gone = lc.missing(c.sheet)  # a sheet deleted: its summary is #REF!
        # an expression, not a bare reference: LibreOffice's IFERROR over a deleted cell gives #REF!
        own = f'IFERROR({sheet_ref(c.sheet, c.summary_cell)}&"",{_q(CHECKS_GONE_LINE)})'
        summary = f'IF({gone}<>"","Còn 1 lỗi: "&{gone},IF({missing}>0,{_q(NOT_READ_YET)},{own}))'
        ws.write_formula(
            form.checks.overview_sheet_cell(i), f"={_q(f'Trang {c.sheet}: ')}&{summary}", st.text, ""
        )
