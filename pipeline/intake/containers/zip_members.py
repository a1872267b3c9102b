"""An archive's members read safely, by `zipfile` (Deflate64, method 9 of APPNOTE 4.4.5,
which Windows Explorer and 7-Zip write for large files, by `inflate64`): the archive opened
within the limits (`_open_zip`), why a member is not read (`_member_problem`: a path that
escapes, a password, nesting, a size or ratio beyond the limits), what an archiver adds
(`_leftover`), and one member's bytes (`_member_bytes`).

Every member is its own unit of failure: whatever goes wrong while it is decompressed (a bad
CRC-32, corrupt or truncated data, sizes that lie, a method nobody reads) makes that member
unreadable with a Vietnamese reason (`_member_damage`), never the run.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
import zlib
from pathlib import PurePosixPath

from ...form import Limits
from ...rules.findings import show
from ..files import ReadProblem
from ..inbox import may_be_leftover, not_submission
from ..kinds.catalogue import (
    NESTED_SUFFIXES,
    SPREADSHEET_SUFFIXES,
    is_a_report,
    kind_of_name,
    refused_by_name,
    suffix_of,
)
from ..kinds.detect import bytes_kind
from ..kinds.filekind import CONTAINER, OLE_MAGIC, OTHER, ZIP_MAGIC, FileKind
from ..kinds.head import magic_kind
from ..kinds.zip_package import ARCHIVE_HEAD, may_be_archive
from .entry_kind import _an_archive, one_file


def _unsafe_path(member: str) -> bool:
    p = member.replace("\\", "/")
    return p.startswith("/") or (len(p) > 1 and p[1] == ":") or ".." in PurePosixPath(p).parts


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        other = magic_kind(data[:16])
        if other is not None and other.role == OTHER:  # a RAR or 7z archive named .zip
            raise ReadProblem(other.code, f"tệp đặt tên .zip nhưng là {other.refusal}") from exc
        raise ReadProblem("FILE_CORRUPT", "tệp nén .zip bị hỏng; hãy nén và gửi lại") from exc
    infos = zf.infolist()
    for info in infos:
        info.filename = _name_as_written(info)
    if len(infos) > limits.max_zip_entries:
        raise ReadProblem(
            "FILE_TOO_LARGE", f"tệp nén có {len(infos)} mục, vượt giới hạn {limits.max_zip_entries}"
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise ReadProblem(
            "FILE_TOO_LARGE",
            f"tệp nén giải nén ra {show(total)} byte, vượt giới hạn {show(limits.max_uncompressed_bytes)} byte",
        )
    return zf


_UTF8_NAME = 0x800  # general purpose bit 11: the name is in UTF-8 (APPNOTE 4.4.4, appendix D)


def _name_as_written(info: zipfile.ZipInfo) -> str:
    """A member's name as its writer meant it. Without bit 11 APPNOTE says IBM 437, which
    `zipfile` decodes; but macOS's Archive Utility and many tools write UTF-8 without the bit,
    and Windows Explorer on a Vietnamese PC writes the system code page, 1258 ("Báo cáo
    899.xlsx" was shown "B├ío c├ío 899.xlsx" or "Ba∞o ca∞o…", brk36 F8): such a name is read
    as UTF-8 when it is valid UTF-8, else as code page 1258. Display and kinds only: the
    member is still opened by its entry (`orig_filename`)."""
    name = info.filename
    if info.flag_bits & _UTF8_NAME or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:  # decoded otherwise already (metadata_encoding)
        return name
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", raw.decode("cp1258", "replace"))  # its tones combine


def _member_problem(
    info: zipfile.ZipInfo,
    limits: Limits,
    nested: bool,
    renamed: FileKind | None = None,
    archived: bool = False,
    mailbox: bool = False,
) -> tuple[str, str] | None:
    """Why a member is not read, or None; `renamed`: the kind of a member named like an
    archive that is one file (`_member_kind`), read as such, not refused as nested;
    `archived`: a member named as a spreadsheet that is an archive (`_member_archived`),
    refused as nested; `mailbox`: a mailbox file (`_member_mailbox`), refused with the
    officer's advice, whatever its size."""
    if _unsafe_path(info.filename):
        return ("FILE_UNSAFE", f"đường dẫn '{info.filename}' trong tệp nén trỏ ra ngoài thư mục; không đọc")
    if info.flag_bits & 0x1:
        return ("FILE_ENCRYPTED", "mục trong tệp nén có mật khẩu; hãy nén lại không đặt mật khẩu")
    if mailbox:
        return ("ARCHIVE_NESTED", MAILBOX_IN_ARCHIVE)
    if (PurePosixPath(info.filename).suffix.lower() in NESTED_SUFFIXES and renamed is None) or archived:
        where = "tệp nén đính kèm thư" if nested else "tệp nén"
        return ("ARCHIVE_NESTED", f"{where} chứa một tệp nén/thư khác; hãy gửi trực tiếp tệp Excel")
    if refused_by_name(info.filename):
        return refused_by_name(info.filename)
    if _too_large(info, limits):
        ratio = info.file_size / max(info.compress_size, 1)
        return (
            "FILE_TOO_LARGE",
            f"mục giải nén ra {show(info.file_size)} byte (tỷ lệ nén {ratio:.0f}), vượt giới hạn",
        )
    return None


# a mailbox file in an archive (Google Takeout's export, a zipped Thunderbird folder): the
# officer's to unpack, never a unit's to send again (brk43 F9)
MAILBOX_IN_ARCHIVE = (
    "tệp hộp thư (nhiều thư, như tệp xuất của Google Takeout hay một thư mục thư của Thunderbird) "
    "nằm trong tệp nén, chương trình không mở; hãy giải nén riêng tệp hộp thư này vào thư mục nhận "
    "(giữ nguyên tên), chương trình sẽ đọc từng thư trong đó"
)


def _too_large(info: zipfile.ZipInfo, limits: Limits) -> bool:
    ratio = info.file_size / max(info.compress_size, 1)
    return info.file_size > limits.max_file_bytes or ratio > limits.max_compression_ratio


def _member_kind(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits) -> FileKind | None:
    """For a member named like an archive or a message, opened or not (.zip, .eml, .rar …;
    not .msg, refused by its name), within the limits: the kind of file it is when it is
    neither (`one_file`: a spreadsheet renamed .zip); None otherwise."""
    named = kind_of_name(info.filename)
    if (
        named is None
        or named.role not in (CONTAINER, OTHER)
        or info.flag_bits & 0x1
        or _too_large(info, limits)
    ):
        return None
    try:
        member = _member_bytes(zf, data, info, limits)
    except ReadProblem:
        return None
    kind = one_file(member, info.filename)
    return None if kind is not None and kind.role == OTHER else kind  # a real RAR, 7z: nested


def _member_spreadsheet(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits) -> bool:
    """Whether a member named as what comes with a report ("bao-cao.xlsx.pdf", ".docx"),
    within the limits, is a spreadsheet by its bytes (`bytes_kind`), read then as an
    attachment so named is (brk36 F1); its first bytes are read first, the whole only when
    they are a zip's or a compound file's (a PDF or an image is not read)."""
    if info.flag_bits & 0x1 or _too_large(info, limits):
        return False
    try:
        if not _member_bytes(zf, data, info, limits, head=8).startswith((*ZIP_MAGIC, OLE_MAGIC)):
            return False
        kind = bytes_kind(_member_bytes(zf, data, info, limits), info.filename)
    except ReadProblem:
        return False
    return is_a_report(kind)


def _member_archived(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits) -> bool:
    """Whether a member named as a spreadsheet, within the limits, is an archive renamed so
    (`_an_archive`); its first bytes are read first, the whole only when they may be one."""
    if (
        suffix_of(info.filename) not in SPREADSHEET_SUFFIXES
        or info.flag_bits & 0x1
        or _too_large(info, limits)
    ):
        return False
    try:
        if not may_be_archive(_member_bytes(zf, data, info, limits, head=ARCHIVE_HEAD)):
            return False
        return _an_archive(_member_bytes(zf, data, info, limits), info.filename)
    except ReadProblem:
        return False


_HEAD = 64


def _leftover(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits) -> str:
    """Why a member is what an archiver or a system adds, not a report (`inbox.
    not_submission`: a name like one and first bytes that agree), or ""."""
    parts = PurePosixPath(info.filename.replace("\\", "/")).parts
    if not parts or not may_be_leftover(parts[-1], parts[:-1]):
        return ""
    try:
        head = _member_bytes(zf, data, info, limits, head=_HEAD)
    except ReadProblem:
        head = b""
    return not_submission(parts[-1], parts[:-1], head)


_DEFLATE64 = 9
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra field length
_INFLATE_CHUNK = 16_384
MEMBER_DAMAGED = (
    "tệp này trong tệp nén bị hỏng ({what}), thường do truyền tải hoặc nén lỗi; hãy đề nghị "
    "đơn vị gửi lại tệp Excel báo cáo, không nén"
)
MEMBER_METHOD = (
    "tệp này được nén theo kiểu chưa đọc được (phương pháp nén số {method}); hãy đề nghị đơn vị "
    "giải nén rồi gửi lại tệp .xlsx"
)


def _member_damage(exc: BaseException, info: zipfile.ZipInfo) -> ReadProblem:
    """The Vietnamese reason for any failure while one member is decompressed."""
    if isinstance(exc, NotImplementedError):
        return ReadProblem("FILE_CORRUPT", MEMBER_METHOD.format(method=info.compress_type))
    text = str(exc)
    if "CRC" in text:
        what = "sai mã kiểm tra CRC-32: dữ liệu đã bị thay đổi"
    elif isinstance(exc, EOFError) or "truncated" in text.lower() or "end of" in text.lower():
        what = "dữ liệu bị cắt cụt"
    elif isinstance(exc, RuntimeError) and "password" in text.lower():
        what = "có mật khẩu"
    else:
        what = "dữ liệu nén không giải nén được"
    return ReadProblem("FILE_CORRUPT", MEMBER_DAMAGED.format(what=what))


def _inflate64(data: bytes, info: zipfile.ZipInfo, want: int) -> bytes:
    """A Deflate64 member's bytes (at most `want`), read from the archive's bytes with
    `inflate64`, in chunks so that data lying about its size cannot balloon; the CRC-32 is
    checked when the whole member is read."""
    import inflate64  # a compiled decoder, loaded only for the archives that need it

    start = info.header_offset
    signature, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, start)
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local file header")
    begin = start + _LOCAL_HEADER.size + name_len + extra_len
    raw = data[begin : begin + info.compress_size]
    if len(raw) < info.compress_size:
        raise EOFError("truncated member")
    inflater, out = inflate64.Inflater(), bytearray()
    for i in range(0, len(raw), _INFLATE_CHUNK):
        out += inflater.inflate(raw[i : i + _INFLATE_CHUNK])
        if len(out) >= want:
            return bytes(out[:want])
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return bytes(out)


def _member_bytes(
    zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, limits: Limits, head: int = 0
) -> bytes:
    """One member's bytes (or its first `head` bytes), never more than declared: any
    failure to decompress it (whatever the exception) is a ReadProblem for it alone."""
    want = head or info.file_size + 1
    try:
        if info.compress_type == _DEFLATE64:
            out = _inflate64(data, info, want)
        else:
            with zf.open(info) as fh:
                out = fh.read(want)
    except Exception as exc:  # noqa: BLE001 - every kind of damage is this member's problem
        raise _member_damage(exc, info) from exc
    if not head and len(out) > info.file_size:
        raise ReadProblem("FILE_TOO_LARGE", "mục trong tệp nén lớn hơn kích thước khai báo")
    return out
