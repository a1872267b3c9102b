"""Whether a BIFF8 formula may give text: its parsed tokens (Ptg, [MS-XLS] 2.5.198), walked
without evaluating anything.

LibreOffice saves a formula whose result is text in a cell formatted as a number (`="272"`,
`=SUBSTITUTE(…)`, `=TEXT(DATE(…);"dd/mm/yyyy")`) into an .xls as the number 0, with no
String record (brk33 F1): the file keeps no trace of what the cell shows, and a total
that skips text agrees with the 0. A 0 such a formula stores cannot be read as a figure
(`biff.biff_facts`, `SheetFacts.text_as_zero`); one of a formula of numbers alone can.
"""

from __future__ import annotations

import struct

# Ptg ids (the token's first byte; for 0x20 and above, the low five bits name the token and
# the two above its class): the size of what follows each one in the formula ([MS-XLS]
# 2.5.198.x), for those of a fixed size
_FIXED = {
    0x01: 4,  # PtgExp: the cell holding a shared or array formula (row, column)
    0x02: 4,  # PtgTbl
    **dict.fromkeys(range(0x03, 0x17), 0),  # operators, PtgParen, PtgMissArg
    0x1C: 1,  # PtgErr
    0x1D: 1,  # PtgBool
    0x1E: 2,  # PtgInt
    0x1F: 8,  # PtgNum
}
_CLASSED = {  # by the low five bits of a token of 0x20 and above
    0x00: 7,  # PtgArray (its values follow the formula, in RgbExtra)
    0x01: 2,  # PtgFunc: iftab
    0x02: 3,  # PtgFuncVar: cparams, tab
    0x03: 4,  # PtgName
    0x04: 4,  # PtgRef
    0x05: 8,  # PtgArea
    0x06: 6,  # PtgMemArea
    0x07: 6,  # PtgMemErr
    0x08: 6,  # PtgMemNoMem
    0x09: 2,  # PtgMemFunc
    0x0A: 4,  # PtgRefErr
    0x0B: 8,  # PtgAreaErr
    0x0C: 4,  # PtgRefN
    0x0D: 8,  # PtgAreaN
    0x19: 6,  # PtgNameX
    0x1A: 6,  # PtgRef3d
    0x1B: 10,  # PtgArea3d
    0x1C: 6,  # PtgRefErr3d
    0x1D: 10,  # PtgAreaErr3d
}
_CONCAT, _STR, _ATTR = 0x08, 0x17, 0x19
_FUNC, _FUNC_VAR, _NAME, _NAME_X = 0x01, 0x02, 0x03, 0x19
_ATTR_CHOOSE = 0x04  # PtgAttrChoose: a jump table of (wData + 1) offsets follows

# built-in functions ([MS-XLS] 2.5.198.17 Ftab) whose result is text, or may be (a value
# looked up or chosen from cells); 255: a function named by the token before it (an add-in,
# or a newer function such as CONCAT or TEXTJOIN)
MAY_GIVE_TEXT = frozenset(
    {
        13,  # DOLLAR
        14,  # FIXED
        28,  # LOOKUP
        29,  # INDEX
        30,  # REPT
        31,  # MID
        48,  # TEXT
        78,  # OFFSET
        100,  # CHOOSE
        101,  # HLOOKUP
        102,  # VLOOKUP
        111,  # CHAR
        112,  # LOWER
        113,  # UPPER
        114,  # PROPER
        115,  # LEFT
        116,  # RIGHT
        118,  # TRIM
        119,  # REPLACE
        120,  # SUBSTITUTE
        125,  # CELL
        130,  # T
        148,  # INDIRECT
        162,  # CLEAN
        204,  # USDOLLAR
        207,  # REPLACEB
        208,  # LEFTB
        209,  # RIGHTB
        210,  # MIDB
        214,  # ASC
        215,  # DBCS
        219,  # ADDRESS
        244,  # INFO
        255,  # a named function
        336,  # CONCATENATE
        354,  # ROMAN
        359,  # HYPERLINK
        360,  # PHONETIC
        368,  # BAHTTEXT
    }
)


def may_give_text(rgce: bytes) -> bool:
    """Whether the formula tokens `rgce` (a Formula's, SharedFormula's or Array's
    CellParsedFormula) may give text: a string that is not empty, the & operator, or a
    function of `MAY_GIVE_TEXT`, a defined name (the template's reading cells use
    names whose formulas give text). The empty string of `=IF(D8=0;"";D8)` gives no figure to
    lose. A token this walk does not know (PtgExp of a shared formula is resolved by the
    caller), or one cut short, may: the formula is not vouched for."""
    pos, size = 0, len(rgce)
    while pos < size:
        ptg = rgce[pos]
        pos += 1
        if ptg == _STR:
            if pos + 2 > size:
                return True
            if rgce[pos]:  # its length in characters
                return True
            pos += 2
        elif ptg == _CONCAT:
            return True
        elif ptg == _ATTR:
            if pos + 3 > size:
                return True
            grbit, data = rgce[pos], struct.unpack_from("<H", rgce, pos + 1)[0]
            pos += 3 + ((data + 1) * 2 if grbit & _ATTR_CHOOSE else 0)
        elif ptg in _FIXED:
            pos += _FIXED[ptg]
        elif ptg >= 0x20 and (ptg & 0x1F) in _CLASSED:
            base = ptg & 0x1F
            if base in (_NAME, _NAME_X):  # a defined name's formula, not looked into
                return True
            if base in (_FUNC, _FUNC_VAR):
                at = pos + (1 if base == _FUNC_VAR else 0)
                if at + 2 > size or struct.unpack_from("<H", rgce, at)[0] & 0x7FFF in MAY_GIVE_TEXT:
                    return True
            pos += _CLASSED[base]
        else:
            return True
    return pos > size


def lone_reference(rgce: bytes) -> tuple[int, int] | None:
    """(row, column), 0-based, of the cell of this sheet that formula `rgce` only refers to
    (`=B5`, `=(B5)`: a PtgRef, [MS-XLS] 2.5.198.84, with PtgParen around it), whose result
    is that cell's value: text when it holds text, stored as 0 like any text result (brk33,
    the plain reference `may_give_text` cannot see); None for any other formula."""
    body = rgce.rstrip(b"\x15")  # PtgParen after the operand: =(B5), =((B5))
    if len(body) == 5 and body[0] >= 0x20 and body[0] & 0x1F == 0x04:
        row, col = struct.unpack_from("<HH", body, 1)
        return row, col & 0x3FFF
    return None


def lone_sheet_reference(rgce: bytes) -> tuple[int, int, int] | None:
    """(XTI index, row, column), 0-based, of the cell of another sheet (or of this one named
    with its sheet) that formula `rgce` only refers to (`=Sheet2!B5`, `=(Sheet2!B5)`: a
    PtgRef3d, [MS-XLS] 2.5.198.85, ixti then the cell, with PtgParen around it); the XTI
    index finds the sheet in the workbook's ExternSheet (2.4.105). None for any other
    formula."""
    body = rgce.rstrip(b"\x15")
    if len(body) == 7 and body[0] >= 0x20 and body[0] & 0x1F == 0x1A:
        ixti, row, col = struct.unpack_from("<HHH", body, 1)
        return ixti, row, col & 0x3FFF
    return None


def shared_anchor(rgce: bytes) -> tuple[int, int] | None:
    """(row, column), 0-based, of the cell whose shared or array formula `rgce` uses, when
    `rgce` is that reference alone (PtgExp, [MS-XLS] 2.5.198.58); None otherwise."""
    if len(rgce) == 5 and rgce[0] == 0x01:
        row, col = struct.unpack_from("<HH", rgce, 1)
        return row, col
    return None
