"""Command line: the parser, then the chosen command's handler (`commands/`, `mail/cli.py`).
Messages are Vietnamese; the exit codes are in `commands` (README, "Exit codes").
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
from importlib import import_module
from pathlib import Path
from zoneinfo import ZoneInfo

from . import argparse_vi
from .commands import (
    EXIT_BUSY,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTBOX,
    EXIT_USAGE,
)
from .form import COPY_COMMAND, DEFAULT_FORM, OWN_FOLDER, Form, FormError, config_named, load_form
from .intake.mail_settings import DEFAULT_ZONE, load_mail_settings
from .newyear import outboxes_of, period_over, replaced
from .system.signals import STOPPED, stop_once
from .text.command import as_typed, command_name, quoted
from .text.oserrors import io_failure, os_error_behind

# the exit codes are the command line's own (README, "Exit codes")
__all__ = [
    "EXIT_BUSY",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTBOX",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

# command -> the module, under pipeline/, whose `command(form, args)` runs it
_COMMANDS = {
    "form": "commands.form",
    "templates": "commands.templates",
    "consolidate": "commands.consolidate",
    "check": "commands.check",
    "samples": "commands.samples",
    "mail": "mail.cli",
    "new-year": "commands.new_year",
    "pdf": "commands.pdf",
    "tong-ket": "commands.final_review",
    COPY_COMMAND: "commands.own_copy",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with a hint
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Lỗi: {message}\nGõ '{self.prog} --help' để xem hướng dẫn.\n")
        raise SystemExit(EXIT_USAGE)


class _CommandParser(_Parser):
    """A command's parser: an argument it does not know is its own usage error, with its
    usage and its help hint (`python -m pipeline check --help`). argparse hands a
    subparser's leftovers back to the main parser, whose error showed the main usage.
    `--config` is taken after the command's name too, as an officer types it (brk14 F9:
    `consolidate --config an-giang.toml` was "không nhận ra các tham số")."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--config",
            type=Path,
            default=argparse.SUPPRESS,  # absent here: the one given before the command, or the default
            metavar="TỆP",
            help="tệp cấu hình biểu mẫu (đặt trước hay sau tên lệnh đều được)",
        )

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(argparse._("unrecognized arguments: %s") % " ".join(extras))  # type: ignore[attr-defined]
        return namespace, extras


def _integer(text: str) -> int:
    return int(text)


_integer.__name__ = "một số nguyên"  # argparse names the expected type by it


def _year(text: str) -> int:
    """A year as typed after --year: four digits (a digit typed twice, "20255", is told
    here, before the configuration is moved to it). Raises argparse.ArgumentTypeError."""
    year = _integer(text)
    if not 1000 <= year <= 9999:
        raise argparse.ArgumentTypeError(f"năm '{text}' không hợp lệ: năm có 4 chữ số, ví dụ 2025")
    return year


_year.__name__ = "một năm"


_OUTBOX_HELP = "thư mục kết quả (mặc định: [paths] outbox của cấu hình, ví dụ outbox hoặc outbox-an-giang)"


def build_parser() -> argparse.ArgumentParser:
    argparse_vi.install()  # argparse's own words in Vietnamese, for every subparser
    p = _Parser(
        prog=command_name(),
        description="Tổng hợp báo cáo kết quả thực hiện Quyết định 588/QĐ-TTg.",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_FORM,
        metavar="TỆP",
        help=f"tệp cấu hình biểu mẫu (mặc định: {DEFAULT_FORM.relative_to(DEFAULT_FORM.parent.parent)}; "
        "cấu hình có sẵn gọi được bằng tên, ví dụ an-giang.toml)",
    )
    sub = p.add_subparsers(
        dest="command", required=True, parser_class=_CommandParser, title="các lệnh", metavar="LỆNH"
    )

    f = sub.add_parser("form", help="in bố cục biểu mẫu (ô nhập liệu, danh mục)")
    f.add_argument("--json", action="store_true", help="in dưới dạng JSON cho chương trình khác")

    t = sub.add_parser("templates", help="tạo mẫu trống cho từng đơn vị")
    t.add_argument("--outbox", type=Path, metavar="THƯ_MỤC", help=_OUTBOX_HELP)

    c = sub.add_parser("consolidate", help="kiểm tra và tổng hợp các tệp trong inbox")
    c.add_argument(
        "--inbox",
        type=Path,
        default=Path("inbox"),
        metavar="THƯ_MỤC",
        help="thư mục tệp nhận được (mặc định: inbox)",
    )
    c.add_argument("--outbox", type=Path, metavar="THƯ_MỤC", help=_OUTBOX_HELP)
    c.add_argument("--archive", type=Path, metavar="THƯ_MỤC", help="thư mục chứa kết quả các năm trước")
    c.add_argument("--json", action="store_true", help="in báo cáo dưới dạng JSON")
    c.add_argument(
        "--strict", action="store_true", help="thoát mã 1 nếu có tệp bị từ chối hoặc đơn vị chưa gửi"
    )
    c.add_argument(
        "--workers", type=_integer, metavar="SỐ", help="số tiến trình đọc tệp (mặc định: số lõi CPU)"
    )
    c.add_argument("--year", type=_year, metavar="NĂM", help="năm báo cáo (mặc định: theo cấu hình)")

    k = sub.add_parser("check", help="kiểm tra riêng từng tệp, không tổng hợp")
    k.add_argument("files", nargs="+", type=Path, metavar="TỆP", help="các tệp cần kiểm tra")
    k.add_argument("--json", action="store_true", help="in kết quả dưới dạng JSON")

    d = sub.add_parser(
        "pdf", help="in báo cáo (Word) và sáu biểu tổng hợp ra một tệp PDF để ký (cần LibreOffice)"
    )
    d.add_argument("--outbox", type=Path, metavar="THƯ_MỤC", help=_OUTBOX_HELP)
    d.add_argument("--year", type=_year, metavar="NĂM", help="năm báo cáo (mặc định: theo cấu hình)")

    s = sub.add_parser("samples", help="tạo lại hộp thư mẫu trong examples/inbox")
    s.add_argument(
        "--out", type=Path, default=Path("examples/inbox"), metavar="THƯ_MỤC", help="thư mục ghi tệp mẫu"
    )

    sub.add_parser(
        COPY_COMMAND,
        help=f"chép cấu hình cài sẵn (--config) vào thư mục {OWN_FOLDER} ở đây để điền các mục «cần điền» "
        "(không ghi đè tệp đã có)",
    )

    n = sub.add_parser("new-year", help="chuẩn bị cấu hình cho năm báo cáo tiếp theo")
    n.add_argument(
        "--out", type=Path, metavar="TỆP", help="tệp cấu hình mới (mặc định: <tên cấu hình>-<năm mới>.toml)"
    )
    n.add_argument("--yes", action="store_true", help="ghi tệp không cần hỏi xác nhận (dùng trong kịch bản)")

    r = sub.add_parser(
        "tong-ket", help="lập bảng tổng hợp và dự thảo báo cáo tổng kết cả giai đoạn từ kết quả các năm"
    )
    r.add_argument(
        "--outbox",
        type=Path,
        action="append",
        metavar="THƯ_MỤC",
        help="thư mục kết quả chứa các năm (lặp lại cho mỗi cấu hình, ví dụ --outbox outbox-an-giang "
        "--outbox outbox; mặc định: [paths] outbox của cấu hình và của cấu hình nó thay thế)",
    )
    r.add_argument(
        "--out",
        type=Path,
        metavar="THƯ_MỤC",
        help="nơi ghi tệp tổng kết (mặc định: <--outbox đầu tiên>/tong-ket)",
    )

    _add_mail_parser(sub, _CommandParser)
    return p


def _add_mail_parser(sub: argparse._SubParsersAction, parser_class: type) -> None:
    """Add `mail fetch` and `mail drafts` to the command line."""
    m = sub.add_parser("mail", help="nhận báo cáo từ hộp thư, soạn và gửi thư trả lời đơn vị")
    cmds = m.add_subparsers(
        dest="mail_command", required=True, parser_class=parser_class, title="các lệnh", metavar="LỆNH"
    )
    f = cmds.add_parser(
        "fetch",
        help="tải thư có tệp báo cáo từ hộp thư (IMAP, chỉ đọc, không đánh dấu đã đọc) vào inbox/thu/",
    )
    f.add_argument(
        "--inbox", type=Path, default=Path("inbox"), metavar="THƯ_MỤC", help="thư mục tệp nhận được"
    )
    d = cmds.add_parser("drafts", help="soạn thư trả lời từng đơn vị theo lần tổng hợp mới nhất")
    d.add_argument(
        "--outbox",
        type=Path,
        metavar="THƯ_MỤC",
        help="thư mục kết quả (mặc định: [paths] outbox của cấu hình)",
    )
    d.add_argument(
        "--send", action="store_true", help="gửi các thư qua SMTP; thư đã gửi không bao giờ gửi lại"
    )
    d.add_argument(
        "--gui-lai-thu-chua-ro",
        dest="resend_unknown",
        action="store_true",
        help="gửi lại cả những thư lần trước mất kết nối khi đang gửi (chưa rõ đơn vị đã nhận chưa)",
    )
    d.add_argument(
        "--nhac-lai",
        dest="remind_again",
        action="store_true",
        help="gửi cả thư cho đơn vị đã nhận thư về đúng tình trạng đó (nhắc lại; mặc định không gửi lại)",
    )
    for p in (f, d):
        save = p.add_mutually_exclusive_group()
        save.add_argument(
            "--luu-mat-khau",
            dest="save_password",
            action="store_const",
            const=True,
            help="sau khi đăng nhập được, lưu mật khẩu vào kho mật khẩu của hệ thống (không hỏi)",
        )
        save.add_argument(
            "--khong-luu-mat-khau",
            dest="save_password",
            action="store_const",
            const=False,
            help="không lưu mật khẩu và không hỏi có lưu không",
        )


def _streams_speak_vietnamese() -> None:
    """Make stdout and stderr able to print Vietnamese wherever they go: a Windows console
    is UTF-8 already, but output redirected to a file or a pipe takes the ANSI code page
    (cp1252, cp1258), which cannot encode every letter. Such a stream is switched to UTF-8
    (what Notepad and Excel read); a character it still cannot take is replaced, never a
    crash."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def _office_today(form: Form) -> dt.date:
    """Today in the province (`[mail] timezone`, Việt Nam's when not set or not valid), not in
    the machine's zone: the run, its document and its letters all tell the office's days."""
    try:
        zone = load_mail_settings(form).zone
    except FormError:  # a bad zone is reported by the commands that use it
        zone = ZoneInfo(DEFAULT_ZONE)
    return dt.datetime.now(zone).date()


def main(argv: list[str] | None = None) -> int:
    _streams_speak_vietnamese()
    parser = build_parser()
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, stop_once)
    try:
        overrides = {"period": {"year": args.year}} if getattr(args, "year", None) else None
        form = load_form(config_named(args.config), overrides)
    except FormError as exc:
        sys.stderr.write(f"Lỗi cấu hình: {exc}\n")
        return EXIT_USAGE
    year = getattr(args, "year", None)
    today = _office_today(form)
    if year is not None and not form.first_year <= year <= today.year:  # exits 2
        parser.error(
            f"--year {year} nằm ngoài các năm báo cáo của chương trình "
            f"(từ {form.first_year} đến {today.year}); kiểm tra lại năm"
        )
    before = replaced(form.path) if year is not None else None
    if before is not None and year is not None and year < before[1]:  # exits 2
        parser.error(
            f"--year {year}: cấu hình {form.path.name} dùng cho các năm từ {before[1]}; số liệu năm "
            f"{year} tổng hợp bằng cấu hình {before[0].name} (--config {quoted(as_typed(before[0]))})"
        )
    if hasattr(args, "outbox") and not args.outbox:  # the configuration's own folder
        args.outbox = outboxes_of(form) if args.command == "tong-ket" else form.outbox
    warning = period_over(form, today, command_name(), getattr(args, "year", None))
    if warning and args.command not in ("new-year", "tong-ket"):  # the review is after the period
        sys.stderr.write(warning + "\n")
    try:
        # The one import of a command's module, by its name: each command imports only
        # what it needs, so `--help`, `form` and the start of `consolidate` stay light.
        return import_module(f".{_COMMANDS[args.command]}", __package__).command(form, args)
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{STOPPED}\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return EXIT_OK
    except (
        Exception
    ) as exc:  # the disk or the system, unforeseen where met: never a traceback (brk50 F5, F6),
        cause = os_error_behind(exc)  # also when a writer wrapped it (XlsxWriter's FileCreateError)
        if cause is None:
            raise
        sys.stderr.write(f"Lỗi: {io_failure(cause)}.\n")
        return EXIT_OUTBOX
