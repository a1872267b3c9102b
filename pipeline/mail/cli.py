"""The `mail` commands of the command line (`fetch`, `drafts [--send]`); messages in Vietnamese."""

from __future__ import annotations

import argparse
import datetime as dt
import imaplib
import smtplib
import socket
import ssl
import sys
from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import TypeVar

from imap_tools.errors import MailboxFolderSelectError

from ..form import Form, FormError, pending_warning, where_to_fill
from ..intake.mail_settings import (
    ASKED,
    FROM_STORE,
    MailSettings,
    Secret,
    Server,
    load_mail_settings,
    store_usable,
)
from ..text.oserrors import read_reason
from ..text.safetext import for_terminal
from .after_run import check_hint, drafted_line, other_hint, past_hint, say_kept
from .draft_record import NoRunError, draft_run, drafts_dir
from .drafts import Draft, consolidate_command, drafts_command, write_drafts
from .fetch import FetchResult, FetchStopped, LoginRefused, PasswordNotSendable, fetch
from .letter_body import ERRORS, RECEIPT, RECEIVED, REMINDER, letter_settings
from .news import InboxNews, inbox_news, too_large_by_unit
from .send import (
    OUT_ALREADY,
    OUT_HELD,
    OUT_NEWER,
    OUT_NO_ADDRESS,
    OUT_OTHER,
    OUT_PARTLY,
    OUT_PAST,
    OUT_PENDING,
    OUT_REFUSED,
    OUT_REPEAT,
    OUT_STALE,
    OUT_UNCHECKED,
    OUT_UNKNOWN,
    Outcome,
    SendResult,
    SendStopped,
    current_run,
    send_drafts,
    waiting_for,
)

T = TypeVar("T")
SAVE_QUESTION = "Lưu mật khẩu vào kho mật khẩu của hệ thống để lần sau không phải nhập? (c/k) "

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
KIND_VI = {RECEIVED: "chờ kiểm tra", REMINDER: "nhắc gửi", ERRORS: "cần sửa", RECEIPT: "báo đã nhận"}


def command(form: Form, args: argparse.Namespace) -> int:
    """`mail fetch` or `mail drafts [--send]`; the exit code says how it went."""
    try:
        settings = load_mail_settings(form)
    except FormError as exc:
        sys.stderr.write(f"Lỗi cấu hình: {exc}\n")
        return EXIT_USAGE
    if args.mail_command == "fetch":
        return _fetch(form, settings, args)
    return _drafts(form, settings, args)


def _fetch(form: Form, settings: MailSettings, args: argparse.Namespace) -> int:
    if settings.imap is None:
        sys.stderr.write("Lỗi cấu hình: chưa khai báo máy chủ thư đến trong mục [mail.imap] (host, user).\n")
        return EXIT_USAGE
    imap = settings.imap
    try:
        result = with_password(
            imap, "hộp thư", args, lambda pw: fetch(form, settings, args.inbox, pw), LoginRefused
        )
    except LoginRefused:
        sys.stderr.write(
            f"Lỗi: đăng nhập hộp thư không được (máy chủ {imap.host} từ chối); kiểm tra tên đăng nhập "
            "(user trong [mail.imap]) và mật khẩu.\n"
        )
        return EXIT_FAILED
    except PasswordNotSendable:
        sys.stderr.write(
            f"Lỗi: máy chủ {imap.host} không nhận được mật khẩu có chữ tiếng Việt (không hỗ trợ "
            "AUTHENTICATE PLAIN); hãy đặt mật khẩu chỉ gồm chữ không dấu, số và ký hiệu.\n"
        )
        return EXIT_FAILED
    except FetchStopped as exc:
        _fetch_summary(exc.result, args.inbox, stopped=True)
        line = server_fault(exc.__cause__ or exc, imap, "mail.imap", settings.timeout)
        sys.stderr.write(f"{line} Các thư đã lưu trước lỗi là thư đầy đủ và được giữ lại.\n")
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - every connection fault is one line, never a traceback
        sys.stderr.write(server_fault(exc, imap, "mail.imap", settings.timeout) + "\n")
        return EXIT_FAILED
    assert isinstance(result, FetchResult)
    _fetch_summary(result, args.inbox)
    return EXIT_OK


def _fetch_summary(result: object, inbox: Path, stopped: bool = False) -> None:
    """What `mail fetch` did, one line a message and a last line of counts; `stopped`: the
    fetch stopped at a fault, so only what was saved before it is counted (brk36 F8: "0 thư
    đã có từ lần trước" where eight were)."""
    assert isinstance(result, FetchResult)
    if result.removed_leftovers:
        print(f"Đã xóa {result.removed_leftovers} tệp tạm do lần tải trước bị ngắt giữa chừng để lại.")
    for path in result.saved:
        print(f"Đã lưu: {path}")
    for path, why in result.unusual:
        print(f"Lưu ý: {path.name}: {why}")
    for label, why in result.skipped:
        print(f"Bỏ qua: {label} ({why})")
    for label, why in result.refused:
        print(f"Không tải: {label} ({why})")
    if stopped:
        print(
            f"Trước khi dừng: đã lưu {len(result.saved)} thư mới vào {inbox / 'thu'}/. Hộp thư không bị thay đổi."
        )
        return
    print(
        f"Đã lưu {len(result.saved)} thư mới vào {inbox / 'thu'}/; {len(result.already)} thư đã có từ "
        f"lần trước; bỏ qua {len(result.skipped)} thư"
        + (f"; không tải {len(result.refused)} thư" if result.refused else "")
        + ". Hộp thư không bị thay đổi."
    )


def server_fault(exc: BaseException, server: Server, section: str, timeout: float) -> str:
    """One Vietnamese line for a mail server's fault, with what to check: the name not found,
    no answer, TLS, a server that does not speak the protocol, a connection lost."""
    where = f"{server.host}:{server.port}"
    port_hint = (
        f'kiểm tra port và security trong [{section}] ("tls": cổng '
        + ("993" if section == "mail.imap" else "465")
        + ', "starttls": cổng '
        + ("143" if section == "mail.imap" else "587")
        + ")"
    )
    detail = for_terminal(" ".join(str(exc).split())[:200])
    if isinstance(exc, EOFError):  # the password prompt met the end of its input
        env = f" (biến môi trường {server.password_env})" if server.password_env else ""
        return f"Lỗi: chưa có mật khẩu cho {server.user}@{server.host}: không nhập được từ bàn phím; hãy đặt mật khẩu{env}."
    if isinstance(exc, MailboxFolderSelectError):
        return f"Lỗi: máy chủ {where} không mở được thư mục '{server.folder}'; kiểm tra folder trong [{section}]."
    if isinstance(exc, socket.gaierror):
        return (
            f"Lỗi: không tìm thấy máy chủ thư '{server.host}' (tên sai hoặc máy không vào được mạng); "
            f"kiểm tra host trong [{section}] và kết nối mạng."
        )
    if isinstance(exc, TimeoutError):
        return (
            f"Lỗi: máy chủ thư {where} không trả lời sau {timeout:g} giây; kiểm tra host, port và mạng, "
            "hoặc tăng timeout trong [mail] nếu máy chủ chậm."
        )
    if isinstance(exc, ConnectionRefusedError):
        return f"Lỗi: máy chủ {server.host} không nhận kết nối ở cổng {server.port}; {port_hint}."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"Lỗi: chứng chỉ TLS của máy chủ {where} không tin cậy được ({for_terminal(exc.verify_message)}); "
            f"kiểm tra host (đúng tên ghi trên chứng chỉ) hoặc khai cafile trong [{section}]."
        )
    if isinstance(exc, ssl.SSLError):
        return f"Lỗi: không lập được kết nối mã hóa TLS với {where} ({detail}); {port_hint}."
    lost = (ConnectionError, smtplib.SMTPServerDisconnected)
    if isinstance(exc, lost) or (isinstance(exc, imaplib.IMAP4.abort) and "EOF" in str(exc)):
        return (
            f"Lỗi: máy chủ thư {where} đóng kết nối giữa chừng; hãy chạy lại sau, nếu vẫn lỗi báo người "
            "quản trị máy chủ thư."
        )
    if isinstance(exc, imaplib.IMAP4.error | smtplib.SMTPException):
        what = "IMAP" if section == "mail.imap" else "SMTP"
        return f"Lỗi: {where} không trả lời đúng giao thức {what} ({detail}); kiểm tra host và {port_hint}."
    if isinstance(exc, OSError) and exc.filename:
        return f"Lỗi: không ghi được '{exc.filename}': {read_reason(exc)}."
    return f"Lỗi: không làm việc được với máy chủ thư {where} ({type(exc).__name__}: {detail})."


def _drafts(form: Form, settings: MailSettings, args: argparse.Namespace) -> int:
    now = dt.datetime.now(settings.zone)
    send_command = drafts_command(form, args.outbox, send=True)
    try:
        letters = letter_settings(form)
        news = inbox_news(form, args.outbox)
        big = too_large_by_unit(form, news.inbox)
        drafts = write_drafts(form, settings, args.outbox, now.date(), news.by_unit, big)
    except NoRunError as exc:
        inbox = consolidate_command(form, Path("inbox"), args.outbox)
        sys.stderr.write(f"Lỗi: {exc}: {inbox}\n")
        return EXIT_USAGE
    except FormError as exc:
        sys.stderr.write(f"Lỗi cấu hình: {exc}\n")
        return EXIT_USAGE
    if not (letters.contact or letters.phone):
        sys.stderr.write(
            "Lưu ý: thư chưa ghi người liên hệ của Sở; khai báo contact và phone trong mục "
            f"[mail.letters] của {form.path.name} để đơn vị biết gọi ai.\n"
        )
    warning = pending_warning(form)
    if warning:
        sys.stderr.write(warning + "\n")
    if news.names:
        sys.stderr.write(news_warning(form, args.outbox, news) + "\n")
    for d in drafts:
        to = ", ".join(d.to) or "CHƯA CÓ ĐỊA CHỈ (khai báo emails của đơn vị trong cấu hình)"
        print(f"{d.unit:<6} {KIND_VI[d.kind]:<12} -> {to}")
    print(drafted_line(drafts, drafts_dir(args.outbox, form.year)))
    say_kept(drafts, sys.stdout, hints=not args.send, command=send_command)  # sending: the summary says it
    if not args.send:
        return EXIT_OK
    waiting = _waiting(drafts, form, args.outbox, news.inbox or Path("inbox"))
    if waiting:
        sys.stderr.write(waiting + "\n")
        return EXIT_USAGE
    if settings.smtp is None:
        sys.stderr.write("Lỗi cấu hình: chưa khai báo máy chủ gửi thư trong mục [mail.smtp].\n")
        return EXIT_USAGE
    smtp = settings.smtp
    try:
        sent = with_password(
            smtp,
            "gửi thư",
            args,
            lambda pw: send_drafts(
                [d.path for d in drafts],
                smtp,
                pw,
                settings.zone,
                settings.timeout,
                args.resend_unknown,
                now,
                remind_again=bool(getattr(args, "remind_again", False)),
            ),
            smtplib.SMTPAuthenticationError,
            logged_in=lambda result: bool(result.sent),
        )
    except smtplib.SMTPAuthenticationError:
        sys.stderr.write(
            f"Lỗi: đăng nhập máy chủ gửi thư không được ({smtp.host} từ chối); kiểm tra tên đăng nhập "
            "(user trong [mail.smtp]) và mật khẩu. Chưa gửi thư nào.\n"
        )
        return EXIT_FAILED
    except SendStopped as exc:
        line = server_fault(exc.__cause__ or exc, smtp, "mail.smtp", settings.timeout)
        sys.stderr.write(f"{line} Chưa gửi thư nào.\n")
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - every connection fault is one line, never a traceback
        sys.stderr.write(server_fault(exc, smtp, "mail.smtp", settings.timeout) + " Chưa gửi thư nào.\n")
        return EXIT_FAILED
    units = {d.path: d.unit for d in drafts}
    today = dt.datetime.now(settings.zone).date()  # the office's day
    return _send_summary(sent, units, smtp, settings.timeout, send_command, today)


def news_warning(form: Form, outbox: Path, news: InboxNews) -> str:
    """The plain warning when the inbox holds files the latest run did not read: which, that
    the letters describe that run, and the two commands to run (Vietnamese)."""
    names = news.names
    shown = ", ".join(names[:6]) + (f" và {len(names) - 6} tệp khác" if len(names) > 6 else "")
    when = f" ({news.run_at:%H:%M} ngày {news.run_at:%d/%m/%Y})" if news.run_at else ""
    units = sorted(news.by_unit or {})
    held = f" Thư gửi đơn vị {', '.join(units)} chưa gửi được cho đến khi tổng hợp lại." if units else ""
    assert news.inbox is not None
    return (
        f"Cảnh báo: thư mục {news.inbox} có {len(names)} tệp mới mà lần tổng hợp gần nhất{when} chưa đọc: "
        f"{shown}. Các thư dưới đây viết theo kết quả lần tổng hợp đó.{held} Hãy tổng hợp trước: "
        f"{consolidate_command(form, news.inbox, outbox)}, rồi soạn lại thư: {drafts_command(form, outbox)}"
    )


def _waiting(drafts: list[Draft], form: Form, outbox: Path, inbox: Path) -> str:
    """One Vietnamese message when a draft still waits for a "cần điền" setting (nothing is
    sent then: the drafts stay for the officer to read); "" when every draft can go."""
    held: dict[str, list[str]] = {}
    for d in drafts:
        msg = message_from_bytes(d.path.read_bytes(), policy=default_policy)
        assert isinstance(msg, EmailMessage)
        what = waiting_for(msg)
        if what:
            held.setdefault(what, []).append(d.unit)
    if not held:
        return ""
    lines = [
        f"Lỗi: chưa gửi thư nào: {sum(map(len, held.values()))} thư còn chờ mục «cần điền» của cấu hình."
    ]
    for what, units in held.items():
        lines.append(
            f"  • {what} (thư gửi {len(units)} đơn vị: {', '.join(units[:8])}{'…' if len(units) > 8 else ''})"
        )
    lines.append(
        "Các mục đó (ví dụ due_before trong mục [period]: ngày hạn nộp, dạng 2025-12-01) cần điền: "
        f"{where_to_fill(form.path)}; rồi tổng hợp lại ({consolidate_command(form, inbox, outbox)}) rồi gửi bằng lệnh: "
        f"{drafts_command(form, outbox, send=True)}. Các thư đã soạn vẫn ở thư mục thu/ để xem."
    )
    return "\n".join(lines)


SEND_VI = {
    "sent": "đã gửi",
    "partly": "đã gửi, một số địa chỉ bị từ chối",
    "refused": "bị máy chủ từ chối, chưa gửi",
    "unknown": "CHƯA RÕ đã gửi hay chưa",
    "held": "CHƯA RÕ từ lần trước, không gửi lại",
    "already": "đã gửi từ trước",
    "no_address": "chưa có địa chỉ",
    "not_tried": "chưa gửi (máy chủ lỗi)",
    "pending": "còn chờ mục «cần điền» của cấu hình, KHÔNG gửi",
    "stale": "soạn theo lần tổng hợp trước, không còn đúng; KHÔNG gửi",
    "unchecked": "KHÔNG gửi: thư anh/chị đã sửa thuộc lần tổng hợp trước, cần kiểm tra",
    "past": "KHÔNG gửi: thư hẹn đơn vị một ngày đã qua",
    "newer": "KHÔNG gửi: hộp thư đến có tệp mới của đơn vị chưa được tổng hợp",
    "repeat": "không gửi lại: đơn vị đã nhận thư về đúng tình trạng này",
    "other": "KHÔNG gửi: trong thu/ có thư anh/chị lưu với tên khác gửi đơn vị này",
}
REMIND_FLAG = "--nhac-lai"  # `mail drafts --send --nhac-lai`: send again letters whose unit was told the same
UNKNOWN_HINT = (
    "Thư «chưa rõ»: kết nối mất sau khi máy chủ đã nhận nội dung thư, có thể đơn vị đã nhận. Hãy hỏi "
    "đơn vị hoặc xem hộp thư đã gửi; chỉ khi chắc chắn thư chưa đến mới chạy lại với --gui-lai-thu-chua-ro."
)


def _still(asked: str, command: str, today: dt.date) -> str:
    """Whether the letter already sent still holds: the day it asked for (`asked`, ISO) not
    past on `today` (the office's), else said past with the command that reminds again."""
    try:
        day = dt.date.fromisoformat(asked)
    except ValueError:
        return "thư đó vẫn đúng."
    if day >= today:
        return f"thư đó vẫn đúng (đề nghị gửi chậm nhất ngày {day:%d/%m/%Y})."
    return (
        f"thư đó đề nghị gửi chậm nhất ngày {day:%d/%m/%Y}, nay đã qua; muốn nhắc lại với hạn mới, chạy: "
        f"{command} {REMIND_FLAG}"
    )


def _again(o: Outcome, today: dt.date) -> str:
    """The line saying the letter of `o` was sent again on purpose (`REMIND_FLAG`): when its
    unit was told the same situation (`Outcome.told`, "hôm nay" on `today`), and the day
    that letter asked for while it is not past."""
    when = dt.datetime.fromisoformat(o.told)
    day = "hôm nay" if when.date() == today else f"ngày {when:%d/%m/%Y}"
    try:
        asked = dt.date.fromisoformat(o.told_by)
    except ValueError:
        asked = None
    kept = f"; hạn vẫn là ngày {asked:%d/%m/%Y} như thư đó" if asked is not None and asked >= today else ""
    return (
        f"Nhắc lại theo {REMIND_FLAG}: đơn vị đã nhận thư về đúng tình trạng này lúc {when:%H:%M} {day}, "
        f"nay gửi lại{kept}."
    )


def _send_summary(
    result: object, units: dict[Path, str], smtp: Server, timeout: float, command: str, today: dt.date
) -> int:
    """One line per unit that was tried or held, the server's words per refused address,
    then the counts; exit 1 when a letter was refused, its outcome is unknown, or the batch
    stopped."""
    assert isinstance(result, SendResult)
    for o in result.outcomes:
        if o.status == OUT_NO_ADDRESS or (o.status == OUT_ALREADY and not o.told):
            continue
        said = SEND_VI[OUT_REPEAT if o.status == OUT_ALREADY else o.status]  # told: the same situation
        print(f"{units.get(o.path, o.path.name):<6} {said} -> {o.to}")
        for addr, words in o.refused.items():
            print(f"       {addr + ': ' if addr else ''}máy chủ trả lời «{words}»")
        if o.status == OUT_UNCHECKED and o.kept is not None:
            print(check_hint(units.get(o.path, o.path.name), o.kept, o.path, command))
        if o.status == OUT_STALE:
            print(f"  Soạn lại theo lần tổng hợp mới nhất và gửi bằng lệnh: {command}")
        if o.status == OUT_PAST:
            print(past_hint(units.get(o.path, o.path.name), o.path, o.past, command))
        if o.status == OUT_OTHER:
            now_run = current_run(o.path.parent)
            current = all(draft_run(p) == now_run for p in o.other)
            print(other_hint(units.get(o.path, o.path.name), o.other, o.path, current, command))
        if o.status in (OUT_REPEAT, OUT_ALREADY) and o.told:
            when = dt.datetime.fromisoformat(o.told)
            print(
                f"  Thư cùng nội dung đã gửi lúc {when:%H:%M} ngày {when:%d/%m/%Y}; {_still(o.told_by, command, today)}"
            )
        if o.again and o.told:
            print(f"  {_again(o, today)}")
        if o.status == OUT_NEWER:
            print(f"  Tệp chưa tổng hợp: {o.newer}. Hãy tổng hợp lại trước, rồi gửi bằng lệnh: {command}")
    unknown = result.having(OUT_UNKNOWN, OUT_HELD)
    if unknown:
        print(UNKNOWN_HINT)
    if remind := result.remindable:
        codes = ", ".join(units.get(o.path, o.path.name) for o in remind)
        print(
            f"{len(remind)} đơn vị ({codes}) đã nhận thư về đúng tình trạng hiện nay nên không gửi lại (mỗi "
            f"thư chỉ gửi một lần). Nếu muốn nhắc lại các đơn vị đó, chạy: {command} {REMIND_FLAG}"
        )
    refused = result.having(OUT_REFUSED, OUT_PARTLY)
    print(
        f"Đã gửi {len(result.sent)} thư; {len(result.already)} thư đã gửi từ trước (không gửi lại); "
        f"{len(result.no_address)} thư chưa có địa chỉ người nhận"
        + (f"; {len(refused)} thư bị từ chối (toàn bộ hoặc một phần)" if refused else "")
        + (f"; {len(unknown)} thư chưa rõ đã gửi hay chưa" if unknown else "")
        + (f"; {len(result.stale)} thư của lần tổng hợp trước không gửi" if result.stale else "")
        + (
            f"; {len(result.unchecked)} thư chờ anh/chị kiểm tra thư đã sửa, không gửi"
            if result.unchecked
            else ""
        )
        + (f"; {len(result.held)} thư không còn đúng, không gửi" if result.held else "")
        + (f"; {len(result.other)} thư chờ anh/chị chọn giữa hai bản, không gửi" if result.other else "")
        + (f"; {len(result.repeated)} thư đơn vị đã nhận từ trước, không gửi lại" if result.repeated else "")
        + "."
    )
    if result.fault is not None:
        sys.stderr.write(
            server_fault(result.fault, smtp, "mail.smtp", timeout)
            + f" Các thư còn lại chưa gửi; để gửi tiếp, chạy lại: {command}\n"
        )
    waiting = result.having(OUT_PENDING)  # checked before sending (`_waiting`); a draft changed since
    return (
        EXIT_FAILED
        if unknown
        or refused
        or waiting
        or result.stale
        or result.unchecked
        or result.held
        or result.other
        or result.fault is not None
        else EXIT_OK
    )


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
    that logged in (`logged_in(result)`) is kept in the store if the officer agrees. A
    server without a user name (a relay that needs no login) is never asked one."""
    if not server.user:
        return work("")
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
