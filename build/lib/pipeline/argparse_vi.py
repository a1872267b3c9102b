"""Vietnamese for argparse's own words ("usage:", "options", "the following arguments are
required", ...), so the officer never meets English in `--help` or a usage error.

argparse looks its strings up through `gettext` (`from gettext import gettext as _,
ngettext` in CPython's Lib/argparse.py). `install()` puts a translation built from the
catalogue below in their place, for every parser and subparser made afterwards, whoever
adds them. A string missing from the catalogue is shown in English (the test suite lists
argparse's strings and fails on any user-facing one without a translation).
"""

from __future__ import annotations

import argparse
import gettext

# msgid (exactly as in CPython's argparse) -> Vietnamese. Only strings a user can see;
# argparse's errors about a wrongly built parser are programming errors and stay English.
CATALOGUE: dict[str, str] = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "thiếu các tham số bắt buộc: %s",
    "unrecognized arguments: %s": "không nhận ra các tham số: %s",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "lựa chọn không hợp lệ: %(value)r (chọn một trong: %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ, cần %(type)s",
    "expected one argument": "cần đúng một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s": (
        "tùy chọn %(option)s không rõ ràng, có thể là: %(matches)s"
    ),
    "not allowed with argument %s": "không dùng được cùng với tham số %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r (tùy chọn này không nhận giá trị)",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "không có lệnh %(parser_name)r (các lệnh: %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "unexpected option string: %s": "tùy chọn không mong đợi: %s",
}
# ngettext: (singular, plural) -> Vietnamese (which has no plural forms)
PLURALS: dict[tuple[str, str], str] = {
    ("expected %s argument", "expected %s arguments"): "cần %s giá trị",
}


class VietnameseArgparse(gettext.NullTranslations):
    """A translation for argparse's messages, from `CATALOGUE` and `PLURALS`."""

    def gettext(self, message: str) -> str:
        return CATALOGUE.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = PLURALS.get((msgid1, msgid2))
        if found is not None:
            return found
        return msgid1 if n == 1 else msgid2


def install() -> None:
    """Make argparse speak Vietnamese in this process (idempotent)."""
    tr = VietnameseArgparse()
    argparse._ = tr.gettext  # type: ignore[attr-defined]
    argparse.ngettext = tr.ngettext  # type: ignore[attr-defined]
