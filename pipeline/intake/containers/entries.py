"""A container's entries as submissions: a message's attachments (`_message_entries`) and
an archive's members (`_archive_entries`), each named as shown ("thu/a.eml › bao-cao.xlsx")
and given its origin and locator. Every member and every attachment is its own unit of
failure; members are addressed by their position in the archive, so two members with one
name are each read. What comes with a report (a letter, a scan) is listed as ignored, and
what an archiver adds that is not a report (`__MACOSX/`, `._*`, `.DS_Store`, `Thumbs.db`,
Office lock files) is ignored inside archives as it is in the inbox.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections import Counter
from email.message import EmailMessage
from pathlib import Path, PurePosixPath

from ...form import Limits
from ...rules.findings import show
from ..files import ReadProblem
from ..kinds.catalogue import (
    ARCHIVE_KIND,
    ARCHIVE_SUFFIXES,
    MESSAGE_KIND,
    MESSAGE_SUFFIXES,
    NOT_REPORT_SUFFIXES,
    REPORT_SUFFIXES,
    kind_of_name,
    refused_by_name,
    suffix_of,
)
from ..kinds.detect import bytes_kind
from ..kinds.filekind import ATTACHED
from ..message_headers import own_letter
from .entry_kind import _an_archive, _report_or_archive, one_file
from .message import _attachment_parts, _part_bytes, may_be_mailbox
from .submission import ARCHIVE, ATTACHMENT, MEMBER, SEP, Opened, Origin, Submission
from .zip_members import (
    _leftover,
    _member_archived,
    _member_bytes,
    _member_kind,
    _member_problem,
    _member_spreadsheet,
    _open_zip,
)

NOT_REPORT_ATTACHED = "không phải bảng tính (công văn, ảnh, chữ ký…), gửi kèm báo cáo: không cần đọc"
MESSAGE_IN_MESSAGE = (
    "thư đính kèm một thư khác dạng tệp (.eml), chương trình không mở thư lồng trong thư; hãy lưu "
    "riêng tệp Excel báo cáo trong thư đó vào thư mục nhận, hoặc đề nghị đơn vị gửi lại thư đính kèm "
    "trực tiếp tệp Excel"
)


def _member_mailbox(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits) -> bool:
    """Whether a member named as a message or mailbox (.eml, .mbox, .mbx) or by no known
    kind ("Inbox", as Thunderbird names a folder) is a mailbox file by its first bytes
    (`message.may_be_mailbox`: a "From " line, then a header field); only those bytes are
    read, whatever the member's size."""
    if info.flag_bits & 0x1 or (
        suffix_of(info.filename) not in MESSAGE_SUFFIXES and kind_of_name(info.filename) is not None
    ):
        return False
    try:
        return may_be_mailbox(_member_bytes(zf, data, info, limits, head=_MAILBOX_HEAD))
    except ReadProblem:
        return False


_MAILBOX_HEAD = 4096  # a "From " line and the header field after it fit well within


FORWARDED_OWN_LETTER = (
    "tệp đính kèm thư của chính Sở (đơn vị chuyển tiếp lại thư Sở đã gửi), không phải báo cáo của đơn vị: "
    "không đọc"
)


def _forwarded_own_parts(msg: EmailMessage, office: str) -> set[int]:
    """The ids of the parts of every message forwarded inside `msg` that is the office's own
    letter (`message_headers.own_letter`); a forward whose headers break the parser is read."""
    ours: set[int] = set()
    for part in msg.walk():  # type: ignore[arg-type]
        if part.get_content_type() != "message/rfc822" or not part.is_multipart() or id(part) in ours:
            continue
        try:
            inner = part.get_payload(0)
            if isinstance(inner, EmailMessage) and own_letter(inner, office):
                ours |= {id(p) for p in inner.walk()}
        except (RecursionError, MemoryError, Exception):  # noqa: BLE001 - this forward only
            continue
    return ours


def _comes_with_a_report(name: str) -> bool:
    """An attachment or member that is not a report by its name (`NOT_REPORT_SUFFIXES`):
    listed as not read, never a finding."""
    return PurePosixPath(name).suffix.lower() in NOT_REPORT_SUFFIXES


def _safe_member_name(raw: str, fallback: str) -> str:
    """The last component of an untrusted file name (display only: nothing is written)."""
    base = PurePosixPath(str(raw or "").replace("\\", "/")).name.strip()
    return base or fallback


def _member_path(raw: str, fallback: str) -> str:
    """An untrusted member name with its folders, as shown ("Ha Tien/bao-cao.xlsx"): "/"
    between them, none empty, "." or ".." (display only: nothing is written)."""
    parts = [p.strip() for p in str(raw or "").replace("\\", "/").split("/")]
    return "/".join(p for p in parts if p not in ("", ".", "..")) or fallback


def _unnamed_report(part: EmailMessage) -> bool:
    """Whether a part of a file's type with no name nor attachment mark (`message.attached`)
    holds a report or an archive by its bytes."""
    try:
        return _report_or_archive(bytes_kind(_part_bytes(part), ""))
    except ReadProblem:
        return False


def _message_entries(
    path: Path, name: str, msg: EmailMessage, origin: Origin, limits: Limits, office: str = ""
) -> tuple[list[Submission], set[str]]:
    """A message's attachments as submissions, and the names of those whose bytes say they
    are a report or an archive though their names do not ("899.xml": an Excel 2003 XML
    spreadsheet; "bao cao", "bao-cao.xlsx.pdf": an .xlsx). An attachment named as what
    comes with a report (.pdf, .docx …) is ignored unless its bytes say otherwise; one
    named otherwise than as an archive whose bytes are one is opened as an archive. An
    attachment of the office's own letter forwarded inside (`message_headers.own_letter`,
    `office` its address: the blank template of a reminder, the feedback copy of a "cần
    sửa" letter) is the office's, listed as such, never read (brk49 F2)."""
    ours = _forwarded_own_parts(msg, office)
    parts = [(k, part) for k, part, named in _attachment_parts(msg) if named or _unnamed_report(part)]
    if len(parts) > limits.max_zip_entries:
        raise ReadProblem(
            "FILE_TOO_LARGE", f"thư có {len(parts)} tệp đính kèm, vượt giới hạn {limits.max_zip_entries}"
        )
    out: list[Submission] = []
    by_bytes: set[str] = set()
    total = 0
    entry = origin.container or name  # the inbox entry: the message, or the mailbox file it is in
    for i, (k, part) in enumerate(parts, start=1):
        shown = f"{name}{SEP}{_safe_member_name(part.get_filename() or '', f'tep-dinh-kem-{i}')}"
        locator = (*origin.locator, f"part:{k}")
        sub_origin = Origin(ATTACHMENT, entry, locator, origin.received, origin.sender, origin.message_id)
        if id(part) in ours:
            out.append(Submission(path, shown, sub_origin, ignored=FORWARDED_OWN_LETTER))
            continue
        if refused_by_name(shown):
            out.append(Submission(path, shown, sub_origin, problem=refused_by_name(shown)))
            continue
        try:
            data = _part_bytes(part)
        except ReadProblem as exc:
            attached = _comes_with_a_report(shown)
            out.append(
                Submission(path, shown, sub_origin, ignored=NOT_REPORT_ATTACHED)
                if attached
                else Submission(path, shown, sub_origin, problem=(exc.code, exc.message))
            )
            continue
        kind = bytes_kind(data, shown)
        if _comes_with_a_report(shown) and not _report_or_archive(kind):
            # named and made as what comes with a report; "bao-cao.xlsx.pdf" holding an .xlsx is read
            out.append(Submission(path, shown, sub_origin, ignored=NOT_REPORT_ATTACHED))
            continue
        total += len(data)
        if total > limits.max_uncompressed_bytes:
            raise ReadProblem(
                "FILE_TOO_LARGE",
                f"các tệp đính kèm vượt tổng giới hạn {show(limits.max_uncompressed_bytes)} byte",
            )
        renamed = one_file(data, shown) if suffix_of(shown) in ARCHIVE_SUFFIXES | MESSAGE_SUFFIXES else None
        if (suffix_of(shown) in MESSAGE_SUFFIXES and renamed is None) or kind is MESSAGE_KIND:
            # a saved message attached as a file (not forwarded as message/rfc822): not opened;
            # one file named so (a web page a browser saved as .eml) is read as what it is
            by_bytes.add(shown)  # it may hold the report: the message is not "without a report"
            out.append(Submission(path, shown, sub_origin, problem=("ARCHIVE_NESTED", MESSAGE_IN_MESSAGE)))
            continue
        archived = suffix_of(shown) not in ARCHIVE_SUFFIXES and _an_archive(data, shown)
        if suffix_of(shown) not in REPORT_SUFFIXES and _report_or_archive(kind):
            by_bytes.add(shown)
        if len(data) > limits.max_file_bytes:
            problem = ("FILE_TOO_LARGE", f"tệp đính kèm {show(len(data))} byte, vượt giới hạn")
            out.append(Submission(path, shown, sub_origin, problem=problem))
        elif renamed is not None and renamed.role == ATTACHED:
            out.append(Submission(path, shown, sub_origin, ignored=NOT_REPORT_ATTACHED))
        elif (suffix_of(shown) in ARCHIVE_SUFFIXES and renamed is None) or archived:
            zip_origin = Origin(ARCHIVE, entry, locator, origin.received, origin.sender, origin.message_id)
            opened = Opened(ARCHIVE_KIND.name, len(data), hashlib.sha256(data).hexdigest())
            try:
                inner = _archive_entries(path, shown, data, locator, zip_origin, limits, nested=True)
            except ReadProblem as exc:
                out.append(Submission(path, shown, zip_origin, opened, (exc.code, exc.message)))
                continue
            out.extend([Submission(path, shown, zip_origin, opened), *inner])
        else:
            out.append(Submission(path, shown, sub_origin))
    return out, by_bytes


def _archive_entries(
    path: Path,
    name: str,
    data: bytes,
    locator: tuple[str, ...],
    origin: Origin,
    limits: Limits,
    nested: bool = False,
) -> list[Submission]:
    out = []
    with _open_zip(data, limits) as zf:
        infos = zf.infolist()
        names = Counter(info.filename for info in infos)
        bases = Counter(_safe_member_name(info.filename, "muc") for info in infos if not info.is_dir())
        for position, info in enumerate(infos):
            if info.is_dir():
                continue
            base = _safe_member_name(info.filename, "muc")
            if bases[base] > 1:  # one name in several folders ("Ha Tien/bao-cao.xlsx"): with its folders
                base = _member_path(info.filename, base)
            if names[info.filename] > 1:  # two members of one name: each named by its place
                stem, dot, suffix = base.rpartition(".")
                base = f"{stem} (mục {position + 1}).{suffix}" if dot else f"{base} (mục {position + 1})"
            shown = f"{name}{SEP}{base}"
            member = Origin(
                MEMBER, origin.container or name, (*locator, f"zip:{position}"),
                origin.received, origin.sender, origin.message_id,
            )  # fmt: skip
            leftover = _leftover(zf, data, info, limits)
            renamed = _member_kind(zf, data, info, limits)
            if leftover:
                out.append(Submission(path, shown, member, ignored=leftover))
            elif (_comes_with_a_report(shown) and not _member_spreadsheet(zf, data, info, limits)) or (
                renamed is not None and renamed.role == ATTACHED
            ):
                out.append(Submission(path, shown, member, ignored=NOT_REPORT_ATTACHED))
            else:
                archived = _member_archived(zf, data, info, limits)
                mailbox = _member_mailbox(zf, data, info, limits)
                problem = _member_problem(info, limits, nested, renamed, archived, mailbox)
                out.append(Submission(path, shown, member, problem=problem))
    return out
