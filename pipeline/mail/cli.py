"""The `mail` commands of the command line (`fetch`, `drafts [--send]`); messages in Vietnamese."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..form import Form, FormError
from ..intake.mail_settings import (
    ASKED,
    FROM_STORE,
    MailSettings,
    Secret,
    Server,
    load_mail_settings,
    store_usable,
)

T = TypeVar("T")
SAVE_QUESTION = "Lưu mật khẩu vào kho mật khẩu của hệ thống để lần sau không phải nhập? (c/k) "

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
KIND_VI = {"errors": "cần sửa", "reminder": "nhắc gửi", "receipt": "báo đã nhận"}


def add_mail_parser(sub: argparse._SubParsersAction, parser_class: type) -> None:
    """Add `mail fetch` and `mail drafts` to the command line."""
    m = sub.add_parser("mail", help="nhận báo cáo từ hộp thư, soạn và gửi thư trả lời đơn vị")
    cmds = m.add_subparsers(dest="mail_command", required=True, parser_class=parser_class)
    f = cmds.add_parser(
        "fetch",
        help="tải thư có tệp báo cáo từ hộp thư (IMAP, chỉ đọc, không đánh dấu đã đọc) vào inbox/thu/",
    )
    f.add_argument(
        "--inbox", type=Path, default=Path("inbox"), metavar="THƯ_MỤC", help="thư mục tệp nhận được"
    )
    d = cmds.add_parser("drafts", help="soạn thư trả lời từng đơn vị theo lần tổng hợp mới nhất")
    d.add_argument("--outbox", type=Path, default=Path("outbox"), metavar="THƯ_MỤC", help="thư mục kết quả")
    d.add_argument(
        "--send", action="store_true", help="gửi các thư qua SMTP; thư đã gửi không bao giờ gửi lại"
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


def run_mail(form: Form, args: argparse.Namespace) -> int:
    try:
        settings = load_mail_settings(form)
    except FormError as exc:
        sys.stderr.write(f"Lỗi cấu hình: {exc}\n")
        return EXIT_USAGE
    if args.mail_command == "fetch":
        return _fetch(form, settings, args)
    return _drafts(form, settings, args)


def _fetch(form: Form, settings: MailSettings, args: argparse.Namespace) -> int:
    # imported here, like the other commands' modules: `consolidate` need not load IMAP
    from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError

    from .fetch import fetch

    if settings.imap is None:
        sys.stderr.write("Lỗi cấu hình: chưa khai báo máy chủ thư đến trong mục [mail.imap] (host, user).\n")
        return EXIT_USAGE
    imap = settings.imap
    try:
        result = with_password(
            imap, "hộp thư", args, lambda pw: fetch(form, settings, args.inbox, pw), MailboxLoginError
        )
    except MailboxLoginError:
        sys.stderr.write("Lỗi: đăng nhập hộp thư không được; kiểm tra tên đăng nhập và mật khẩu.\n")
        return EXIT_FAILED
    except (OSError, UnexpectedCommandStatusError) as exc:
        sys.stderr.write(f"Lỗi: không kết nối được máy chủ thư {settings.imap.host}: {exc}\n")
        return EXIT_FAILED
    for path in result.saved:
        print(f"Đã lưu: {path}")
    for label, why in result.skipped:
        print(f"Bỏ qua: {label} ({why})")
    print(
        f"Đã lưu {len(result.saved)} thư mới vào {args.inbox / 'thu'}/; {len(result.already)} thư đã có từ "
        f"lần trước; bỏ qua {len(result.skipped)} thư. Hộp thư không bị thay đổi."
    )
    return EXIT_OK


def _drafts(form: Form, settings: MailSettings, args: argparse.Namespace) -> int:
    import smtplib

    from .drafts import NoRunError, write_drafts
    from .send import send_drafts

    try:
        drafts = write_drafts(form, settings, args.outbox, dt.datetime.now(settings.zone).date())
    except NoRunError as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return EXIT_USAGE
    for d in drafts:
        to = ", ".join(d.to) or "CHƯA CÓ ĐỊA CHỈ (khai báo emails của đơn vị trong cấu hình)"
        print(f"{d.unit:<6} {KIND_VI[d.kind]:<12} -> {to}")
    print(f"Đã soạn {len(drafts)} thư trong {drafts[0].path.parent if drafts else args.outbox}/")
    if not args.send:
        return EXIT_OK
    if settings.smtp is None:
        sys.stderr.write("Lỗi cấu hình: chưa khai báo máy chủ gửi thư trong mục [mail.smtp].\n")
        return EXIT_USAGE
    smtp = settings.smtp
    try:
        sent = with_password(
            smtp,
            "gửi thư",
            args,
            lambda pw: send_drafts([d.path for d in drafts], smtp, pw, settings.zone),
            smtplib.SMTPAuthenticationError,
            logged_in=lambda result: bool(result.sent),
        )
    except smtplib.SMTPAuthenticationError:
        sys.stderr.write("Lỗi: đăng nhập máy chủ gửi thư không được; kiểm tra tên đăng nhập và mật khẩu.\n")
        return EXIT_FAILED
    except (OSError, smtplib.SMTPException) as exc:
        sys.stderr.write(f"Lỗi gửi thư qua {settings.smtp.host}: {exc}. Các thư đã gửi được ghi lại.\n")
        return EXIT_FAILED
    print(
        f"Đã gửi {len(sent.sent)} thư; {len(sent.already)} thư đã gửi từ trước (không gửi lại); "
        f"{len(sent.no_address)} thư chưa có địa chỉ người nhận."
    )
    return EXIT_OK


def with_password(
    server: Server,
    what: str,
    args: argparse.Namespace,
    work: Callable[[str], T],
    refused: type[Exception],
    logged_in: Callable[[T], bool] = lambda _result: True,
) -> T:
    """Run `work(password)`, the password from `server.password`. A stored password the
    server refuses is removed from the store and the officer is asked once more; a password
    that logged in (`logged_in(result)`) is kept in the store if the officer agrees."""
    secret = server.password(what)
    try:
        result = work(secret.value)
    except refused:
        if secret.source != FROM_STORE:
            raise
        server.forget_password()
        sys.stderr.write(
            "Máy chủ từ chối mật khẩu đã lưu trong kho mật khẩu của hệ thống; đã xóa mật khẩu đó, "
            "hãy nhập lại.\n"
        )
        secret = Secret(server.ask(what), ASKED)
        result = work(secret.value)
    if secret.source != FROM_STORE and logged_in(result) and _wants_saved(secret, args):
        if server.save_password(secret.value):
            print("Đã lưu mật khẩu vào kho mật khẩu của hệ thống; lần sau không phải nhập.")
    return result


def _wants_saved(secret: Secret, args: argparse.Namespace) -> bool:
    """--luu-mat-khau / --khong-luu-mat-khau, else the officer's answer (a typed password,
    on a terminal, with a usable store); scripts that say nothing are never asked."""
    choice = getattr(args, "save_password", None)
    if choice is not None:
        return bool(choice)
    if secret.source != ASKED or not sys.stdin.isatty() or not store_usable():
        return False
    try:
        answer = input(SAVE_QUESTION)
    except EOFError:
        return False
    return answer.strip().casefold() in ("c", "có", "co", "y", "yes")
