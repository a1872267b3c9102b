"""A folder named in a command the officer copies is one argument in their shell (issue #23:
"small doors"): on Windows in cmd and PowerShell, elsewhere in a POSIX shell.

There is no Windows machine here: `mslex.split` parses a command line as cmd.exe and then
the Microsoft C runtime (`CommandLineToArgvW`) do, and raises on a cmd metacharacter left
outside quotes; PowerShell's argument-mode metacharacters are checked by their list
(about_Special_Characters, about_Parsing). `shlex.split` is the POSIX shell's parser.
"""

from __future__ import annotations

import shlex

import mslex
from hypothesis import given
from hypothesis import strategies as st

from pipeline.text.command import quoted

# what a Windows folder name can hold, less `"` (never in a Windows name) and what double
# quotes do not protect: `%` (and `!` under delayed expansion, off by default) in cmd, `$` and
# the backtick in PowerShell (quoted()'s docstring)
NAME = st.text(
    alphabet=st.sampled_from(list("aăâbdđeêioôơuưy AĂĐƯ ảấệỗữ0129 &|<>^();,='{}@#+[]~.-_:\\/")),
    min_size=1,
    max_size=24,
)
POWERSHELL_SPECIAL = set(" &|<>();,{}@#'\"`$")


@given(NAME)
def test_a_name_is_one_argument_in_cmd(name: str) -> None:
    typed = quoted(name, windows=True)
    assert mslex.split(typed, like_cmd=True, check=True, ucrt=True) == [name], typed


@given(NAME)
def test_a_name_is_one_argument_in_powershell(name: str) -> None:
    typed = quoted(name, windows=True)
    if typed.startswith('"'):
        assert typed.endswith('"') and '"' not in typed[1:-1].replace('\\"', ""), typed
    else:
        assert not POWERSHELL_SPECIAL & set(typed), typed


@given(NAME)
def test_a_name_is_one_argument_in_a_posix_shell(name: str) -> None:
    assert shlex.split(quoted(name, windows=False)) == [name]


def test_usual_folders() -> None:
    assert quoted("outbox", windows=True) == "outbox"
    assert quoted(r"D:\Báo cáo\hộp thư", windows=True) == r'"D:\Báo cáo\hộp thư"'
    assert quoted("A&B", windows=True) == '"A&B"'  # list2cmdline would leave it bare
    assert quoted("kết-quả(cũ)", windows=True) == '"kết-quả(cũ)"'
    assert quoted("thư mục\\", windows=True) == '"thư mục\\\\"'  # the closing quote stays one
    assert quoted("outbox (cũ)", windows=False) == "'outbox (cũ)'"
