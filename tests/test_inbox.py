"""Every inbox entry accounted for: not-submissions ignored, special entries listed with a
reason, odd names kept, the outbox never read as input; text from names made inert."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from pipeline.app import consolidate_into
from pipeline.intake.inbox import IGNORED, NOT_READ, READ, list_inbox, not_submission
from pipeline.outbox.paths import detail_csv_path, feedback_dir, feedback_names, manifest_path
from pipeline.run.consolidate import read_all, submissions
from pipeline.text.oserrors import NOT_REGULAR
from pipeline.text.safetext import csv_field, for_terminal

from .clirun import run_cli
from .conftest import ROOT

CASES = Path("/work/shared/cases/reading/not-submissions/inbox")


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


def _manifest(outbox: Path, year: int) -> dict[str, dict]:
    data = json.loads(manifest_path(outbox, year).read_text(encoding="utf-8"))
    return {f["name"]: f for f in data["files"]}


def _not_submission_inbox(make_file, root: Path) -> Path:
    """Three good reports beside an Excel owner file, a LibreOffice lock file and a macOS
    resource fork, made the way the applications make them."""
    inbox = root / "inbox"
    for code in ("899", "900", "SYT"):
        make_file(code, folder=inbox)
    # Excel's owner file: a length byte, the user name padded with spaces, then UTF-16 (165 bytes)
    owner = bytes([7]) + b"nguyen " + b" " * 47 + bytes([7, 0]) + "nguyen ".encode("utf-16-le")
    (inbox / "~$899.xlsx").write_bytes(owner.ljust(165, b"\x20"))
    (inbox / ".~lock.900.xlsx#").write_text(
        "nguyen,may-so/nguyen,may-so,29.11.2026 09:12,file:///home/nguyen/.config/libreoffice/4;",
        encoding="utf-8",
    )
    mac = inbox / "__MACOSX"
    mac.mkdir()
    # AppleDouble header (RFC 1740): magic, version 2, 16 filler bytes, no entries
    (mac / "._SYT.xlsx").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00" + b"Mac OS X        " + b"\x00\x00")
    (inbox / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (inbox / "desktop.ini").write_text("[.ShellClassInfo]\r\nIconResource=x\r\n", encoding="utf-8")
    (inbox / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + b"\x00" * 64)
    return inbox


@pytest.mark.parametrize("source", ["shared-case", "built"])
def test_not_submissions_are_ignored_with_reason_never_errors(source, form, make_file, tmp_path):
    if source == "shared-case":
        if not CASES.is_dir():
            pytest.skip("the shared case folder is not on this machine")
        inbox = tmp_path / "inbox"
        shutil.copytree(CASES, inbox)
        ignored = {"~$899.xlsx", ".~lock.900.xlsx#", "__MACOSX/._SYT.xlsx"}
    else:
        inbox = _not_submission_inbox(make_file, tmp_path)
        ignored = {"~$899.xlsx", ".~lock.900.xlsx#", "__MACOSX/._SYT.xlsx", "Thumbs.db", "desktop.ini"}
        ignored |= {".DS_Store"}
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False, workers=1)
    files = _manifest(tmp_path / "out", form.year)
    assert {n for n, f in files.items() if f["status"] == IGNORED} == ignored
    for name in ignored:
        assert files[name]["errors"] == 0 and files[name]["note"], files[name]
        assert "không phải báo cáo" in files[name]["note"]
    assert {f["unit"] for f in files.values() if f["status"] == "accepted"} == {"899", "900", "SYT"}
    assert not report.findings
    assert not feedback_dir(tmp_path / "out", form.year).exists()
    assert report.strict_failures == report.count("missing")  # --strict does not count them


def test_a_real_workbook_with_a_lock_file_name_is_still_read(form, make_file, tmp_path):
    make_file("899", name="~$899.xlsx")
    make_file("900", name="._900.xlsx")
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False, workers=1)
    files = _manifest(tmp_path / "out", form.year)
    assert files["~$899.xlsx"]["status"] == "accepted"
    assert files["._900.xlsx"]["status"] == "accepted"


@pytest.mark.parametrize(
    ("name", "parents", "head", "ignored"),
    [
        ("~$a.xlsx", (), b"\x07nguyen", True),
        ("~$a.xlsx", (), b"PK\x03\x04", False),
        (".~lock.a.ods#", (), b"me,host", True),
        ("._a.xlsx", (), b"\x00\x05\x16\x07\x00\x02", True),
        ("a.xlsx", ("__MACOSX",), b"\x00\x05\x16\x07", True),
        ("a.xlsx", ("__MACOSX",), b"PK\x03\x04", False),
        ("._a.xlsx", (), b"PK\x03\x04", False),
        ("THUMBS.DB", (), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", True),
        ("Desktop.ini", (), b"\xff\xfe[", True),
        (".DS_Store", (), b"\x00\x00\x00\x01Bud1", True),
        ("bao-cao.xlsx", (), b"", False),
    ],
)
def test_not_submission_by_name_and_content(name, parents, head, ignored):
    assert bool(not_submission(name, parents, head)) is ignored


def test_special_entries_are_listed_with_reason_and_the_run_completes(form, make_file, tmp_path):
    inbox = tmp_path / "inbox"
    make_file("899")
    outside = tmp_path / "elsewhere"
    make_file("900", folder=outside)
    os.symlink(outside, inbox / "thu-muc-lien-ket")
    os.symlink(outside / "900.xlsx", inbox / "900-lien-ket.xlsx")
    os.symlink(inbox / "899.xlsx", inbox / "899-ban-sao.xlsx")
    os.symlink(tmp_path / "khong-co", inbox / "hong.xlsx")
    os.mkfifo(inbox / "ong-dan.xlsx")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "socket.xlsx"))
    try:
        latin1 = os.fsencode(inbox) + b"/bao-cao-\xe9.txt"
        with open(latin1, "wb") as fh:
            fh.write(b"not a report")
        report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False, workers=1)
    finally:
        sock.close()
    files = _manifest(tmp_path / "out", form.year)
    status = {n: f["status"] for n, f in files.items()}
    assert status == {
        "899.xlsx": "accepted",
        "899-ban-sao.xlsx": IGNORED,
        "900-lien-ket.xlsx": NOT_READ,
        "bao-cao-\\xe9.txt": "not_a_report",
        "hong.xlsx": NOT_READ,
        "ong-dan.xlsx": NOT_READ,
        "socket.xlsx": NOT_READ,
        "thu-muc-lien-ket": NOT_READ,
    }
    assert "ngoài inbox" in files["thu-muc-lien-ket"]["note"] and "chép" in files["thu-muc-lien-ket"]["note"]
    assert "ống dẫn" in files["ong-dan.xlsx"]["note"]
    assert "socket" in files["socket.xlsx"]["note"]
    assert "không còn tồn tại" in files["hong.xlsx"]["note"]
    assert report.count("accepted") == 1  # nothing was read through a link
    assert report.strict_failures == 5 + 1 + report.count("missing")  # not read, not a report


def test_cli_shows_why_a_linked_folder_was_not_read(form, make_file, tmp_path):
    make_file("899")
    outside = tmp_path / "elsewhere"
    make_file("900", folder=outside)
    os.symlink(outside, tmp_path / "inbox" / "thu-muc-lien-ket")
    out = _cli("consolidate", "--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if "thu-muc-lien-ket" in x)
    assert "Không đọc" in line and "ngoài inbox" in line


def test_over_long_path_is_listed_not_crashed(form, make_file, tmp_path):
    inbox = tmp_path / "inbox"
    make_file("899")
    fd = os.open(inbox, os.O_RDONLY)
    try:  # nest folders by descriptor until the path is longer than PATH_MAX
        for _ in range(20):
            os.mkdir("d" * 250, dir_fd=fd)
            new = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
        os.close(os.open("bao-cao.xlsx", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
    finally:
        os.close(fd)
    entries = list_inbox(inbox)
    long = [e for e in entries if e.status == NOT_READ]
    assert len(long) == 1 and "dài quá" in long[0].reason
    assert [e.name for e in entries if e.status == READ] == ["899.xlsx"]
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False, workers=1)
    assert report.count("accepted") == 1


def test_unreadable_file_is_listed_as_not_read(make_file, tmp_path):
    make_file("899")
    secret = tmp_path / "inbox" / "rieng.xlsx"
    secret.write_bytes(b"PK\x03\x04")
    secret.chmod(0)
    code = (  # as root, drop to 'nobody' inside the inbox (root reads every file)
        "import os, sys, json\n"
        "from pathlib import Path\n"
        "from pipeline.intake.inbox import list_inbox\n"
        "os.chdir(sys.argv[1])\n"
        "if os.getuid() == 0: os.setgid(65534); os.setuid(65534)\n"
        "print(json.dumps([[e.name, e.status, e.reason] for e in list_inbox(Path('.'))]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "inbox")], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    got = {n: (s, r) for n, s, r in json.loads(out.stdout)}
    assert got["899.xlsx"][0] == READ
    assert got["rieng.xlsx"][0] == NOT_READ and "quyền đọc" in got["rieng.xlsx"][1]


def test_outbox_inside_inbox_is_never_read_back(form, make_file, tmp_path):
    inbox = tmp_path / "inbox"
    make_file("899")
    for _ in range(2):
        report = consolidate_into(form, inbox, inbox / "ket-qua", show_progress=False, workers=1)
    files = _manifest(inbox / "ket-qua", form.year)
    assert files["ket-qua/"]["status"] == IGNORED
    assert [n for n, f in files.items() if f["status"] != IGNORED] == ["899.xlsx"]
    assert report.count("accepted") == 1


def test_carriage_return_in_a_name_keeps_the_csv_one_record_per_figure(form, make_file, tmp_path):
    name = "bao cao 899\r=2+3.xlsx"
    make_file("899", name=name)
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False, workers=1)
    raw = detail_csv_path(tmp_path / "out", form.year).read_bytes().decode("utf-8-sig")
    lines = raw.split("\r\n") if "\r\n" in raw else raw.split("\n")
    records = [r for r in lines if r]
    assert len(records) == 1 + len(report.detail.long(form))
    with detail_csv_path(tmp_path / "out", form.year).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert {len(r) for r in rows} == {len(rows[0])}
    files = {r[rows[0].index("file")] for r in rows[1:]}
    assert files == {"bao cao 899 =2+3.xlsx"}
    assert _manifest(tmp_path / "out", form.year)[name]["status"] == "accepted"  # the real name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=2+3", "'=2+3"),
        ("  +1", "'  +1"),
        ("a\r\nb", "a b"),
        ("x\r=1+1", "x =1+1"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("@cmd", "'@cmd"),
        ("Rạch Giá", "Rạch Giá"),
    ],
)
def test_csv_field(value, expected):
    assert csv_field(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "\x1b]0;bị chiếm\x07tiêu đề",
        "\x1b[2K\r[OK] tệp",
        "\u009b2Kmàn hình",
        "tên\u202egnp.exe",
        "dòng\nmới",
        "bao-cao-\udce9.txt",
    ],
)
def test_terminal_text_has_no_control_characters(text):
    out = for_terminal(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in out), out
    out.encode("utf-8")  # no lone surrogate left


def test_summary_shows_hostile_names_escaped(form, make_file, tmp_path):
    make_file("899", name="\x1b]0;hacked\x07\x1b[2K\r[OK] 899.xlsx")
    out = _cli("consolidate", "--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\r" not in out.stdout and "\x07" not in out.stdout
    jout = _cli("consolidate", "--json", "--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "o2"))
    assert "\x1b" not in jout.stdout
    names = [f["name"] for f in json.loads(jout.stdout)["files"]]
    assert names == ["\x1b]0;hacked\x07\x1b[2K\r[OK] 899.xlsx"]  # the JSON value is exact


def test_feedback_names_are_unique_whatever_the_files_are_called():
    pairs = [
        ("899", "bao-cao.xlsx"),
        ("899", "bao-cao.xlsx"),  # the same name twice (two mails with one attachment name)
        ("899", "BAO-CAO.xlsx"),
        ("899", "báo cáo.xlsx"),
        ("899", "bao cao.xlsx"),
        ("", "bao-cao-\udce9.xlsx"),
        ("", "bao-cao-\udce8.xlsx"),
    ]
    names = feedback_names(pairs)
    assert len({n.casefold() for n in names}) == len(pairs)
    assert all(n.startswith("phan-hoi-") and n.endswith(".xlsx") for n in names)


def test_check_skips_not_submissions_and_counts_no_error(make_file, tmp_path):
    inbox = _not_submission_inbox(make_file, tmp_path)
    names = ["~$899.xlsx", ".~lock.900.xlsx#", "__MACOSX/._SYT.xlsx", "Thumbs.db", "899.xlsx"]
    out = _cli("check", *names, cwd=inbox)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    for name in names[:-1]:
        assert any(x.startswith(f"{name}: bỏ qua - ") for x in lines), (name, lines)
    assert "899.xlsx [đơn vị 899]: hợp lệ" in lines
    js = json.loads(_cli("check", "--json", *names, cwd=inbox).stdout)
    assert [r["status"] for r in js] == [IGNORED] * 4 + [READ]


def test_entries_swapped_for_pipes_after_listing_are_refused_not_waited_on(make_file, form, tmp_path):
    """An entry listed as a regular file, then replaced by a named pipe (or a folder) before
    it is read: the read is refused with a Vietnamese reason, and nothing blocks."""
    inbox = tmp_path / "inbox"
    plain, _ = make_file("899")
    with zipfile.ZipFile(inbox / "goi.zip", "w") as zf:
        zf.write(plain, "900.xlsx")
    make_file("902")
    listing = [e for e in list_inbox(inbox, tmp_path / "out") if e.status == READ]
    assert sorted(e.name for e in listing) == ["899.xlsx", "902.xlsx", "goi.zip"]
    for entry in listing:
        entry.path.unlink()
    os.mkfifo(inbox / "899.xlsx")
    os.mkfifo(inbox / "goi.zip")
    (inbox / "902.xlsx").mkdir()
    parsed: list = []
    reader = threading.Thread(
        target=lambda: parsed.extend(
            read_all(form, submissions(form, [(e.path, e.name) for e in listing]), workers=1, show=False)
        ),
        daemon=True,
    )
    reader.start()
    reader.join(60)
    assert not reader.is_alive(), "reading a pipe blocked the run"
    messages = {p.name: [f.message for f in p.findings] for p in parsed}
    assert set(messages) == {"899.xlsx", "902.xlsx", "goi.zip"}
    for name, found in messages.items():
        assert any(NOT_REGULAR in m for m in found), (name, found)


def _shell_link(target: str) -> bytes:
    """A Windows shortcut as Explorer writes one ([MS-SHLLINK] 2.1): the 76-byte header
    (HeaderSize, LinkCLSID, flags HasLinkInfo|HasRelativePath|IsUnicode, attributes, times,
    size, icon, show command, hot key, reserved), then the relative path as a StringData."""
    header = (
        (0x4C).to_bytes(4, "little")
        + bytes.fromhex("0114020000000000c000000000000046")
        + (0x00000002 | 0x00000008 | 0x00000080).to_bytes(4, "little")
        + (0x20).to_bytes(4, "little")
        + bytes(24)
        + (28_672).to_bytes(4, "little")
        + bytes(4)
        + (1).to_bytes(4, "little")
        + bytes(12)
    )
    assert len(header) == 0x4C
    info = (28).to_bytes(4, "little") + (28).to_bytes(4, "little") + bytes(20)
    path = target.encode("utf-16-le")
    return header + info + (len(target)).to_bytes(2, "little") + path


def test_a_windows_shortcut_is_not_read_and_says_what_to_do(form, make_file, tmp_path):
    """brk46 F3: a report dragged into the inbox with Alt held is a shortcut (.lnk), not the
    file: it was refused as "không phải tệp Excel" and credited to no unit. It is not read,
    as a symlink out of the inbox is, with what to do; a file merely named .lnk is read."""
    make_file("899", folder=tmp_path / "src")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    link = inbox / "30292-UBND-Phuong-Binh-Duc.xlsx - Shortcut.lnk"
    link.write_bytes(_shell_link(r"..\Downloads\30292-UBND-Phuong-Binh-Duc.xlsx"))
    shutil.copy(tmp_path / "src" / "899.xlsx", inbox / "899.lnk")  # not a shortcut: read
    entries = {e.name: e for e in list_inbox(inbox)}
    assert entries[link.name].status == NOT_READ and "lối tắt (shortcut)" in entries[link.name].reason
    assert "chép chính tệp báo cáo vào inbox" in entries[link.name].reason
    assert entries["899.lnk"].status == READ
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    assert {u.code: u.status for u in report.units}["899"] == "accepted"
    assert not [f for r in report.files for f in r.parsed.findings if link.name in r.parsed.name]


def test_an_inbox_that_cannot_be_listed_leaves_the_current_set(form, make_file, tmp_path):
    """brk50 F1: an inbox the run cannot list (its rights lost, as a network share's) was
    read as an empty one: a new current set with every unit "Chưa gửi", exit 0, and letters
    saying no report came. The run stops before the outbox with what to do (exit 2)."""
    make_file("899")
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    report = manifest_path(tmp_path / "out", form.year)
    before = report.read_bytes()
    (tmp_path / "inbox").chmod(0)
    try:  # as an officer without the folder's rights (root reads every folder)
        out = run_cli(
            "consolidate", "--inbox", "inbox", "--outbox", "out", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)},
            without_rights=True,
        )  # fmt: skip
    finally:
        (tmp_path / "inbox").chmod(0o755)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Lỗi: không mở được thư mục tệp nhận được 'inbox': không có quyền đọc" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and report.read_bytes() == before
