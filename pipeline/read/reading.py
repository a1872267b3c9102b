"""One file being read: the form, what is learnt so far (`Parsed`), the workbook's cells,
and the steps every part of the reading shares (a finding, a number as the sheet shows it,
a label where the form puts it, merged input cells). `extract.py` reads the file's
template marks and information sheet, `blockread.py` each block's rows."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..form import Form, col_letter, meta_cell, norm_text
from ..form.grid import ROW_MARK_FORMULAS
from ..rules import findings as fd
from ..rules.catalogue import FORMULA_STORED, TEXT_NUMBER_ADVICE, TOTALS_NO_FORMULA, TOTALS_UNCALCULATED
from ..text.values import (
    CURRENCY_WORDS,
    LARGEST_WHOLE,
    HiddenNumber,
    ScaledShown,
    ScientificShown,
    parse_int,
    parse_text,
)
from .formats.registry import FORMATS
from .layoutdiag import (
    described,
    layout_shift,
    misplaced_row_mark,
    row_mark_message,
    row_mark_offset,
    shift_message,
)
from .parsed import Parsed
from .plan import CellSpan
from .reader import RawBook, SheetData, split_cell
from .witness import Verdict, Witnesses

_UNIT = re.compile(r"(?:" + "|".join(CURRENCY_WORDS) + r")\.?$", re.IGNORECASE)
_SEPARATOR = re.compile(r"[0-9][.,\s][0-9]")


def typed_as(text: str) -> str:
    """How a whole number read from text (`parse_int`) came to be text, a key of
    `TEXT_NUMBER_ADVICE`: "unit" ("1200000 đồng"), "other" (full-width digits, invisible
    characters), "separators" ("1.200.000", "1 200"), "spaces" (" 65 "), "zeros" ("0184"),
    else "text": digits alone, which only a cell formatted as Text or typed after an
    apostrophe keeps as text ("2025")."""
    core = text.strip()
    if _UNIT.search(core):
        return "unit"
    if any(not (ch.isascii() or ch.isspace()) for ch in core) or unicodedata.normalize("NFC", core) != core:
        return "other"
    if _SEPARATOR.search(core):
        return "separators"
    if core != text:
        return "spaces"
    if core.lstrip("+-").startswith("0") and len(core.lstrip("+-")) > 1:
        return "zeros"
    return "text"


def _stored_result(sheet: SheetData, cell: str, raw: Any) -> str:
    """What an input cell holding a formula stores as its result when it cannot be read as
    the figure, a key of `FORMULA_STORED` or "text" (a 0 standing for a text result the
    file lost: `SheetData.text_as_zero`): "none" (no result), "zero" (what a library that
    does not calculate stores: Excel and LibreOffice show the formula's figure once they
    calculate, the pipeline cannot); "" for any other cell or result. Of the cells read
    here (the information sheet's counts: no total to judge them by) a stored blank is
    read as blank, the empty text Excel and LibreOffice store for `=IF(…;"";…)`, and a
    stored 0 is judged by the template's reading cell of it (`FileReading.witnessed`); a
    biểu's rows judge a stored 0 or blank by that cell, else by the file's own totals
    (`blockread.read_block`)."""
    if raw is None and cell in sheet.formulas_without_value:
        return "none"
    if cell in sheet.text_as_zero:
        return "text"
    if (
        cell in sheet.formula_results
        and isinstance(raw, int | float)
        and not isinstance(raw, bool)
        and raw == 0
    ):
        return "zero"
    return ""


def _marks_unread(
    sheet: SheetData,
    head: tuple[str, str],
    marks: Sequence[tuple[str, str]],
    formulas: Callable[[str], bool] | None,
) -> bool:
    """Whether no data row's formula mark of `sheet` can be read, so that none is judged
    (`layoutdiag.misplaced_row_mark`'s `blind`): none holds text while the heading row's
    mark, a constant, is in place (the marks' column deleted puts other formulas there:
    brk19 F2), and each is a formula whose writer stored no text (an .xls whose every result
    is 0), or the writer kept none of the template's formulas beside them (SheetJS drops a
    formula that holds no result: the filler's report re-saved). Marks cleared by hand
    beside formulas still there are judged (brk18 F3). `formulas`: whether a cell holds a
    formula (None: the sheet holds none)."""
    if row_mark_offset(sheet.rows, *head) is None:
        return False
    if any(isinstance(sheet.get(cell), str) for cell, _t in marks):
        return False
    if formulas is None or all(formulas(cell) for cell, _t in marks):
        return True
    near = ((split_cell(cell), dc) for cell, _t in marks for dc in (-2, -1, 1, 2))
    return not any(formulas(f"{col_letter(col + dc)}{row}") for (col, row), dc in near if col + dc >= 0)


@dataclass
class FileReading:
    """The reading of one file: `form`, `p` (filled in as cells are read), `book` (cells),
    `witnesses`: the template's reading cells of the file, loaded when first asked
    (`read/witness.py`; None: no witness, a formula's stored 0 or blank judged otherwise);
    `unkept`: the (sheet, cell) of numbers refused for their size (NUMBER_TOO_LARGE, a
    negative past what a column holds) or for a format showing another number or none
    (`values.ScaledShown`, `ScientificShown`, `HiddenNumber`), which a spreadsheet's total
    may count and the reader does not: no total over them can be recomputed
    (`read/blockread.py`)."""

    form: Form
    p: Parsed
    book: RawBook
    witnesses: Witnesses | None = None
    unkept: set[tuple[str, str]] = field(default_factory=set)
    stale: list[tuple[int, str, str, str, Any]] = field(default_factory=list)
    """The totals holding the template's stored 0 of their formula while their inputs hold
    figures (`stale_total`), each with where its finding goes among `p.findings`."""
    typed: list[tuple[int, str, str, str, Any]] = field(default_factory=list)
    """The totals holding no formula that differ from the recomputed ones (`typed_total`)."""
    total_formulas: bool = False
    """Whether some total cell of the file holds a formula (`blockread.read_block`)."""
    unvouched: list[tuple[str, str, Any]] = field(default_factory=list)
    """(sheet, cell, stored result) of each formula in an input cell whose stored result was
    read as its figure: judged once the whole file is read (`said_unvouched`)."""
    stale_totals: bool = False
    """Whether a total's formula stores a result older than its inputs: it differs from the
    total recomputed from inputs that are all plain numbers (`blockread.read_block`)."""

    @cached_property
    def marked(self) -> bool:
        """Whether the file's template wrote the end marks under its columns (`grid.META_KEYS`
        "end_marks"; templates made before them have none, and are read without them)."""
        return self._meta_flag("end_marks")

    @cached_property
    def row_marked(self) -> bool:
        """Whether the file's template wrote the marks right of its rows (`grid.META_KEYS`
        "row_marks"; templates made before them have none, and are read without them)."""
        return self._meta_flag("row_marks")

    @cached_property
    def formula_marked(self) -> bool:
        """Whether the file's template wrote its data rows' marks as formulas (`grid.
        META_KEYS` "row_marks" at `grid.ROW_MARK_FORMULAS`), to be held as formulas."""
        return self._meta_number("row_marks") >= ROW_MARK_FORMULAS

    def _meta_flag(self, key: str) -> bool:
        meta = self.book.sheets.get(self.form.sheets["meta"])
        return meta is not None and bool(parse_text(meta.get(meta_cell(key))))

    def check_row_marks(
        self,
        sheet: SheetData,
        head: tuple[str, str] | None,
        marks: Sequence[tuple[str, str]],
        moved: str = "",
    ) -> bool:
        """True when every data row's mark is where the heading row's says (`layoutdiag.
        misplaced_row_mark`), or the sheet has none (`head` None) or the file's template
        wrote none (`row_marked`); else a LAYOUT_CHANGED finding at the first one's due cell,
        in words about cells of its row inserted or deleted, or a mark put back after that
        (`layoutdiag.row_mark_message`). `moved`: what the template's formula marks show
        once put back (`form.sheets.BlockSheet.mark_moved`); a file whose template wrote
        them (`grid.ROW_MARK_FORMULAS`) must also hold them as formulas."""
        if head is None or not self.row_marked:
            return True
        formulas = None
        blind = False
        if self.formula_marked and moved:
            results, unvalued = sheet.formula_results, sheet.formulas_without_value
            formulas = (lambda c: c in results or c in unvalued) if results or unvalued else None
            blind = _marks_unread(sheet, head, marks, formulas)
        zero_unread = FORMATS[self.book.format].empty_text_as_zero
        wrong = misplaced_row_mark(
            sheet.rows,
            head,
            marks,
            moved if formulas else "",
            formulas,
            sheet.formulas_without_value,
            blind,
            zero_unread,
        )
        if wrong is None:
            return True
        found = sheet.get(wrong.cell)
        self.add("LAYOUT_CHANGED", row_mark_message(wrong, fd.show(found)), sheet.name, wrong.cell, found)
        return False

    def _meta_number(self, key: str) -> int:
        """The marker sheet's number under `key` (`grid.META_KEYS`; 0 when none)."""
        meta = self.book.sheets.get(self.form.sheets["meta"])
        value = meta.get(meta_cell(key)) if meta is not None else None
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0

    def witnessed(self, sheet: SheetData, cell: str, stored: str) -> Verdict:
        """What the 0 or blank (`stored`: "zero", "text", "blank") a formula in input `cell` of
        `sheet` stores is, by the template's reading cell of it (`Witnesses.verdict`)."""
        if self.witnesses is None:
            return Verdict.UNKNOWN
        return self.witnesses.verdict(sheet.name, cell, stored)

    def stale_total(self, message: str, sheet: str, cell: str) -> None:
        """A total whose formula stores the template's 0 while its inputs hold figures, with
        its own TOTAL_MISMATCH `message`: said by `said_totals` once the whole file is
        read, alone or with the others."""
        self.stale.append((len(self.p.findings), sheet, cell, message, 0))

    def typed_total(self, message: str, sheet: str, cell: str, cached: Any) -> None:
        """A total holding no formula (`cached`) that differs from the recomputed one, with
        its own TOTAL_MISMATCH `message` (typed over): said by `said_totals` once the whole
        file is read, alone, or with the others when no total cell of the file holds a
        formula (the program that saved it dropped them)."""
        self.typed.append((len(self.p.findings), sheet, cell, message, cached))

    def said_totals(self) -> None:
        """The deferred totals' findings where they were found. The stale ones (`stale_total`):
        one total, its own TOTAL_MISMATCH; two or more, one TOTALS_UNCALCULATED at the first,
        naming them all (saved without calculating, or the formulas broken: its message says
        both). The typed ones (`typed_total`): each its own TOTAL_MISMATCH, unless two or more
        in a file whose total cells hold no formula (`total_formulas`): one
        TOTALS_NO_FORMULA (brk51 F3: SheetJS's .xls and .xlsb keep no formula)."""
        said = self._once(self.stale, "TOTALS_UNCALCULATED", TOTALS_UNCALCULATED)
        if self.total_formulas:
            said += [(at, self._finding("TOTAL_MISMATCH", m, s, c, v)) for at, s, c, m, v in self.typed]
        else:
            said += self._once(self.typed, "TOTALS_NO_FORMULA", TOTALS_NO_FORMULA)
        for (at, _i), found in sorted(((at, i), f) for i, (at, f) in enumerate(said))[::-1]:
            self.p.findings.insert(at, found)  # the last first: the earlier places hold
        self.stale.clear()
        self.typed.clear()

    def _once(
        self, totals: list[tuple[int, str, str, str, Any]], code: str, template: str
    ) -> list[tuple[int, fd.Finding]]:
        """(where it goes, finding) for `totals` (`stale`, `typed`): one total, its own
        TOTAL_MISMATCH; two or more, one `code` at the first in reading order, worded by
        `template` ({count}, {cells}), the others marked with it in the feedback workbook."""
        if not totals:
            return []
        at, sheet, cell, message, value = totals[0]
        if len(totals) == 1:
            return [(at, self._finding("TOTAL_MISMATCH", message, sheet, cell, value))]
        by_sheet: dict[str, list[str]] = {}
        for _at, s, c, _m, _v in totals:
            by_sheet.setdefault(s, []).append(c)
        for c in by_sheet.values():
            c.sort(key=lambda a1: split_cell(a1)[::-1])  # as the sheet is read: row by row
        sheet, cell = next(iter(by_sheet.items()))[0], next(iter(by_sheet.values()))[0]
        value = next(v for _at, s, c, _m, v in totals if (s, c) == (sheet, cell))
        for other, refs in by_sheet.items():  # marked in the feedback workbook too
            self.p.also_at.update(
                {(other, ref): (sheet, cell) for ref in refs if (other, ref) != (sheet, cell)}
            )
        cells = "; ".join(f"trang '{s}': {', '.join(c)}" for s, c in by_sheet.items())
        message = template.format(count=len(totals), cells=cells)
        return [(at, self._finding(code, message, sheet, cell, value))]

    def _finding(self, code: str, message: str, sheet: str, cell: str, value: Any) -> fd.Finding:
        unit = self.p.unit_code or ""
        return fd.make(code, message, file=self.p.name, unit=unit, sheet=sheet, cell=cell, value=value)

    def saved_uncalculated(self) -> bool:
        """Whether the file shows it was saved without recalculating after an input changed:
        the template's reading cells saw other figures than the inputs hold
        (`Witnesses.typed_after_calculation`), or a total's formula stores a result older
        than its inputs (`stale_totals`)."""
        if self.stale_totals:
            return True
        return self.witnesses is not None and self.witnesses.typed_after_calculation()

    def said_unvouched(self) -> None:
        """FORMULA_NO_VALUE ("stale") at each formula in an input cell whose stored result was
        read as its figure (`unvouched`), when the file was saved without recalculating after
        an input changed (`saved_uncalculated`): that result may be older than the cells the
        formula refers to, and Excel or LibreOffice show another figure (brk51 F1). A file
        recalculated after its last change keeps them as read."""
        if self.unvouched and self.saved_uncalculated():
            for sheet, cell, stored in self.unvouched:
                stored_as, otherwise = FORMULA_STORED["stale"]
                stored_as = stored_as.format(value=fd.show(stored))
                message = fd.RULES["FORMULA_NO_VALUE"].say(cell=cell, stored=stored_as, otherwise=otherwise)
                self.add("FORMULA_NO_VALUE", message, sheet, cell, stored)
        self.unvouched.clear()

    def add(self, code: str, message: str, sheet: str = "", cell: str = "", value: Any = "") -> None:
        self.p.findings.append(
            fd.make(
                code,
                message,
                file=self.p.name,
                unit=self.p.unit_code or "",
                sheet=sheet,
                cell=cell,
                value=value,
            )
        )
        if cell and fd.RULES[code].severity == fd.ERROR:
            self.p.flagged_cells.add((sheet, cell))

    def number(
        self, sheet: SheetData, cell: str, label: str, grouped: bool = True, prefilled: bool = False
    ) -> int | None:
        """Parse a count or amount; `label` names it in messages ("Số trẻ em nữ"); a number
        read is shown grouped by thousands ("1.200"), or as digits alone when not `grouped`
        (a year: "2025"). A number stored as text in a cell the template fills and locks
        (`prefilled`: the year) is read without a word: the unit did not type it and cannot
        change the cell's format."""
        raw = sheet.get(cell)
        # fast paths for the common cases: a blank cell, a whole number typed as a number;
        # an error shown in the cell wins over any number stored beside it (an .ods error
        # result stored as a float, as Excel's ODS export writes it: the application shows
        # the error, not the number); a 0 a formula stores is looked at below
        if raw is None:
            if cell not in sheet.errors and cell not in sheet.formulas_without_value:
                return None
        elif (
            raw.__class__ is float
            and raw.is_integer()
            and 0 <= raw <= self.form.limits.max_number
            and cell not in sheet.errors
            and (raw or cell not in sheet.formula_results)
        ):
            if cell in sheet.formula_results:  # a formula's stored result (`said_unvouched`)
                self.unvouched.append((sheet.name, cell, raw))
            return int(raw)
        if cell in sheet.errors:
            self.add(
                "NUMBER_INVALID",
                f"{label}: ô có lỗi {sheet.errors[cell]} (công thức tính sai hoặc dữ liệu không "
                "phải số); hãy sửa lại và gõ số",
                sheet.name,
                cell,
                sheet.errors[cell],
            )
            return None
        stored = _stored_result(sheet, cell, raw)
        if stored:
            # no total judges a count of the information sheet: its reading cell does
            verdict = self.witnessed(sheet, cell, stored)
            if verdict is Verdict.CALCULATED:
                return 0
            if verdict is not Verdict.BLANK:
                self.uncalculated(sheet, cell, stored)
            return None
        value, problem, was_text = parse_int(raw, self.form.limits.max_number, sheet.day_zero)
        # a negative number is the form's rule's to word, but one no figures' column holds
        # (brk20 P6: `check` stopped with an OverflowError), which is told here and not kept
        past = value is not None and value < -LARGEST_WHOLE
        if problem and (problem[0] != "NUMBER_NEGATIVE" or past):
            self.add(problem[0], f"{label}: '{fd.show(raw)}' {problem[1]}", sheet.name, cell, raw)
            if (
                past
                or problem[0] == "NUMBER_TOO_LARGE"
                or isinstance(raw, ScaledShown | ScientificShown | HiddenNumber)
            ):
                self.unkept.add((sheet.name, cell))
            return None
        if was_text and problem is None and value is not None and not prefilled:
            number = fd.show(value) if grouped else str(value)
            how = "formula" if cell in sheet.formula_results else typed_as(str(raw))  # brk39 F8
            advice = TEXT_NUMBER_ADVICE[how].format(digits=value)
            message = fd.RULES["NUMBER_FROM_TEXT"].say(value=fd.show(raw), number=number, advice=advice)
            self.add("NUMBER_FROM_TEXT", message, sheet.name, cell, raw)
        if value is not None and cell in sheet.formula_results:  # a formula's stored result
            self.unvouched.append((sheet.name, cell, raw))
        return value

    def uncalculated(self, sheet: SheetData, cell: str, stored: str, what: str = "số") -> None:
        """FORMULA_NO_VALUE at an input cell whose formula stores what `stored` names (a key
        of `FORMULA_STORED`: "none", "zero", "blank") as a result never calculated;
        FORMULA_TEXT_LOST for "text", a 0 standing for a text result (`SheetData.text_as_zero`),
        asking for `what` ("số", "ngày", "nội dung") to be typed instead."""
        if stored == "text":
            message = fd.RULES["FORMULA_TEXT_LOST"].say(cell=cell, what=what)
            self.add("FORMULA_TEXT_LOST", message, sheet.name, cell, "")
            return
        stored_as, otherwise = FORMULA_STORED[stored]
        message = fd.RULES["FORMULA_NO_VALUE"].say(cell=cell, stored=stored_as, otherwise=otherwise)
        self.add("FORMULA_NO_VALUE", message, sheet.name, cell, 0 if stored == "zero" else "")

    def check_label(
        self,
        sheet: SheetData,
        cell: str,
        expected: str,
        labels: list[tuple[str, str]] | None = None,
        ends: Collection[tuple[str, str]] = (),
    ) -> bool:
        """True when `cell` holds `expected`; else a LAYOUT_CHANGED finding that says what moved.

        `labels` are all the (cell, label) pairs of this part of the sheet: their common shift
        tells inserted or deleted rows and columns apart from an edited label. With a shift,
        the finding is at the first misplaced label found moved by it (`layoutdiag.described`):
        the first one's own row may be the one deleted. `ends`, the (cell, label) of the
        columns' end marks among them: a shift of rows said of one is cells of its column
        inserted or deleted (`layoutdiag.layout_shift`, `layoutdiag.shift_message`)."""
        found = sheet.get(cell)
        if isinstance(found, str) and norm_text(found) == norm_text(expected):
            return True  # the common case, without the full text clean-up
        if norm_text(parse_text(found)) == norm_text(expected):
            return True
        labels = labels or [(cell, expected)]
        shift = layout_shift(sheet.rows, labels, ends)
        if shift is not None:  # said of a label really found moved by it
            cell, expected = described(sheet.rows, labels, labels.index((cell, expected)), shift)
            found = sheet.get(cell)
        message = shift_message(cell, expected, fd.show(found), shift, (cell, expected) in ends)
        self.add("LAYOUT_CHANGED", message, sheet.name, cell, found)
        return False

    def merged_over(self, sheet: SheetData, span: CellSpan) -> bool:
        """True when merged ranges cover input cells of `span`: one MERGED_INPUT finding for
        each such range (all of them, so that the unit unmerges every one at once)."""
        if not sheet.merged or not span.targets:
            return False
        if all(r1 < span.low or r0 > span.high for (r0, _c0), (r1, _c1) in sheet.merged):
            return False  # no merged range reaches the rows of the input cells
        found = False
        for (r0, c0), (r1, c1) in sorted(sheet.merged):
            if r1 < span.low or r0 > span.high:
                continue
            if any(r0 <= r <= r1 and c0 <= c <= c1 for r, c in span.targets):
                top = f"{col_letter(c0)}{r0 + 1}"
                bottom = f"{col_letter(c1)}{r1 + 1}"
                self.add(
                    "MERGED_INPUT",
                    f"các ô {top}:{bottom} bị gộp, che mất ô nhập liệu; hãy bỏ gộp ô và điền lại",
                    sheet.name,
                    top,
                )
                found = True
        return found
