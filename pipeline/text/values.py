"""Reading cell values as offices type them: numbers as text, dates as text, odd spaces.

Each parser returns (value, problem). `problem` is None when the value is clean, or a
(rule code, Vietnamese explanation) pair; the caller turns it into a located finding.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Problem = tuple[str, str] | None

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]+")
_PLAIN_INT = re.compile(r"^[+-]?[0-9]+$")
# thousands groups: the first group has 1-3 digits and no leading zero ("0.500" is a decimal)
_DOT_GROUPS = re.compile(r"^[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+$")
_COMMA_GROUPS = re.compile(r"^[+-]?[1-9][0-9]{0,2}(,[0-9]{3}){2,}$")
_SPACE_GROUPS = re.compile(r"^[+-]?[1-9][0-9]{0,2}( [0-9]{3})+$")
# full-width forms (U+FF01-FF5E) fold to ASCII; nothing else is folded (no superscripts)
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
# after a number typed as text, with an optional "."; "₫" (U+20AB) is the dong sign of
# Windows' Vietnamese currency format, typed or pasted after the amount (brk13)
CURRENCY_WORDS = ("đồng", "đ", "vnđ", "vnd", "₫")
_CURRENCY = re.compile(r"\s*(" + "|".join(CURRENCY_WORDS) + r")\.?$", re.IGNORECASE)
_DATE_TEXT = re.compile(r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})$")
# ISO 8601 as writers store a date cell (.xlsx t="d", ECMA-376 §18.17.4): a time may follow,
# and a zone after it ("Z", "+07:00": SheetJS writes toISOString()'s); the moment is read as
# LibreOffice reads it, in UTC (`iso_moment`)
# (LibreOffice reads a lower-case "t" too; ODF's date-value is the same xsd:dateTime)
_ISO_DATE = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(?:[Zz]|([+-])([0-9]{2})(?::?([0-9]{2}))?)?)?$"
)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of the 1900 date system (ECMA-376 Part 1, §18.17.4.1)
DAY_ZERO = dt.datetime(1899, 12, 30)  # the same, as a moment: ODF's default table:null-date too
DAY_ZERO_1904 = dt.datetime(1904, 1, 1)  # day 0 of the 1904 date system (§18.17.4.1)
DAYS_1900_TO_1904 = (DAY_ZERO_1904 - DAY_ZERO).days  # 1462
# the first serial no date shows: 1/1/10000 (Excel shows ####, LibreOffice ###): a number from it
# on under a date format is read as no date (`numfmt`, `UnshownDate`), by the template too
FIRST_UNSHOWN_SERIAL = 2_958_466
DATE_SERIALS = (20000, 80000)  # a date cell's number read as a date: strictly between (1954-2119)


NUMBER_EXAMPLE = (
    "(ví dụ gõ 25 hay 1200000, không gõ «25 người» hay «1.200.000 đồng»; không có số liệu thì để trống ô)"
)
"""How a count or an amount is typed: its digits alone, the unit's word left out (brk31 F6:
"ví dụ 25 người" read as what to type), and nothing typed where there is no figure (brk48
F2: "-" or "không có số liệu" typed for none was told to type a number it does not have).
Said by the reader, the rules' texts and the template's checks and validation alike."""


def iso_moment(text: str) -> dt.date | dt.datetime | None:
    """The date (a day alone) or naive datetime an ISO 8601 text names, as LibreOffice reads
    it: a zone after the time is taken to UTC ("2025-12-26T00:00:00+07:00" is 25/12/2025
    17:00, 46016.708 days; "Z" changes nothing, and SheetJS writes every date so:
    toISOString()); digits past the microsecond are dropped. None when the text is not such
    a date, or names no day of the calendar ("2025-02-30"). Read so: a date typed as ISO
    text (`parse_date`), an .ods office:date-value (ODF 1.2 Part 1 §19.369, an xsd:dateTime;
    `formats/ods.py`) and an .xlsx cell of type d (ECMA-376 Part 1 §18.17.4.1;
    `formats/xlsx.py` `iso_serial`)."""
    m = _ISO_DATE.match(text.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, zone_h, zone_m = m.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    except ValueError:
        return None
    if sign:  # local time at that offset: UTC is that much earlier (east) or later (west)
        offset = dt.timedelta(hours=int(zone_h), minutes=int(zone_m or 0))
        moment = moment - offset if sign == "+" else moment + offset
    return moment


class UnshownDate(str):
    """A number under a date or time format that no date shows: beyond the year 9999, or a
    date or time the file leaves out or spells past reading (Excel shows ####, LibreOffice
    ###, Gnumeric #NUM!). The text is what a message shows: the number when it is known."""


class UnreadDate(UnshownDate):
    """A date or time a file spells past reading ("2025-02-30", "2025-11", "2025-11-21T"):
    it stands for a date, but for no day a calendar has. The text is the value as the file
    holds it."""


class UnreadNumber(str):
    """A number a file stores in a form no number is written in (an .ods office:value
    "140068000,0", "140,068,000", "140_068_000": not an xsd:double, ODF 1.2 Part 1 §19.386),
    which applications read each their own way (LibreOffice: 140068000, 140, 140). The text
    is the value as the file holds it."""


class ShownOtherwise(float):
    """A number in a cell whose format shows another number than the one stored (a
    percentage, `PercentShown`; a display factor or digits written by the format,
    `ScaledShown`): no count or amount is read from it. Its value is the number stored."""


class PercentShown(ShownOtherwise):
    """A number in a cell whose format shows it as a percentage (`#,##0%`, an .ods cell of
    value type percentage): the sheet shows 100 times it with "%" (2326560 as
    "232.656.000%"), which no count or amount is. Excel's automatic percent entry stores
    232656000 typed into such a cell as 2326560 (brk13). Its value is the number stored."""


class ScaledShown(ShownOtherwise):
    """A number in a cell whose format shows another number: a display factor (`#,##0,`
    shows 140068000 as "140.068", ECMA-376 Part 1 §18.8.31; ODF number:display-factor)
    or digits written by the format itself next to the number's (`#,##0".000"` shows a
    typed 140068 as "140.068.000"; brk22 F4). `shown`: the text the sheet shows, as a
    Vietnamese sheet spells it; `factor`: what the number is divided by (1 for none);
    `written`: the format's own digits next to the number ("" for none). `shown` is ""
    where the format writes digits between the number's (`0"0"0`), whose text is not
    composed here. `named`: a multiple of the unit the format's text beside the number
    names ("nghìn", "triệu", "k"), or "%" written as text (`numfmt.named_multiple`; brk31
    F3, F4), "" for none."""

    shown: str
    factor: int
    written: str
    named: str

    def __new__(
        cls, number: float, shown: str, factor: int = 1, written: str = "", named: str = ""
    ) -> ScaledShown:
        self = super().__new__(cls, number)
        self.shown, self.factor, self.written, self.named = shown, factor, written, named
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # kept across the reading workers' pickling
        return (ScaledShown, (float(self), self.shown, self.factor, self.written, self.named))


class ScientificShown(ShownOtherwise):
    """A number in a cell whose format shows it in scientific notation with fewer
    significant digits than it has (`0E+0` shows 87381000 as "9E+7"; brk31 F1). Its value
    is the number stored."""


def _shown_scientific(value: ScientificShown) -> str:
    """The message for a count or amount cell shown in scientific notation, digits cut."""
    return (
        "hiện dưới dạng số mũ (ví dụ 9E+7) vì ô được định dạng kiểu Khoa học, nên không hiện đủ các chữ "
        f"số của số trong ô ({show(float(value))}); hãy đổi định dạng ô sang Số (Định dạng ô → Số) "
        "rồi gõ lại đủ số"
    )


class HiddenNumber(ShownOtherwise):
    """A number in a cell whose format shows no digit of it (`;;;`, a section of text
    only; brk31 F2): the sheet shows the cell blank, or the format's text, while its totals
    count the number. Its value is the number stored."""


def _hidden(value: HiddenNumber) -> str:
    """The message for a count or amount cell whose format shows no digit of its number."""
    return (
        f"có số {show(float(value))} nhưng không hiện ra trên trang tính vì định dạng của ô không hiện số "
        "(ví dụ định dạng ;;;); hãy đổi định dạng ô sang Số (Định dạng ô → Số) rồi kiểm tra lại số"
    )


def _shown_scaled(value: ScaledShown) -> str:
    """The message for a count or amount cell whose format shows another number."""
    if value.factor >= _SAID_AS_THOUSANDS:  # 1.000 written a dozen times over says nothing
        why = f"định dạng của ô chia số cho 1.000 liền {round(math.log10(value.factor) / 3)} lần khi hiện"
    elif value.factor != 1:
        why = f"định dạng của ô chia số cho {show(value.factor)} khi hiện"
    elif value.named == "%":
        why = "định dạng của ô tự viết thêm dấu '%' cạnh số, nên số hiện ra như một tỷ lệ phần trăm"
    elif value.named:
        why = (
            f"định dạng của ô tự viết thêm chữ '{value.named}' cạnh số, nên số hiện ra được hiểu là "
            f"tính theo {value.named}, trong khi chương trình đọc số trong ô theo đơn vị của cột"
        )
    elif not any(ch.isdigit() for ch in value.written):  # a separator written between them
        why = f"định dạng của ô tự viết thêm dấu '{value.written}' vào giữa các chữ số của số"
    elif not value.shown:  # digits written between the number's
        why = f"định dạng của ô tự viết thêm chữ số '{value.written}' vào giữa các chữ số của số"
    else:
        why = f"định dạng của ô tự viết thêm '{value.written}' cạnh số"
    shown = f"hiện thành '{value.shown}'" if value.shown else "hiện thành một số khác"
    return (
        f"{shown} vì {why} (số thật trong ô là {show(float(value))}); "
        "hãy đổi định dạng ô sang Số (Định dạng ô → Số) rồi gõ lại đủ số"
    )


_SAID_AS_THOUSANDS = 10**12


def _shown_as_percent(value: PercentShown) -> str:
    """The message for a count or amount cell whose format shows a percentage."""
    shown = show(round(float(value) * 100, 9))
    return (
        f"hiện thành '{shown}%' vì ô được định dạng kiểu Phần trăm (số trong ô là {show(float(value))}), "
        "không phải Số; hãy đổi định dạng ô sang Số (Định dạng ô → Số) rồi gõ lại số"
    )


NOT_STORED_AS_NUMBER = (
    "được lưu trong tệp không theo dạng số (do phần mềm tạo tệp ghi sai), nên mỗi ứng dụng "
    "đọc ra một số khác; hãy mở tệp bằng LibreOffice hoặc Excel, gõ lại số vào ô này, lưu lại rồi gửi lại"
)
_DATE_VALUES = (dt.date, dt.time, dt.timedelta, UnshownDate)  # dt.datetime is a dt.date


def clean_text(value: Any) -> str:
    """NFC text without invisible characters and with single ordinary spaces."""
    text = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE)
    return " ".join(_SPACES.sub(" ", text).split())


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) == "")


SIGNIFICANT_DIGITS = 15  # what Excel and LibreOffice keep and show of a number


LARGEST_WHOLE = 2**63 - 1
"""The largest whole number a 64-bit integer holds (the figures' columns: pandas' Int64)."""


def whole_number(value: float) -> int | None:
    """The whole number a float is, as a spreadsheet shows it; None if it has a fraction.

    Excel and LibreOffice keep and display 15 significant digits (IEEE 754 doubles; Excel's
    "Precision as displayed" limits), so a formula such as =D8*150000*1.1 that stores
    28215000.000000004 shows, sums and prints as 28215000; 1.5 stays a fraction."""
    if value.is_integer():
        return int(value)
    shown = float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return int(shown) if shown.is_integer() else None


def parse_int(
    value: Any, max_number: int, day_zero: dt.datetime = DAY_ZERO
) -> tuple[int | None, Problem, bool]:
    """Parse a count or an amount of money. Returns (value, problem, was_text). `day_zero`:
    the day the workbook's numbers count from, so that a number shown as a date is told as
    the number in the cell (`_shown_as_date`).

    Blank gives (None, None, False). Text that clearly is a whole number ("1.200.000",
    "1 200 000", full-width digits) is read as that number; anything else is a problem. A
    negative number is given with NUMBER_NEGATIVE, as the template reads it (the form's
    rule words it, but past -`LARGEST_WHOLE`, which no figures' column holds: the reader).
    """
    if is_blank(value):
        return None, None, False
    was_text = False
    if isinstance(value, bool):
        return None, ("NUMBER_INVALID", "là giá trị đúng/sai, không phải số; hãy gõ số"), False
    if isinstance(value, UnreadNumber):
        return None, ("NUMBER_INVALID", NOT_STORED_AS_NUMBER), False
    if isinstance(value, PercentShown):
        return None, ("NUMBER_INVALID", _shown_as_percent(value)), False
    if isinstance(value, ScaledShown):
        return None, ("NUMBER_INVALID", _shown_scaled(value)), False
    if isinstance(value, ScientificShown):
        return None, ("NUMBER_INVALID", _shown_scientific(value)), False
    if isinstance(value, HiddenNumber):
        return None, ("NUMBER_INVALID", _hidden(value)), False
    if isinstance(value, _DATE_VALUES):
        return None, ("NUMBER_INVALID", _shown_as_date(value, day_zero)), False
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, ("NUMBER_INVALID", "không phải số; hãy gõ số"), False
        number = whole_number(value)
        if number is None:
            return None, ("NUMBER_NOT_INTEGER", _not_integer(value)), False
    elif isinstance(value, int):
        number = value
    else:
        was_text = True
        text = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE).translate(_FULL_WIDTH)
        text = _SPACES.sub(" ", text).strip()
        text = _CURRENCY.sub("", text)
        if _PLAIN_INT.match(text):
            number = int(text)
        elif _DOT_GROUPS.match(text):
            number = int(text.replace(".", ""))
        elif _SPACE_GROUPS.match(text):
            number = int(text.replace(" ", ""))
        elif _COMMA_GROUPS.match(text):
            number = int(text.replace(",", ""))
        else:
            return (
                None,
                (
                    "NUMBER_INVALID",
                    f"không đọc được thành số nguyên; hãy chỉ gõ số {NUMBER_EXAMPLE}",
                ),
                True,
            )
    if number < 0:
        return number, ("NUMBER_NEGATIVE", "là số âm; số phải lớn hơn hoặc bằng 0"), was_text
    if number > max_number:
        return None, ("NUMBER_TOO_LARGE", f"vượt quá giới hạn {max_number:,}".replace(",", ".")), was_text
    return number, None, was_text


def _shown_as_date(value: Any, day_zero: dt.datetime = DAY_ZERO) -> str:
    """The message for a number cell whose format shows a date or a time: the number typed
    (days since `day_zero`: 1899-12-30, where Excel and LibreOffice agree from 1 March 1900
    on; 1904-01-01 in a workbook of the 1904 date system, or an .ods's null date) is kept,
    only the format is wrong. A datetime with a zone is taken in UTC (as `iso_moment`
    reads one), never refused."""
    days: float | None = None
    if isinstance(value, dt.timedelta):
        days = value.total_seconds() / 86400
    elif isinstance(value, dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        if moment.tzinfo is not None:  # in UTC, as LibreOffice reads a zone (`iso_moment`)
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        if day_zero != DAY_ZERO or moment >= dt.datetime(1900, 3, 1):
            days = (moment - day_zero).total_seconds() / 86400
    typed = f" (số trong ô là {show(days)})" if days is not None and whole_number(days) is not None else ""
    fix = "hãy đổi định dạng ô sang Số (Định dạng ô → Số) rồi"
    if isinstance(value, UnreadDate):  # the number is lost: typed again
        return (
            "là ngày giờ mà tệp ghi sai dạng (không theo dạng năm-tháng-ngày, hoặc không có ngày "
            f"này) nên không đọc được; ô được định dạng kiểu Ngày/Giờ, không phải Số: {fix} gõ lại số"
        )
    shown = "hiện thành ngày/giờ"
    if isinstance(value, UnshownDate):
        shown = "không hiện được thành ngày giờ (số quá lớn: ứng dụng hiện ####)"
    return f"{shown} vì ô được định dạng kiểu Ngày/Giờ{typed}, không phải Số; {fix} kiểm tra lại số"


def dot_thousands(value: float) -> int | None:
    """The whole number a person most likely typed when a PC with US number settings shows
    `value`: "1.350" typed the Vietnamese way (dot for thousands) is read there as 1.35, so
    1.35 -> 1350. None when no such reading exists: below 1, more than three decimals, or
    1.000 and above (one dot after one to three digits is all such typing can make a number
    of: "4.636.500" stays text there, so 4636,5 or 232656000,4 was typed otherwise; brk13);
    and for a negative number, which no unit means to type again (NUMBER_NEGATIVE says
    what to do; the template guesses for positive numbers alone, brk20 P3)."""
    if not 1 <= value < 1000:
        return None
    return whole_number(value * 1000)


def _not_integer(value: float) -> str:
    """The message for a number with a fraction, with the number it was likely meant to be."""
    text = "không phải số nguyên; người, lượt và tiền phải là số nguyên"
    meant = dot_thousands(value)
    if meant is None:  # a fraction the cell's format may hide ("#,##0" shows 1350000,4 as
        # 1.350.000, brk51 F4), or a formula's division: the number the file holds is said
        whole = show(int(Decimal(repr(value)).quantize(Decimal(1), ROUND_HALF_UP)))  # as "#,##0" rounds
        return (
            f"{text}. Số này có phần lẻ (ô có thể chỉ hiện {whole} vì định dạng không hiện số lẻ, hoặc "
            "là kết quả của phép chia): hãy gõ lại đúng số nguyên, không có phần lẻ"
        )
    shown = f"{meant:,}".replace(",", ".")
    return (
        f"{text}. Nếu đã gõ '{shown}' hay '{meant:,}' (máy đọc dấu ngăn hàng nghìn thành dấu thập phân: "
        f"máy đặt kiểu số của Mỹ, hay dấu phẩy trên máy kiểu Việt Nam), máy đã đọc thành {show(value)}; số "
        f"đúng có lẽ là {shown}: hãy gõ lại {meant}, không có dấu ngăn"
    )


def parse_date(value: Any, day_zero: dt.datetime = DAY_ZERO) -> tuple[dt.date | None, Problem]:
    """A date typed as a date, as a serial number (days since `day_zero`: the workbook's
    date system, 1899-12-30 or, for a 1904 workbook, 1904-01-01, ECMA-376 Part 1
    §18.17.4.1; brk41 F3: 44519 under General in a 1904 workbook is 20/11/2025, not
    19/11/2021), or as dd/mm/yyyy text."""
    if is_blank(value):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if DATE_SERIALS[0] < value < DATE_SERIALS[1]:
            return day_zero.date() + dt.timedelta(days=int(value)), None
        return None, ("DATE_INVALID", _number_not_a_date(value))
    text = clean_text(value).translate(_FULL_WIDTH)
    m = _DATE_TEXT.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
        try:
            return dt.date(year, month, day), None
        except ValueError:
            pass
    moment = iso_moment(text)
    if moment is not None:
        return (moment.date() if isinstance(moment, dt.datetime) else moment), None
    return None, ("DATE_INVALID", "không phải ngày hợp lệ; hãy nhập dạng dd/mm/yyyy")


def _number_not_a_date(value: float) -> str:
    """DATE_INVALID's words for a number no date system makes a date of: the digits as typed
    (the quote before them shows 20112025 as 20.112.025), and the day they spell when typed
    without the slashes, ddmmyyyy (brk51 F6)."""
    text = "không phải ngày hợp lệ; hãy nhập dạng dd/mm/yyyy"
    if not float(value).is_integer() or not 1_01_1900 <= value <= 31_12_2999:
        return text
    digits = f"{int(value):08d}"
    try:
        day = dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return f"{text} (ô chứa số {int(value)}, không phải ngày)"
    return f"{text}: ô chứa số {int(value)}; nếu là ngày {day:%d/%m/%Y}, hãy gõ {day:%d/%m/%Y} (có dấu /)"


def parse_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean_multiline(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def typed_text(value: Any) -> str:
    """`parse_text` without composing Unicode: the text as it was typed (and as a formula
    compares it), white space folded and trimmed, invisible characters removed; a name
    decomposed by a "tổ hợp" keyboard stays decomposed. "" for None."""
    if isinstance(value, str):
        return _clean_multiline(value, compose=False)
    return parse_text(value)


def _clean_multiline(value: str, compose: bool = True) -> str:
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        # the common case: no line breaks, odd spaces or invisible characters to remove
        return unicodedata.normalize("NFC", value) if compose else value
    text = unicodedata.normalize("NFC", value) if compose else value
    text = text.translate(_INVISIBLE).replace("\r\n", "\n")
    lines = [" ".join(_SPACES.sub(" ", ln).split()) for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln).strip()


SHOWN_TEXT = 60
"""The longest text a message shows whole; a longer one is cut to its first 57 and "…"."""


def show(value: Any) -> str:
    """A value found in a cell, as it is shown in a message ("1.200.000", "1,5", "(trống)")."""
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        if not math.isfinite(value):
            return "#NUM!"  # NaN or infinity stored as a number: what Excel shows for it
        if not value.is_integer():
            return repr(value).replace(".", ",")  # Vietnamese decimal comma: 1,5
        if abs(value) >= _SHOWN_DIGITS_FROM:
            return _shown_large(value)
        return f"{int(value):,}".replace(",", ".")
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return _date_shown(value)
    text = str(value)
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 3] + "…"


_SHOWN_DIGITS_FROM = 1e15  # a double's 15 significant digits, as a spreadsheet shows them
_SHOWN_EXPONENT_FROM = 1e21  # and past these, the exponent (LibreOffice's General: "1E+300")


def _shown_large(value: float) -> str:
    """A whole number of 16 digits or more stored as a double, as Excel and LibreOffice show
    it: its 15 significant digits, then 0s ("123.456.789.012.346.000" for the double nearest
    123456789012345678, never the binary expansion "…345.680"); from 10^21 on, with its
    exponent ("1E+300", "-1,5E+22"), not the 300 digits of its expansion (brk31 F7)."""
    if abs(value) >= _SHOWN_EXPONENT_FROM:
        mantissa, _, exponent = f"{value:.15g}".partition("e")
        return f"{mantissa.replace('.', ',')}E{exponent[0]}{exponent[1:].lstrip('0')}"
    return f"{int(Decimal(f'{value:.15g}')):,}".replace(",", ".")


def _date_shown(value: dt.date | dt.time | dt.timedelta) -> str:
    """A date as dd/mm/yyyy (with hh:mm:ss when it has a time), a time as hh:mm:ss, a
    duration as elapsed hours [h]:mm:ss, as a Vietnamese spreadsheet shows them."""
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S").replace(" 00:00:00", "")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return value.strftime("%H:%M:%S")
