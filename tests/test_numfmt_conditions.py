"""Issue #25 item 3: the section LibreOffice shows a number with, for every number format with
conditions (`numfmt.section_for`), as its source reads them (svl/source/numbers/zformat.cxx:
the SvNumberformat constructor sets eOp1/fLimit1 and eOp2/fLimit2, GetSubformatIndex picks).

Before, codes of three sections with conditions (`[=0]dd/mm/yyyy;0;0`) and conditions without
their number (`[>]0;dd/mm/yyyy`) were decided by the code alone: a count of 5 under
`[=0]dd/mm/yyyy;0;0` was a date, refused, where LibreOffice shows 5. Each case here is also
shown by LibreOffice itself in tests/test_number_formats_lo.py (`CONDITION_CODES`).
"""

from __future__ import annotations

import pytest

from pipeline.read.formats.numfmt import (
    ByValue,
    section_for,
    section_types,
    shows_date,
    shows_date_at,
    shows_date_by_value,
)

# (code, {number: the section LibreOffice picks})
PICKS = [
    # three sections, conditions on the first and second: the third takes the rest
    ("[>=1000]#,##0;[<0]dd/mm/yyyy;0", {-7: 1, 0: 2, 999: 2, 1000: 0, 1001: 0}),
    ("[<10]0;[>100]dd/mm/yyyy;#,##0", {-7: 0, 9: 0, 10: 2, 100: 2, 101: 1}),
    # a condition on the first only: none on the second is "< 0"
    ("[=0]dd/mm/yyyy;0;0", {-7: 1, -1: 1, 0: 0, 1: 2, 5: 2}),
    ("[<0]0;dd/mm/yyyy;0", {-7: 0, 0: 2, 5: 2}),
    # a condition without its number is 0; with a text that is no number, too
    ("[>]0;dd/mm/yyyy", {-7: 1, -1: 1, 0: 0, 1: 0}),  # "> 0" on the first of two is ">= 0"
    ("[>]dd/mm/yyyy;0", {-7: 1, 0: 0, 5: 0}),
    ("[<=]dd/mm/yyyy;0", {-7: 0, 0: 0, 1: 1}),
    ("[>abc]dd/mm/yyyy;0", {-7: 1, 0: 0}),
    ("[>0]dd/mm/yyyy;0", {-1: 1, 0: 0, 1: 0}),
    ("[>1,000]dd/mm/yyyy;0", {1000: 1, 1001: 0}),
    ("[>1e2]dd/mm/yyyy;0", {100: 1, 101: 0}),
    # one section with a condition: the numbers it refuses are General (a second section)
    ("[>=100]dd/mm/yyyy", {-7: 1, 99: 1, 100: 0}),
    ("[>0]dd/mm/yyyy", {-1: 1, 0: 0}),
    # a text section last drops the condition before it
    ("[>=100]dd/mm/yyyy;@", {-7: 0, 0: 0, 99: 0, 100: 0}),
    ("dd/mm/yyyy;@", {-7: 0, 0: 0}),
    ("dd/mm/yyyy;0;@", {-7: 1, 0: 0, 5: 0}),
    ("[>=100]dd/mm/yyyy;[<0]0;@", {-7: 1, 0: 1, 100: 0}),
    ("[>0]dd/mm/yyyy;[<-5]0;@", {-7: 1, 0: 1, 1: 0}),  # the second's limit, kept, is not 0
    ("[>=100]0;dd/mm/yyyy;@", {-7: 1, 0: 1, 100: 0}),
    ("[>=0]mm:ss;@;", {-7: 0, 0: 0}),  # a ';' ending the code after the text adds nothing
    # four sections: the conditions of the first and second, "< 0" when the second has none
    ("[>=100]dd/mm/yyyy;0;0;@", {-7: 1, 0: 2, 99: 2, 100: 0}),
    # a text section not last drops nothing; a fifth section is not read
    ("dd/mm/yyyy;0;@;;0", {-7: 1, 0: 2, 5: 0}),
    ("0;dd/mm/yyyy;0;@;[>5]0 hs", {-7: 1, 0: 2, 5: 0}),
    # on the second section, the last condition counts
    ("[>5]0;[<0][<-5]dd/mm/yyyy;0", {-7: 1, -5: 2, 0: 2, 6: 0}),
    # a ';' escaped, or the character of a '_' (a width) or '*' (a fill), splits no section
    ("0\\;0;dd/mm/yyyy", {-7: 1, 0: 0, 5: 0}),
    ("0_;;dd/mm/yyyy", {-7: 1, 0: 0}),
    ("0*;;dd/mm/yyyy", {-7: 1, 0: 0}),
]


@pytest.mark.parametrize(("code", "picks"), PICKS, ids=[c for c, _ in PICKS])
def test_the_section_is_the_one_libreoffice_picks(code: str, picks: dict[int, int]) -> None:
    assert {number: section_for(code, number) for number in picks} == picks


# codes LibreOffice refuses for their conditions (shown as General, never a date)
MISPLACED = [
    "0;[<0]dd/mm/yyyy",  # on the second section only
    "[>=100]0;[<0]0;[=5]dd/mm/yyyy",  # on the third
    "[>=100]dd/mm/yyyy;0;0;[=5]@",  # on the fourth
    "[>0][<5]dd/mm/yyyy;0",  # two on the first
    "[=>5]dd/mm/yyyy;0",  # operators LibreOffice does not know
    "[==5]0;dd/mm/yyyy",
    "[>>5]0;dd/mm/yyyy",
]


@pytest.mark.parametrize("code", MISPLACED)
def test_conditions_where_libreoffice_takes_none_refuse_the_code(code: str) -> None:
    assert section_types(code) is None
    assert not shows_date(code) and not shows_date_by_value(code)
    assert not any(shows_date_at(code, n) for n in (-7, 0, 5, 100))


def test_a_number_the_module_does_not_read_leaves_the_code_to_decide() -> None:
    """A condition's number with digits but not plain (`(5)`, `5%`, which LibreOffice reads
    as -5 and as 0): the picking is not followed, the code decides (it shows dates)."""
    for code in ("[>(5)]dd/mm/yyyy;0", "[>5%]dd/mm/yyyy;0"):
        assert section_for(code, 0) is None
        assert shows_date_at(code, -7) and not shows_date_by_value(code)


def test_what_a_number_under_such_a_format_shows() -> None:
    """A format showing a date for some numbers only: decided number by number."""
    assert shows_date_by_value("[=0]dd/mm/yyyy;0;0")
    assert ByValue("[=0]dd/mm/yyyy;0;0").shows(0) == "date"
    assert ByValue("[=0]dd/mm/yyyy;0;0").shows(5) == "number"
    assert shows_date_by_value("[>=100]dd/mm/yyyy")
    assert [ByValue("[>]dd/mm/yyyy;0").shows(n) for n in (-1, 0)] == ["number", "date"]
    # a date for every number: a date format, not one decided number by number
    assert shows_date("dd/mm/yyyy;@") and not shows_date_by_value("dd/mm/yyyy;@")
    assert not shows_date_by_value("[>=100]dd/mm/yyyy;@")
