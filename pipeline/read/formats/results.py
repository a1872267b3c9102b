"""Formula results an .xlsx writer did not calculate, and the sheet parts without them.

A workbook whose calculation properties set `fullCalcOnLoad` tells the application to
calculate every formula when it opens the file (ECMA-376 Part 1 §18.2.2, calcPr). The
libraries that set it mostly do not calculate: XlsxWriter stores 0 as every formula's
result and sets the flag so that the application calculates them (its documentation,
`write_formula`, "Formula Results"; libxlsxwriter's FAQ, "Why do my formulas show a zero
result in some, non-Excel applications?"); openpyxl stores none and sets it too; .NET and
Java libraries do either. Excel shows the calculated figures; python-calamine gives the
stored ones, and LibreOffice, by default, shows them as well.

So where the flag is set and every formula result stored in the form's sheets is a plain 0
(`calculated` finds none other), those results were not calculated: the sheets are read as
if their formulas stored none (`without_results`), as they are when openpyxl wrote the
file. The pipeline then recomputes the template's totals from the inputs, as it always
does, with no "total in the file differs" warning row by row for figures Excel would show
right; and a formula typed in an input cell is a formula without a value at its cell (the
unit is told to open the file in Excel and save it, or to type the number), never its
stored 0 read as the figure. A file with any other stored result (a number, text, an error
value: a writer that calculated, or kept an application's results) is read as stored, and
so is every file without the flag (LibreOffice, Gnumeric and SheetJS write none); there, a
formula in an input cell storing 0 or blank, as a library editing a calculated file stores
it, is no figure all the same (`read/reading.py` `_stored_result`, in every format).

The binary formats are read alike (`facts_without_results`). An .xls file whose formulas
were never calculated (`biff.uncalculated`: every result 0 or empty text, and no RecalcId
record or a sheet marked Uncalced; Apache POI's HSSF, xlwt, Aspose.Cells) is read by the
project's own BIFF reader with its formula cells blank. An .xlsb file whose BrtCalcProp
sets fFullCalcOnLoad and whose formulas store no result but 0 or empty text
(`xlsb.calc_on_load`, `xlsb.formulas_calculated`; Aspose.Cells) is given to the value
reader with its formula records made blank cells (`xlsb.formulas_without_results`). Both
store an empty text result where the .xlsx store none, so empty text counts as no result
there (in an .xlsx, `t="str"` with an empty value is a result a writer chose to store).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from ...form import col_letter
from ..cellfacts import SheetFacts, local_attr, namespace, parse_xml

_FLAG = b"fullCalcOnLoad"


@lru_cache(maxsize=64)
def recalc_on_load(workbook: bytes) -> bool:
    """Whether a workbook part (its XML) sets calcPr's fullCalcOnLoad ("1" or "true",
    xsd:boolean). Kept: the files made from one template share their workbook part. Raises
    as `cellfacts.parse_xml`."""
    if _FLAG not in workbook:
        return False
    root = parse_xml(workbook)
    calc = root.find(f"{{{namespace(root)}}}calcPr")
    return calc is not None and local_attr(calc, "fullCalcOnLoad").strip() in ("1", "true")


def _formula_cells(xml: bytes) -> tuple[etree._Element, str, str, Iterator[etree._Element]]:
    """A sheet part's root, its <v> and <is> tags, and its cells holding a formula, in
    order. Raises as `cellfacts.parse_xml`."""
    root = parse_xml(xml)
    ns = namespace(root)
    c, f, v, inline = (f"{{{ns}}}{local}" for local in ("c", "f", "v", "is"))
    return root, v, inline, (cell for cell in root.iter(c) if cell.find(f) is not None)


def calculated(xml: bytes) -> bool:
    """Whether a sheet part holds a formula whose stored result is anything but a plain
    numeric 0 (a number, text, inline text, a boolean, an error value): the mark of a
    writer that calculated. Raises as `cellfacts.parse_xml`."""
    _, v, inline, cells = _formula_cells(xml)
    for cell in cells:
        if cell.find(inline) is not None or cell.get("t", "n") not in ("n", ""):
            return True
        value = cell.find(v)
        text = (value.text or "").strip() if value is not None else ""
        try:
            if text and float(text) != 0:
                return True
        except ValueError:
            return True  # not a number in a number cell: stored by someone
    return False


def without_results(xml: bytes) -> bytes:
    """A sheet part whose formula cells keep their formula and lose their stored result:
    the value (<v>), inline text (<is>) and the type saying what the value was (t="e",
    "str", "b", "n"), so that every reader takes them for formulas without a value. Other
    cells are kept as they are. Raises as `cellfacts.parse_xml`."""
    root, v, inline, cells = _formula_cells(xml)
    for cell in cells:
        for result in [child for child in cell if child.tag in (v, inline)]:
            cell.remove(result)
        cell.attrib.pop("t", None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def facts_without_results(facts: SheetFacts) -> None:
    """A sheet's facts (in place) as if its formulas stored no result, as `without_results`
    gives an .xlsx part: every formula cell (`SheetFacts.results`) becomes a formula without
    a value (`no_value`), and what its stored result put in the facts goes: its error value,
    its number as its format shows it (`numbers`), its value from the format's own walk
    (`cells`, .xlsb)."""
    for a1 in facts.results:
        facts.errors.pop(a1, None)
        facts.numbers.pop(a1, None)
    if facts.cells:
        for at in [at for at in facts.cells if f"{col_letter(at[1])}{at[0] + 1}" in facts.results]:
            del facts.cells[at]
    facts.no_value |= facts.results
    facts.results = set()
