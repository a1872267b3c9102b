"""The inbox listing: every entry of the inbox folder accounted for.

Each entry becomes an `InboxEntry` with one of three statuses:

- `READ`: a regular file the run reads as a possible report;
- `IGNORED`: not a submission (an Office or LibreOffice lock file, a macOS resource fork,
  Thumbs.db, desktop.ini, .DS_Store, the outbox placed inside the inbox, a link to a file the
  run reads anyway), recognised by name *and* content; never an error, never given feedback;
- `NOT_READ`: an entry the run cannot or will not read (a symlink leading out of the inbox,
  a Windows shortcut (.lnk) to a file, a named pipe, a socket, a device, an unreadable file
  or folder, a path longer than the system allows), with the reason in Vietnamese.

Symlinks are never followed. Names that are not valid UTF-8 (an attachment saved by an old
mail client) keep their bytes in `path` and are shown with the bad bytes escaped (`\\xe9`).
A mail attachment or a zip member can become an `InboxEntry` too (`origin` says where it
came from).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..system import impl
from ..text.oserrors import read_reason
from .kinds.catalogue import MESSAGE_SUFFIXES, suffix_of
from .kinds.filekind import OLE_MAGIC as _OLE

READ = "read"
IGNORED = "ignored"
NOT_READ = "not_read"

_ZIP = b"PK"
_APPLE_DOUBLE = (b"\x00\x05\x16\x07", b"\x00\x05\x16\x00")  # AppleDouble, AppleSingle (RFC 1740)
_DS_STORE = b"\x00\x00\x00\x01Bud1"
_HEAD = 20  # bytes read from a file whose name says it may not be a submission
# a Windows shortcut ([MS-SHLLINK] 2.1: HeaderSize 0x4C, then LinkCLSID
# 00021401-0000-0000-C000-000000000046), as Explorer makes one when a file is dragged with Alt
_SHELL_LINK = bytes.fromhex("4c0000000114020000000000c000000000000046")
SHORTCUT = (
    "lối tắt (shortcut) của Windows tới một tệp khác, không phải chính tệp đó; chương trình không "
    "đọc qua lối tắt nên báo cáo đó chưa được tính. Hãy chép chính tệp báo cáo vào inbox (chuột phải "
    "> Sao chép, rồi Dán vào inbox), xóa lối tắt rồi chạy lại"
)


@dataclass(frozen=True)
class InboxEntry:
    """One entry of the inbox (or, later, one mail attachment or zip member).

    name: how the officer sees it: its path relative to the inbox, POSIX separators, bytes
        that are not UTF-8 escaped as `\\xNN`; a folder ends with '/'.
    path: where to read it (None when it cannot be read).
    size: bytes (0 for folders and special files); mtime: seconds since the epoch.
    status: READ, IGNORED or NOT_READ; reason: Vietnamese, empty for READ.
    origin: where the entry came from when not a plain inbox file (e.g. a mail), else "".
    """

    name: str
    path: Path | None
    size: int
    mtime: float
    status: str = READ
    reason: str = ""
    origin: str = ""


def shown(name: str) -> str:
    """A file-system name as text: undecodable bytes (surrogate escapes) become `\\xNN`."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_container(head: bytes) -> bool:
    return head.startswith(_ZIP) or head.startswith(_OLE)


# (matches the name, matches the content's first bytes, reason). A name alone is never
# enough: a real workbook called "~$bao-cao.xlsx" is still read.
_NOT_SUBMISSIONS = (
    (
        lambda n, parts: n.startswith("~$"),
        lambda h: not _is_container(h),
        "tệp khóa tạm của Microsoft Office (tạo ra khi tệp đang mở), không phải báo cáo",
    ),
    (
        lambda n, parts: n.startswith(".~lock.") and n.endswith("#"),
        lambda h: not _is_container(h),
        "tệp khóa tạm của LibreOffice (tạo ra khi tệp đang mở), không phải báo cáo",
    ),
    (
        lambda n, parts: n.startswith("._") or "__MACOSX" in parts,
        lambda h: h.startswith(_APPLE_DOUBLE),
        "tệp thông tin phụ do máy Mac tạo khi nén hoặc chép tệp (__MACOSX, ._), không phải báo cáo",
    ),
    (
        lambda n, parts: n.casefold() in ("thumbs.db", "ehthumbs.db"),
        lambda h: not h or h.startswith(_OLE),
        "tệp ảnh thu nhỏ của Windows (Thumbs.db), không phải báo cáo",
    ),
    (
        lambda n, parts: n.casefold() == "desktop.ini",
        lambda h: not _is_container(h),
        "tệp cài đặt thư mục của Windows (desktop.ini), không phải báo cáo",
    ),
    (
        lambda n, parts: n == ".DS_Store",
        lambda h: not h or h.startswith(_DS_STORE),
        "tệp cài đặt thư mục của máy Mac (.DS_Store), không phải báo cáo",
    ),
    (  # Thunderbird's index of a mail folder, beside the folder's own file (read: an mbox)
        lambda n, parts: n.casefold().endswith(".msf"),
        lambda h: not _is_container(h),
        "tệp chỉ mục thư mục thư của Thunderbird (.msf), không phải báo cáo",
    ),
    (  # Apple Mail's index of an exported mailbox (Inbox.mbox/table_of_contents, beside mbox)
        lambda n, parts: n == "table_of_contents" and any(suffix_of(p) in MESSAGE_SUFFIXES for p in parts),
        lambda h: not _is_container(h),
        "tệp chỉ mục hộp thư do Apple Mail xuất, không phải báo cáo",
    ),
    (
        lambda n, parts: n == ".gitkeep",
        lambda h: not _is_container(h),
        "tệp giữ chỗ cho thư mục trống, không phải báo cáo",
    ),
)


def not_submission(name: str, parents: tuple[str, ...], head: bytes) -> str:
    """The reason a file is not a submission (Vietnamese), or "" when it may be one.

    `name` is the file's own name, `parents` the folders above it inside the inbox, `head`
    its first bytes (at least 16 when the file has them)."""
    for by_name, by_content, reason in _NOT_SUBMISSIONS:
        if by_name(name, parents) and by_content(head):
            return reason
    return ""


def may_be_leftover(name: str, parents: tuple[str, ...]) -> bool:
    """Whether `name` (in folders `parents`) is named like something that is not a
    submission (a lock file, a macOS or Windows leftover): only then are its first bytes
    needed (`not_submission`)."""
    return any(by_name(name, parents) for by_name, _, _ in _NOT_SUBMISSIONS)


_candidate = may_be_leftover


_SPECIAL = (
    (stat.S_ISFIFO, "là một ống dẫn (named pipe), không phải tệp"),
    (stat.S_ISSOCK, "là một socket, không phải tệp"),
    (stat.S_ISCHR, "là một thiết bị (character device), không phải tệp"),
    (stat.S_ISBLK, "là một thiết bị (block device), không phải tệp"),
)


def _regular(path: Path, rel: str, name: str, parents: tuple[str, ...], st: os.stat_result) -> InboxEntry:
    """A regular file, opened once (never following a link, never blocking) to learn that it
    can be read, and whether it is a submission at all."""
    try:
        fd = impl.open_untrusted(path)
    except OSError as exc:
        return InboxEntry(shown(rel), None, st.st_size, st.st_mtime, NOT_READ, read_reason(exc))
    shortcut = name.casefold().endswith(".lnk")
    try:
        head = os.read(fd, _HEAD) if shortcut or _candidate(name, parents) else b""
    except OSError as exc:
        return InboxEntry(shown(rel), None, st.st_size, st.st_mtime, NOT_READ, read_reason(exc))
    finally:
        os.close(fd)
    if shortcut and head.startswith(_SHELL_LINK):  # a link, as a symlink out of the inbox is
        return InboxEntry(shown(rel), None, st.st_size, st.st_mtime, NOT_READ, SHORTCUT)
    reason = not_submission(name, parents, head) if _candidate(name, parents) else ""
    return InboxEntry(shown(rel), path, st.st_size, st.st_mtime, IGNORED if reason else READ, reason)


def classify(path: Path) -> InboxEntry:
    """One file named on its own (as `check` gets them), by the rules of the listing; a link
    named by the user is followed. The entry's name is the path as given."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return InboxEntry(shown(str(path)), None, 0, 0.0, NOT_READ, read_reason(exc))
    if not stat.S_ISREG(st.st_mode):
        reason = next((r for test, r in _SPECIAL if test(st.st_mode)), "không phải tệp thông thường")
        return InboxEntry(shown(str(path)), None, 0, st.st_mtime, NOT_READ, reason + "; không đọc")
    real = Path(os.path.realpath(path))
    return _regular(real, str(path), real.name, real.parent.parts, st)


class _Lister:
    def __init__(self, inbox: Path, outbox: Path | None) -> None:
        self.inbox = inbox
        self.root = os.path.realpath(inbox)
        self.outbox = os.path.realpath(outbox) if outbox is not None else None
        self.entries: list[InboxEntry] = []

    def add(self, rel: str, path: Path | None, st: os.stat_result | None, status: str, reason: str) -> None:
        size = st.st_size if st is not None and stat.S_ISREG(st.st_mode) else 0
        mtime = st.st_mtime if st is not None else 0.0
        self.entries.append(InboxEntry(shown(rel), path, size, mtime, status, reason))

    def walk(self, folder: Path, rel: str, parents: tuple[str, ...]) -> None:
        try:
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.add(rel or "./", None, None, NOT_READ, "thư mục " + read_reason(exc))
            return
        for item in items:
            self.entry(item, f"{rel}{item.name}", parents)

    def entry(self, item: os.DirEntry[str], rel: str, parents: tuple[str, ...]) -> None:
        path = Path(item.path)
        try:
            st = item.stat(follow_symlinks=False)
        except OSError as exc:
            self.add(rel, None, None, NOT_READ, read_reason(exc))
            return
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            status, reason = self.link(path)
            self.add(rel, None, st, status, reason)
        elif stat.S_ISDIR(mode):
            if self.outbox is not None and os.path.realpath(path) == self.outbox:
                reason = "thư mục kết quả (outbox) nằm trong inbox; không đọc lại kết quả như báo cáo"
                self.add(rel + "/", None, st, IGNORED, reason)
            else:
                self.walk(path, rel + "/", (*parents, item.name))
        elif stat.S_ISREG(mode):
            self.file(path, rel, item.name, parents, st)
        else:
            reason = next((r for test, r in _SPECIAL if test(mode)), "không phải tệp thông thường")
            self.add(rel, None, st, NOT_READ, reason + "; không đọc")

    def file(self, path: Path, rel: str, name: str, parents: tuple[str, ...], st: os.stat_result) -> None:
        self.entries.append(_regular(path, rel, name, parents, st))

    def link(self, path: Path) -> tuple[str, str]:
        try:
            target = os.readlink(path)
        except OSError as exc:
            return NOT_READ, read_reason(exc)
        real = os.path.realpath(path)
        inside = real == self.root or real.startswith(self.root.rstrip(os.sep) + os.sep)
        what = f"liên kết (symlink) tới '{shown(target)}'"
        if not os.path.exists(real):
            return NOT_READ, f"{what}, nơi không còn tồn tại; không đọc"
        if inside:
            return IGNORED, f"{what} trong inbox; tệp đó được đọc trực tiếp, liên kết được bỏ qua"
        kind = "thư mục" if os.path.isdir(real) else "tệp"
        return NOT_READ, (
            f"{what}, một {kind} ngoài inbox; chương trình không đọc qua liên kết nên các báo cáo "
            f"trong đó chưa được tính. Hãy chép {kind} đó vào inbox rồi chạy lại"
        )


def why_unlisted(inbox: Path) -> str:
    """Why the folder `inbox` cannot be listed at all (Vietnamese, `read_reason`), "" when it
    can: a run must not take an inbox it cannot see into for an empty one (brk50 F1: every
    unit was "Chưa gửi" and the letters said so)."""
    try:
        with os.scandir(inbox):
            return ""
    except OSError as exc:
        return read_reason(exc)


def list_inbox(inbox: Path, outbox: Path | None = None) -> list[InboxEntry]:
    """Every entry under `inbox`, sorted by name (so runs are deterministic).

    `outbox`, when it lies inside the inbox, is listed as ignored and never entered.
    Never raises for what the inbox holds; a missing inbox gives an empty list."""
    if not inbox.is_dir():
        return []
    lister = _Lister(inbox, outbox)
    lister.walk(inbox, "", ())
    return sorted(lister.entries, key=lambda e: e.name)
