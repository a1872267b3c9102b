"""Why a file or folder could not be read, in Vietnamese, from the operating system's error
(its own words, `strerror`, are English): one owner for the listing and the readers."""

from __future__ import annotations

import errno

NOT_REGULAR = "không còn là tệp thường (đã bị thay bằng thư mục, ống dẫn hay thiết bị trong lúc chạy)"

_REASONS = {
    errno.ENAMETOOLONG: "đường dẫn dài quá mức hệ thống cho phép; hãy đổi tên thư mục hoặc tệp cho ngắn lại rồi chạy lại",
    errno.EACCES: "không có quyền đọc; hãy cấp quyền đọc cho người chạy chương trình rồi chạy lại",
    errno.EPERM: "không có quyền đọc; hãy cấp quyền đọc cho người chạy chương trình rồi chạy lại",
    errno.ELOOP: "đường dẫn vòng lặp qua liên kết; không đọc",
    errno.ENOENT: "không còn tồn tại (đã bị xóa hay đổi tên trong lúc chạy); hãy chạy lại",
    errno.EISDIR: NOT_REGULAR,
    errno.EIO: "lỗi đọc đĩa; hãy chép tệp sang ổ khác rồi chạy lại",
}


HELD_ELSEWHERE = (
    "đang được mở khóa bởi chương trình khác (Excel, Word…); hãy đóng tệp đó "
    "(hoặc chép nó sang chỗ khác) rồi chạy lại"
)

WINERRORS_SHARING = (32, 33)
"""ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION (winerror.h): on Windows a file another
program opened without sharing it (CPython sets `winerror` on the OSError)."""


def read_reason(exc: OSError) -> str:
    """The Vietnamese reason for an error met while reading `exc.filename`: what happened
    and what to do. Unknown errors are named by their symbol (`lỗi hệ thống EBUSY; …`)."""
    if exc.strerror == NOT_REGULAR:
        return NOT_REGULAR
    if getattr(exc, "winerror", None) in WINERRORS_SHARING:
        return HELD_ELSEWHERE
    number = exc.errno or 0
    return _REASONS.get(
        number,
        f"lỗi hệ thống {errno.errorcode.get(number, number)}; hãy chép tệp sang thư mục khác rồi chạy lại",
    )


_IO_REASONS = {
    errno.ENOSPC: "ổ đĩa đã đầy; hãy xóa bớt tệp không cần trên ổ đó, hoặc chọn thư mục khác, rồi chạy lại",
    errno.EDQUOT: "đã hết hạn mức trên ổ đĩa; hãy xóa bớt tệp, hoặc chọn thư mục khác, rồi chạy lại",
    errno.EROFS: "ổ đĩa chỉ cho đọc (read-only); hãy chọn thư mục khác rồi chạy lại",
    errno.EFBIG: "tệp lớn quá mức ổ đĩa hoặc hệ thống cho phép ghi; hãy chọn thư mục trên ổ khác rồi chạy lại",
    errno.EACCES: "không có quyền đọc hoặc ghi; hãy cấp quyền cho người chạy chương trình, hoặc chọn thư mục khác, rồi chạy lại",
    errno.EPERM: "không có quyền đọc hoặc ghi; hãy cấp quyền cho người chạy chương trình, hoặc chọn thư mục khác, rồi chạy lại",
}


def io_failure(exc: OSError) -> str:
    """What went wrong reading or writing `exc.filename`, and what to do (Vietnamese): a
    command's last word on an error of the disk or the system it did not expect where it
    met it (a full disk, a read-only folder, a name too long), never a traceback."""
    where = f" '{exc.filename}'" if exc.filename else ""
    reason = _IO_REASONS.get(exc.errno or 0) or read_reason(exc)
    return f"không đọc hoặc ghi được{where}: {reason}"


def os_error_behind(exc: BaseException) -> OSError | None:
    """The OSError behind `exc` (itself, its arguments, its cause or context), also when a
    writer wrapped it (XlsxWriter's FileCreateError holds it as its argument); None when
    there is none."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno is not None:
            return e
        todo.extend([*e.args, e.__cause__])
        if not e.__suppress_context__:
            todo.append(e.__context__)
    return None
