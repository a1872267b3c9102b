"""One damaged archive member or message never stops the season (issue #24, first part).

Archives are made by `zipfile` and damaged byte by byte here, as transfers and zip tools
damage them: a changed byte (bad CRC-32), corrupt deflate and LZMA data, a truncated member,
sizes that lie, Deflate64 (method 9, written with `inflate64`'s own compressor into a zip
laid out by hand after APPNOTE 4.3.7 and 4.3.12), two members with one name, macOS
leftovers; messages nested deeper than any client writes. Every good report beside them is
counted, each damaged entry is in the manifest with its reason, and `check` never crashes.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import unicodedata
import zipfile
import zlib
from email.message import EmailMessage

import inflate64
import pytest

from pipeline.app import consolidate_into
from pipeline.intake.containers.message import MESSAGE_BROKEN
from pipeline.intake.containers.zip_members import MEMBER_DAMAGED

from .conftest import ROOT

APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "
DS_STORE = b"\x00\x00\x00\x01Bud1" + b"\x00" * 24


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _data_span(archive: bytes, index: int = 0) -> tuple[int, int]:
    """(start, length) of member `index`'s compressed data inside the archive's bytes."""
    info = zipfile.ZipFile(io.BytesIO(archive)).infolist()[index]
    name_len, extra_len = struct.unpack_from("<HH", archive, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    return start, info.compress_size


def _flip(archive: bytes, offset: int) -> bytes:
    data = bytearray(archive)
    data[offset] ^= 0xFF
    return bytes(data)


def _deflate64_zip(name: str, payload: bytes) -> bytes:
    """A one-member zip whose member is compressed with Deflate64 (method 9)."""
    deflater = inflate64.Deflater()
    raw = deflater.deflate(payload) + deflater.flush()
    crc, fname = zlib.crc32(payload), name.encode()
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 21, 0, 9, 0, 0, crc, len(raw), len(payload), len(fname), 0
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02", 21, 21, 0, 9, 0, 0, crc, len(raw), len(payload), len(fname), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    body = local + fname + raw
    cd = central + fname
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(cd), len(body), 0)
    return body + cd + end


def _lying_sizes(archive: bytes, declared: int) -> bytes:
    """The one member's uncompressed size declared as `declared` in both headers."""
    data = bytearray(archive)
    info = zipfile.ZipFile(io.BytesIO(archive)).infolist()[0]
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    cd = archive.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, declared)
    return bytes(data)


@pytest.fixture
def reports(make_file, tmp_path) -> dict[str, bytes]:
    """Two real reports (units 903 and 905), made from the templates and filled."""
    out = {}
    for code in ("903", "905"):
        path, _ = make_file(code, folder=tmp_path / "made")
        out[code] = path.read_bytes()
    return out


def _damaged(kind: str, report: bytes) -> bytes:
    if kind == "bad-crc":  # a stored member: one changed byte leaves only the CRC to catch it
        archive = _zip([("903.xlsx", report)], zipfile.ZIP_STORED)
        start, length = _data_span(archive)
        return _flip(archive, start + length // 2)
    if kind == "corrupt-deflate":
        archive = _zip([("903.xlsx", report)])
        start, _ = _data_span(archive)
        return _flip(archive, start + 3)
    if kind == "corrupt-lzma":
        archive = _zip([("903.xlsx", report)], zipfile.ZIP_LZMA)
        start, _ = _data_span(archive)
        return _flip(archive, start + 12)
    if kind == "truncated":  # the member's data cut short, the directory still whole
        archive = _zip([("903.xlsx", report)])
        start, length = _data_span(archive)
        return archive[: start + length // 2] + b"\0" * (length - length // 2) + archive[start + length :]
    if kind == "sizes-lie":  # declares 1 kB, holds the whole report
        return _lying_sizes(_zip([("903.xlsx", report)]), 1000)
    raise AssertionError(kind)


DAMAGE = ["bad-crc", "corrupt-deflate", "corrupt-lzma", "truncated", "sizes-lie"]


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_member_is_unreadable_and_the_run_goes_on(kind, form, reports, make_file, tmp_path):
    inbox = tmp_path / "inbox"
    make_file("899")  # a good report beside it
    (inbox / "tu-903.zip").write_bytes(_damaged(kind, reports["903"]))
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    files = {f["name"]: f for f in report.manifest()["files"]}
    member = files["tu-903.zip › 903.xlsx"]
    assert member["status"] == "rejected"
    assert "gửi lại tệp Excel báo cáo, không nén" in json.dumps(member, ensure_ascii=False)
    assert files["899.xlsx"]["status"] == "accepted"
    assert {u.code for u in report.units if u.status == "accepted"} == {"899"}


@pytest.mark.parametrize("kind", DAMAGE)
def test_check_names_the_damage_without_a_traceback(kind, reports, tmp_path):
    archive = tmp_path / "tu-903.zip"
    archive.write_bytes(_damaged(kind, reports["903"]))
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", str(archive)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert MEMBER_DAMAGED.split("{")[0] in done.stdout


def test_deflate64_is_read(form, reports, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "explorer.zip").write_bytes(_deflate64_zip("903.xlsx", reports["903"]))
    assert zipfile.ZipFile(inbox / "explorer.zip").infolist()[0].compress_type == 9
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    member = next(f for f in report.manifest()["files"] if f["name"] == "explorer.zip › 903.xlsx")
    assert member["status"] == "accepted"
    assert member["sha256"] == __import__("hashlib").sha256(reports["903"]).hexdigest()


def test_damaged_deflate64_is_unreadable(form, reports, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    archive = _deflate64_zip("903.xlsx", reports["903"])
    start, length = _data_span(archive)
    (inbox / "explorer.zip").write_bytes(_flip(archive, start + length // 2))
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    member = next(f for f in report.manifest()["files"] if f["name"] == "explorer.zip › 903.xlsx")
    assert member["status"] == "rejected"


def test_two_members_with_one_name_are_each_read(form, reports, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with pytest.warns(UserWarning, match="Duplicate name"):
        archive = _zip([("bao-cao.xlsx", reports["903"]), ("bao-cao.xlsx", reports["905"])])
    (inbox / "hai.zip").write_bytes(archive)
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    members = [f for f in report.manifest()["files"] if f["name"].startswith("hai.zip › bao-cao")]
    assert [m["name"] for m in members] == [
        "hai.zip › bao-cao (mục 1).xlsx",
        "hai.zip › bao-cao (mục 2).xlsx",
    ]
    hashes = {__import__("hashlib").sha256(r).hexdigest() for r in reports.values()}
    assert {m["sha256"] for m in members} == hashes
    assert {u.code for u in report.units if u.status == "accepted"} == {"903", "905"}


def test_one_name_in_several_folders_is_shown_with_its_folders(form, reports, tmp_path):
    """brk36 F7: "Ha Tien/bao-cao.xlsx" and "Hon Dat\\bao-cao.xlsx" (a Windows archiver's
    separator) were both "bao-cao.xlsx" in the terminal, the manifest and the letters; a name
    found once stays short."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    archive = _zip(
        [
            ("Ha Tien/bao-cao.xlsx", reports["903"]),
            ("Hon Dat\\bao-cao.xlsx", reports["905"]),
            ("2025/khac/cong-van.pdf", b"%PDF-1.4\n"),
        ]
    )
    (inbox / "cac-huyen.zip").write_bytes(archive)
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    names = [f["name"] for f in report.manifest()["files"] if f["name"].startswith("cac-huyen.zip › ")]
    assert names == [
        "cac-huyen.zip › Ha Tien/bao-cao.xlsx",
        "cac-huyen.zip › Hon Dat/bao-cao.xlsx",
        "cac-huyen.zip › cong-van.pdf",
    ]
    assert {u.code for u in report.units if u.status == "accepted"} == {"903", "905"}


def test_macos_leftovers_in_an_archive_are_ignored(reports, tmp_path):
    archive = tmp_path / "mac.zip"
    archive.write_bytes(
        _zip(
            [
                ("903.xlsx", reports["903"]),
                ("__MACOSX/._903.xlsx", APPLE_DOUBLE + b"\0" * 40),
                (".DS_Store", DS_STORE),
                ("__MACOSX/._.DS_Store", APPLE_DOUBLE),
                ("~$903.xlsx", b"\x0bOfficer" + b"\0" * 40),
            ]
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--json", str(archive)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    by_name = {e["file"].rpartition(" › ")[2]: e for e in json.loads(done.stdout)}
    assert by_name["903.xlsx"]["valid"] is True
    for leftover in ("._903.xlsx", ".DS_Store", "._.DS_Store", "~$903.xlsx"):
        assert by_name[leftover]["status"] == "ignored", by_name[leftover]


def test_a_workbook_named_like_a_leftover_is_still_read(reports, tmp_path):
    """A name alone is never enough: a real report called ._903.xlsx is read."""
    archive = tmp_path / "ten-la.zip"
    archive.write_bytes(_zip([("._903.xlsx", reports["903"])]))
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--json", str(archive)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    entry = json.loads(done.stdout)[-1]
    assert entry["status"] != "ignored" and entry["valid"] is True


def _nested_message(depth: int, report: bytes) -> bytes:
    inner = EmailMessage()
    inner.add_attachment(report, maintype="application", subtype="octet-stream", filename="903.xlsx")
    text = inner.as_bytes().split(b"\n\n", 1)[1]
    boundary_type = inner.get("Content-Type").encode()
    for level in range(depth):
        b = f"b{level}".encode()
        text = b"--" + b + b"\nContent-Type: " + boundary_type + b"\n\n" + text + b"\n--" + b + b"--\n"
        boundary_type = b'multipart/mixed; boundary="' + b + b'"'
    head = b"From: Don vi <a@example.vn>\nSubject: bao cao\nMIME-Version: 1.0\nContent-Type: "
    return head + boundary_type + b"\n\n" + text


@pytest.mark.parametrize("depth", [3, 2000])
def test_a_message_nested_too_deep_is_refused_not_a_crash(depth, form, reports, make_file, tmp_path):
    inbox = tmp_path / "inbox"
    make_file("899")
    (inbox / "long.eml").write_bytes(_nested_message(depth, reports["903"]))
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    files = {f["name"]: f for f in report.manifest()["files"]}
    accepted = {u.code for u in report.units if u.status == "accepted"}
    if depth <= form.limits.max_message_depth:
        assert accepted == {"899", "903"}
    else:
        assert accepted == {"899"}
        assert MESSAGE_BROKEN.split("{")[0] in json.dumps(files["long.eml"], ensure_ascii=False)


def test_a_sender_with_thousands_of_nested_parentheses_is_refused_not_a_crash(form, make_file, tmp_path):
    inbox = tmp_path / "inbox"
    make_file("899")
    comment = "(" * 5000 + "x" + ")" * 5000
    (inbox / "paren.eml").write_bytes(
        f"From: {comment} <a@example.vn>\nSubject: t\nMIME-Version: 1.0\nContent-Type: text/plain\n\nhi\n".encode()
    )
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    files = {f["name"]: f for f in report.manifest()["files"]}
    assert "5.000 cặp ngoặc lồng nhau" in files["paren.eml"]["reason"]  # refused before parsing
    assert {u.code for u in report.units if u.status == "accepted"} == {"899"}


def _name_without_utf8_flag(archive: bytes, placeholder: str, raw: bytes) -> bytes:
    """`archive` with its member `placeholder` (ASCII, as long as `raw`) renamed to the bytes
    `raw`, bit 11 left clear: as Windows Explorer (the system code page) or macOS's Archive
    Utility (UTF-8) write a name. A name is in neither CRC: the local header and the central
    directory are patched in place."""
    assert len(placeholder.encode()) == len(raw)
    assert archive.count(placeholder.encode()) == 2
    return archive.replace(placeholder.encode(), raw)


def _cp1258(text: str) -> bytes:
    """`text` in code page 1258 as Windows writes Vietnamese: a letter the page lacks
    precomposed ("ò", "ấ") as its base and a combining tone mark."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            split = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", split[:-1]).encode("cp1258") + split[-1].encode("cp1258")
    return out


def test_member_names_without_the_utf8_flag_read_as_written(form, reports, tmp_path):
    """brk36 F8: "Báo cáo 903 Hòn Đất.xlsx" zipped by Explorer on a Vietnamese PC (code page
    1258) was shown "Ba∞o ca∞o…", and by macOS (UTF-8, no flag) "B├ío c├ío…", in the
    terminal, the manifest and the letters."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    windows = _cp1258("Báo cáo 903 Hòn Đất.xlsx")
    mac = "Báo cáo 905.xlsx".encode()
    archive = _zip([("W" * len(windows), reports["903"]), ("M" * len(mac), reports["905"])])
    archive = _name_without_utf8_flag(archive, "W" * len(windows), windows)
    (inbox / "hai.zip").write_bytes(_name_without_utf8_flag(archive, "M" * len(mac), mac))
    report = consolidate_into(form, inbox, tmp_path / "out", show_progress=False)
    names = [f["name"] for f in report.manifest()["files"] if f["name"].startswith("hai.zip › ")]
    assert names == ["hai.zip › Báo cáo 903 Hòn Đất.xlsx", "hai.zip › Báo cáo 905.xlsx"]
    assert {u.code for u in report.units if u.status == "accepted"} == {"903", "905"}
