"""`mail drafts --send`: send the drafts over SMTP, each exactly once, each on its own.

Each unit's letter is its own transaction (MAIL, RCPT, DATA; RFC 5321 3.3): a refusal (a
recipient refused, a sender refused, a 5xx after DATA) is recorded for that unit with the
server's own words and the batch goes on; a letter refused for some of its recipients only
is sent to the others, and each refused address is said with its reply.

What was sent is recorded in `outbox/<year>/thu/da-gui.json` (Message-ID -> state,
recipients, time, file), written atomically and flushed at two moments: "sending" right
before DATA, "sent" (or "refused") once the server has answered the message. A crash, or
a reply to DATA that never comes (the connection lost, a timeout), leaves "sending": the
letter may or may not have gone, its outcome is unknown, and it is not sent again unless
the officer says so (`--gui-lai-thu-chua-ro`), so there is never a silent second copy.
Drafts carry a Message-ID derived from their content, so a reply regenerated unchanged
keeps its identity. A letter is sent as it lies in `thu/`: the officer's edits, saved by a
mail client, go as saved (`read_letter`). A draft that describes another run than the current set's (its
`drafts.RUN_HEADER` against the set's `bao-cao.json`; the run recorded in `DRAFTED` when a mail
client dropped the header) is never sent: it is told as stale; nor a draft whose unit has a
letter the officer saved under another name beside it (`officer_version`); nor a letter about
the same situation as one its unit was sent already (`told_before`: a reminder drafted again
the next day), unless the officer asks (`remind_again`); nor is a new draft whose unit's
letter, edited by the officer for an earlier run, was not checked yet (`awaiting_check`); nor
is a draft that waits for a "cần điền" setting of the configuration (`PENDING_HEADER`, e.g. a
reminder while the deadline is not set), told as pending; nor a letter that asks its unit to
act by a day already past (`days_past`: the officer's edited letter, written days before,
told with the day), nor one whose unit has files in the inbox the run did not read (the
record's "newer", see `news.inbox_news`). A letter that goes is dated when it goes (its
`Date:` header; written when drafted, it may be days old) and carries `RUN_HEADER` (put back
when the officer's mail client dropped it): a copy that comes back into the office's mailbox
is known as the office's own (`intake.message_headers.own_letter`), never read as a report. A letter the officer edited for
an earlier run and that was sent is history: it never holds the unit's next letter. SMTP is spoken by the standard library (`smtplib`; TLS from the start
or STARTTLS, RFC 3207).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from ..intake.mail_settings import Server
from ..intake.message_headers import LETTER_HEADER
from ..outbox.atomic import write_bytes_atomic
from ..outbox.paths import REPORT
from ..system.signals import raise_if_stopping
from ..text.safetext import for_terminal

RECORD = "da-gui.json"
RUN_HEADER = LETTER_HEADER  # the run a draft describes (drafts write it; a letter that goes has it)
PENDING_HEADER = "X-Can-Dien"  # "<config file>: <setting>, …" a draft's text waits for; never sent
SENDING, SENT, REFUSED = "sending", "sent", "refused"  # states in the record
# what became of one letter in this run
OUT_SENT, OUT_PARTLY, OUT_REFUSED, OUT_UNKNOWN, OUT_ALREADY, OUT_HELD, OUT_NO_ADDRESS, OUT_NOT_TRIED = (
    "sent", "partly", "refused", "unknown", "already", "held", "no_address", "not_tried",
)  # fmt: skip
OUT_STALE = "stale"  # a draft of an earlier run: not sent
OUT_PENDING = "pending"  # a draft that waits for a "cần điền" setting: not sent
OUT_UNCHECKED = "unchecked"  # a new draft while the officer's edited letter of an earlier run waits: not sent
OUT_PAST = "past"  # a letter asking for something by a day already past: not sent
OUT_NEWER = "newer"  # the inbox holds files of its unit the run it describes did not read: not sent
OUT_OTHER = "other"  # the officer's letter to its unit saved under another name lies beside it: not sent
OUT_REPEAT = "repeat"  # its unit was sent a letter about the same situation already: not sent again
DRAFTED = "danh-sach-thu-da-soan.json"  # per draft file, as `drafts` wrote it: see `drafted_record`
ACTS = "acts"  # in `DRAFTED`: "1" for a letter asking its unit to act (`remind_again` sends it again)
STALE_DIR = "cu"  # where `drafts` puts earlier drafts aside (the officer's edited ones as `…-ban-da-sua`)
_CLIENT_HEADERS = (
    "X-Unsent",
    "X-Mozilla-Status",
    "X-Mozilla-Status2",
    "X-Mozilla-Keys",
    "X-Mozilla-Draft-Info",
)


@dataclass
class Outcome:
    """One letter: its draft, what became of it, and the server's words per address."""

    path: Path
    status: str  # one of OUT_*
    to: str = ""
    refused: dict[str, str] = field(default_factory=dict)  # address (or "" for the whole letter) -> reply
    kept: Path | None = None  # OUT_UNCHECKED: the officer's edited letter of an earlier run
    past: tuple[dt.date, ...] = ()  # OUT_PAST: the days asked for that are past
    newer: str = ""  # OUT_NEWER: the inbox files of its unit not read yet ("a.xlsx, b.eml")
    # when the unit was sent its letter about the same situation (ISO), and the day that letter
    # asked for (ISO, "" when none): OUT_REPEAT; OUT_ALREADY (this very letter) when it asks
    # the unit to act (`remindable`); OUT_SENT, OUT_PARTLY when sent again on purpose (`again`)
    told: str = ""
    told_by: str = ""
    again: bool = False  # OUT_SENT, OUT_PARTLY: sent again on purpose (`remind_again`), see `told`
    other: tuple[Path, ...] = ()  # OUT_OTHER: the officer's letters to its unit, in `thu/`


@dataclass
class SendResult:
    outcomes: list[Outcome] = field(default_factory=list)
    fault: BaseException | None = None  # the server fault that stopped the batch, if any

    def having(self, *status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in status]

    @property
    def sent(self) -> list[Path]:
        return [o.path for o in self.having(OUT_SENT, OUT_PARTLY)]

    @property
    def already(self) -> list[Path]:
        return [o.path for o in self.having(OUT_ALREADY)]

    @property
    def no_address(self) -> list[Path]:
        return [o.path for o in self.having(OUT_NO_ADDRESS)]

    @property
    def stale(self) -> list[Path]:
        return [o.path for o in self.having(OUT_STALE)]

    @property
    def unchecked(self) -> list[Outcome]:
        return self.having(OUT_UNCHECKED)

    @property
    def held(self) -> list[Outcome]:
        """Letters not sent because what they say is no longer true: a day asked for is past,
        or the unit's newer files are not consolidated yet."""
        return self.having(OUT_PAST, OUT_NEWER)

    @property
    def other(self) -> list[Outcome]:
        """Letters held because the officer's own version lies beside them (`officer_version`)."""
        return self.having(OUT_OTHER)

    @property
    def repeated(self) -> list[Outcome]:
        """Letters not sent because their unit was told the same already (`told_before`)."""
        return self.having(OUT_REPEAT)

    @property
    def remindable(self) -> list[Outcome]:
        """Letters not sent that `remind_again` would send: their unit was told the same
        already (`repeated`), or this very letter was sent and asks its unit to act."""
        return [o for o in self.outcomes if o.status == OUT_REPEAT or (o.status == OUT_ALREADY and o.told)]


class SendStopped(Exception):
    """The server could not be reached or refused the login: nothing more was sent. The
    cause is `__cause__`; `result` holds what was decided before."""

    def __init__(self, result: SendResult) -> None:
        super().__init__("send stopped")
        self.result = result


def load_record(folder: Path) -> dict[str, dict[str, Any]]:
    """Message-ID -> {"state", "to", "sent_at", "file", "refused"} of every letter tried
    from `folder` (an entry without "state", from an earlier version, was sent)."""
    try:
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def waiting_for(msg: EmailMessage) -> str:
    """What "cần điền" setting a draft still waits for ("<file>: <setting>, …"), "" when none:
    its `PENDING_HEADER`, or "cần điền" left in its text (said as such)."""
    marked = str(msg.get(PENDING_HEADER, "") or "").strip()
    if marked:
        return marked
    body = msg.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    return "nội dung thư còn chữ «cần điền»" if "cần điền" in str(text).casefold() else ""


def current_run(folder: Path) -> str | None:
    """The run id of the output set a drafts folder lies in (its `bao-cao.json`), or None
    when the folder is not in a set (drafts made elsewhere are not judged)."""
    try:
        data = json.loads((folder.parent / REPORT).read_text(encoding="utf-8"))
        return str(data["run_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def drafted_record(folder: Path) -> dict[str, dict[str, str]]:
    """The record of the drafts in `folder` as `drafts` wrote them (`DRAFTED`): file name ->
    {"sha256": of the bytes written, "run": the run it describes, "unit_set": what of that
    run the letter is about (the unit's files, their findings, the kind of letter; see
    `draft_record.unit_set`), "by": the day it asks for (ISO), and when so: "kept": the officer's
    edited letter of an earlier run put aside for it, a name in `thu/cu/`, until the officer
    checks it; "carried": the run id in the officer's edited letter when a later run is the
    same for that unit (the letter describes the later run, "run"); "newer": the inbox files
    of its unit that run did not read, comma-separated (not sent then); "feedback_…": the
    officer's annotated feedback workbook and the unit's part of the set it was annotated in,
    see `attachments.OfficerFeedback`; `ACTS`: "1" when the letter asks its unit to act}. An entry of an
    older version (the SHA-256 alone) reads as {"sha256": …}; {} when there is no record."""
    try:
        data = json.loads((folder / DRAFTED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, dict[str, str]] = {}
    for name, entry in data.items():
        if isinstance(entry, str):
            out[str(name)] = {"sha256": entry}
        elif isinstance(entry, dict):
            out[str(name)] = {str(k): str(v) for k, v in entry.items() if isinstance(v, str)}
    return out


def edited_since_drafted(path: Path, entry: dict[str, str] | None) -> bool:
    """Whether the draft at `path` was changed since `drafts` wrote it (by the officer, in a
    mail client or a text editor): its SHA-256 is not the recorded one. A draft without a
    record is not."""
    if not entry or "sha256" not in entry or not path.is_file():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]


def letter_run(msg: EmailMessage, entry: dict[str, str] | None) -> str:
    """The run a letter describes: its `RUN_HEADER`, else (a mail client that dropped the
    header on saving) the run its file was drafted for, from the record; "" if neither. An
    officer's letter whose header names the run recorded as "carried" describes the record's
    run (a later run the same for its unit, see `drafted_record`)."""
    entry = entry or {}
    header = str(msg.get(RUN_HEADER, "") or "").strip()
    if header and header == entry.get("carried"):
        return entry.get("run", header)
    return header or entry.get("run", "")


def sent_already(path: Path) -> bool:
    """Whether the letter at `path` (in `thu/` or `thu/cu/`) is recorded as sent in the
    drafts folder's `RECORD` (by its Message-ID, as `read_letter` reads it). A sent letter
    is history: it never holds a later one."""
    folder = path.parent.parent if path.parent.name == STALE_DIR else path.parent
    try:
        msg_id = str(read_letter(path)["Message-ID"])
    except (OSError, ValueError):
        return False
    entry = load_record(folder).get(msg_id)
    return entry is not None and _state(entry) == SENT


def told_before(
    record: dict[str, dict[str, Any]], name: str, situation: str, but: str = ""
) -> list[dict[str, Any]]:
    """The letters of the send `record` sent from the draft file `name` (a unit's letter)
    about the same `situation` (`draft_record.unit_set`, recorded when sent), the Message-ID
    `but` aside, earliest first: what the unit was already told of this very situation."""
    if not situation:
        return []
    told = [
        {**entry, "message_id": msg_id}
        for msg_id, entry in record.items()
        if msg_id != but
        and _state(entry) == SENT
        and entry.get("file") == name
        and entry.get("unit_set") == situation
    ]
    return sorted(told, key=lambda e: str(e.get("sent_at", "")))


_ASKED = re.compile(r"chậm nhất ngày (\d{1,2})/(\d{1,2})/(\d{4})(?! \(đã quá hạn)")


def days_asked(msg: EmailMessage, entry: dict[str, str] | None = None) -> list[dt.date]:
    """The days a letter asks its unit to act by: each "chậm nhất ngày dd/mm/yyyy" of its
    text (a deadline the letter itself says is past, "… (đã quá hạn; …)", is not asked for),
    and the day `drafts` recorded ("by") when the text still says it. Sorted, each once."""
    body = msg.get_body(("plain",))
    text = " ".join(str(body.get_content() if body is not None else "").split())
    days = set()
    for d, m, y in _ASKED.findall(text):
        try:
            days.add(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    by = (entry or {}).get("by", "")
    try:
        if by and f"{dt.date.fromisoformat(by):%d/%m/%Y}" in text:
            days.add(dt.date.fromisoformat(by))
    except ValueError:
        pass
    return sorted(days)


def days_past(msg: EmailMessage, entry: dict[str, str] | None, today: dt.date) -> tuple[dt.date, ...]:
    """The days the letter asks for (`days_asked`) that are before `today`: such a letter
    is never sent as it is."""
    return tuple(d for d in days_asked(msg, entry) if d < today)


def awaiting_check(path: Path, entry: dict[str, str] | None) -> Path | None:
    """The officer's edited letter of an earlier run that the draft at `path` (written anew
    for the current run) has not been checked against, or None: the record names it
    ("kept"), it is still in `thu/cu/`, and the officer has not changed the new draft since
    (copying the additions into it is the check). Deleting the kept letter says its additions
    are not needed. A kept letter that was sent is history and holds nothing."""
    kept = (entry or {}).get("kept", "")
    if not kept or edited_since_drafted(path, entry):
        return None
    aside = path.parent / STALE_DIR / kept
    return aside if aside.is_file() and not sent_already(aside) else None


def officer_version(path: Path, entry: dict[str, str] | None) -> tuple[Path, ...]:
    """The officer's letters to the unit of the draft at `path` saved under other names in
    its folder (the record's "other", `drafts.write_drafts`), those still there: while one
    is, the draft is not sent (which of them is the letter is the officer's to say)."""
    names = [n for n in (entry or {}).get("other", "").split("\n") if n]
    return tuple(path.parent / n for n in names if (path.parent / n).is_file())


def read_letter(path: Path) -> EmailMessage:
    """A letter as it lies in `thu/`, as `drafts` wrote it or as the officer's mail client
    saved it (headers re-folded, the body re-encoded, an mbox "From " line first: the
    standard library's parser reads them all). A letter saved without a Message-ID is given
    one derived from its bytes, so the send record can name it. OSError if unreadable."""
    data = path.read_bytes()
    msg = message_from_bytes(data, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    if not msg["Message-ID"]:
        sender = str(msg["From"] or "")
        domain = sender.rpartition("@")[2].strip(" >") or "localhost"
        msg["Message-ID"] = f"<sua-{hashlib.sha256(data).hexdigest()[:24]}@{domain}>"
    return msg


def _state(entry: dict[str, Any]) -> str:
    return str(entry.get("state", SENT))


def _told(entry: dict[str, Any]) -> dict[str, str]:
    """`Outcome.told` and `Outcome.told_by` of a letter sent, from its entry of the record."""
    return {"told": str(entry.get("sent_at", "")), "told_by": str(entry.get("by", ""))}


def _again_id(msg_id: str, now: dt.datetime) -> str:
    """A new Message-ID for the letter `msg_id` sent again at `now` (a message sent twice is
    two messages, RFC 5322 3.6.4), in the same domain."""
    domain = msg_id.strip("<> ").rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(f"{msg_id} {now.isoformat()}".encode()).hexdigest()[:24]
    return f"<nhac-{digest}@{domain}>"


def reply_text(code: int | None, text: bytes | str) -> str:
    """A server's reply as one inert line: "550 5.1.1 <a@b>: no such user"."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(f"{code or ''} {text}".split())
    return for_terminal(line[:300])


class _BeforeData:
    """smtplib's client with a hook run right before DATA (after MAIL and RCPT were
    accepted): where the record says "sending"."""

    before_data: Callable[[], None] | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        if self.before_data is not None:
            self.before_data()
        return super().data(msg)  # type: ignore[misc]


class _SMTP(_BeforeData, smtplib.SMTP):
    pass


class _SMTPSSL(_BeforeData, smtplib.SMTP_SSL):
    pass


def _connect(server: Server, password: str, timeout: float) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=server.cafile or None)
    smtp: smtplib.SMTP
    if server.security == "tls":
        smtp = _SMTPSSL(server.host, server.port, context=context, timeout=timeout)
    else:
        smtp = _SMTP(server.host, server.port, timeout=timeout)
    try:
        if server.security == "starttls":
            smtp.starttls(context=context)
        if server.user:
            smtp.login(server.user, password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_drafts(
    drafts: list[Path],
    server: Server,
    password: str,
    zone: dt.tzinfo,
    timeout: float = 60.0,
    resend_unknown: bool = False,
    now: dt.datetime | None = None,
    remind_again: bool = False,
) -> SendResult:
    """Send each draft not yet recorded as sent, each in its own transaction.

    A letter left "sending" by an earlier run (outcome unknown) is sent only with
    `resend_unknown`. A letter about the same situation as one its unit was sent already
    (`told_before`: the same draft file, the same `unit_set`, another Message-ID, e.g. a
    reminder drafted again a day later) is not sent again (OUT_REPEAT) unless
    `remind_again`; nor is a letter recorded as sent (OUT_ALREADY), unless `remind_again` and
    it asks its unit to act (`ACTS` in `DRAFTED`: a unit that has not sent, or whose file was
    refused, reminded on purpose even the same day): it goes again under a new Message-ID,
    `Outcome.again`. `now` is the time of sending (default: the clock, in `zone`): a letter
    asking for something by a day before it is held (OUT_PAST), and each letter sent is dated
    by it (its `Date:` header, RFC 5322 3.6.1: when it was written may be days before). Raises smtplib.SMTPAuthenticationError when the login is refused,
    SendStopped (the cause attached) when the server cannot be reached before anything is
    sent; a fault later (the connection
    lost) ends the batch with `result.fault` set and every letter's outcome recorded.
    """
    out = SendResult()
    try:
        at = now or dt.datetime.now(zone)
        _send_all(drafts, server, password, zone, timeout, resend_unknown, out, at, remind_again)
    finally:
        order = {path: k for k, path in enumerate(drafts)}
        out.outcomes.sort(key=lambda o: order.get(o.path, len(order)))  # the drafts' order
    return out


def _send_all(
    drafts: list[Path],
    server: Server,
    password: str,
    zone: dt.tzinfo,
    timeout: float,
    resend_unknown: bool,
    out: SendResult,
    now: dt.datetime,
    remind_again: bool = False,
) -> SendResult:
    if not drafts:
        return out
    folder = drafts[0].parent
    record = load_record(folder)
    drafted = drafted_record(folder)
    current = current_run(folder)
    todo: list[tuple[Path, EmailMessage]] = []
    again: dict[Path, dict[str, str]] = {}  # a letter sent again on purpose -> `_told` of the last one
    for path in drafts:
        msg = read_letter(path)
        msg_id = str(msg["Message-ID"])
        entry = record.get(msg_id)
        kept = awaiting_check(path, drafted.get(path.name))
        acts = drafted.get(path.name, {}).get(ACTS) == "1"
        situation = drafted.get(path.name, {}).get("unit_set", "")
        if current is not None and letter_run(msg, drafted.get(path.name)) != current:
            out.outcomes.append(Outcome(path, OUT_STALE, str(msg["To"] or "")))
        elif kept is not None:
            out.outcomes.append(Outcome(path, OUT_UNCHECKED, str(msg["To"] or ""), kept=kept))
        elif other := officer_version(path, drafted.get(path.name)):
            out.outcomes.append(Outcome(path, OUT_OTHER, str(msg["To"] or ""), other=other))
        elif waiting_for(msg):
            out.outcomes.append(Outcome(path, OUT_PENDING, str(msg["To"] or "")))
        elif entry is not None and _state(entry) == SENT and not (remind_again and acts):
            last = [entry, *told_before(record, path.name, situation)][-1]  # it, or it sent again since
            out.outcomes.append(
                Outcome(path, OUT_ALREADY, str(entry.get("to", "")), **(_told(last) if acts else {}))
            )
        elif entry is not None and _state(entry) == SENDING and not resend_unknown:
            out.outcomes.append(Outcome(path, OUT_HELD, str(entry.get("to", ""))))
        elif not remind_again and (told := told_before(record, path.name, situation, msg_id)):
            out.outcomes.append(Outcome(path, OUT_REPEAT, str(msg["To"] or ""), **_told(told[-1])))
        elif drafted.get(path.name, {}).get("newer"):
            out.outcomes.append(
                Outcome(path, OUT_NEWER, str(msg["To"] or ""), newer=drafted[path.name]["newer"])
            )
        elif days_past(msg, drafted.get(path.name), now.date()):
            past = days_past(msg, drafted.get(path.name), now.date())
            out.outcomes.append(Outcome(path, OUT_PAST, str(msg["To"] or ""), past=past))
        elif not msg["To"]:
            out.outcomes.append(Outcome(path, OUT_NO_ADDRESS))
        else:
            if not str(msg.get(RUN_HEADER, "") or "").strip():  # a mail client dropped it on saving
                msg[RUN_HEADER] = letter_run(msg, drafted.get(path.name)) or current or "?"
            told = (
                told_before(record, path.name, drafted.get(path.name, {}).get("unit_set", ""))
                if remind_again
                else []
            )
            if entry is not None and _state(entry) == SENT:  # this very letter, sent again on purpose
                msg.replace_header("Message-ID", _again_id(msg_id, now))
            todo.append((path, msg))
            if told:
                again[path] = _told(told[-1])
    if not todo:
        return out

    def save() -> None:
        write_bytes_atomic(folder / RECORD, json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))

    smtp: smtplib.SMTP | None = None
    try:
        for k, (path, msg) in enumerate(todo):
            raise_if_stopping()  # no letter goes after a Ctrl-C, even one a library swallowed
            if smtp is None:
                try:
                    smtp = _connect(server, password, timeout)
                except Exception as exc:
                    if isinstance(exc, smtplib.SMTPAuthenticationError):
                        raise  # the password: the caller may ask again
                    if k == 0:
                        raise SendStopped(out) from exc
                    out.fault = exc
                    out.outcomes += [Outcome(p, OUT_NOT_TRIED, str(m["To"])) for p, m in todo[k:]]
                    return out
            try:
                outcome = _send_one(smtp, path, msg, record, now, save, drafted.get(path.name, {}))
            except (smtplib.SMTPException, OSError) as exc:  # before DATA: nothing of it went
                out.fault = exc
                out.outcomes += [Outcome(p, OUT_NOT_TRIED, str(m["To"])) for p, m in todo[k:]]
                smtp.close()
                smtp = None
                return out
            if outcome.status in (OUT_SENT, OUT_PARTLY) and path in again:
                outcome = replace(outcome, again=True, **again[path])
            out.outcomes.append(outcome)
            if outcome.status == OUT_UNKNOWN:  # the connection is lost or in an unknown state
                smtp.close()
                smtp = None
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001 - the letters are decided; a lost QUIT changes nothing
                smtp.close()
    return out


def _send_one(
    smtp: smtplib.SMTP,
    path: Path,
    msg: EmailMessage,
    record: dict[str, dict[str, Any]],
    now: dt.datetime,
    save: Callable[[], None],
    drafted: dict[str, str] | None = None,
) -> Outcome:
    """One letter's transaction, dated `now`; its state recorded before DATA and after the
    reply, with what of the run it is about and the day it asks for (from its entry of
    `DRAFTED`, `drafted`: `told_before` and `drafts.asked_by` read them)."""
    msg_id, to = str(msg["Message-ID"]), str(msg["To"])
    for name in _CLIENT_HEADERS:  # a sent message is no longer a draft (nor a mail client's)
        del msg[name]
    del msg["Date"]  # written when drafted (or saved by the officer), maybe days ago
    msg["Date"] = format_datetime(now)

    def mark(state: str, refused: dict[str, str] | None = None) -> None:
        entry: dict[str, Any] = {
            "state": state,
            "to": to,
            "sent_at": now.isoformat(timespec="seconds"),
            "file": path.name,
            **{k: v for k, v in (drafted or {}).items() if k in ("unit_set", "by")},
        }
        if refused:
            entry["refused"] = refused
        record[msg_id] = entry
        save()

    assert isinstance(smtp, _BeforeData)
    smtp.before_data = lambda: mark(SENDING)
    try:
        refused = smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused: nothing sent
        words = {addr: reply_text(code, text) for addr, (code, text) in exc.recipients.items()}
        mark(REFUSED, words)
        return Outcome(path, OUT_REFUSED, to, words)
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:  # a definite answer: not sent
        words = {"": reply_text(exc.smtp_code, exc.smtp_error)}
        mark(REFUSED, words)
        return Outcome(path, OUT_REFUSED, to, words)
    except (smtplib.SMTPException, OSError) as exc:
        entry = record.get(msg_id)
        if entry is not None and _state(entry) == SENDING:
            return Outcome(path, OUT_UNKNOWN, to, {"": for_terminal(str(exc)[:300])})
        raise  # before DATA: nothing can have gone; the caller ends the batch
    finally:
        smtp.before_data = None
    words = {addr: reply_text(code, text) for addr, (code, text) in refused.items()}
    mark(SENT, words)
    return Outcome(path, OUT_PARTLY if words else OUT_SENT, to, words)
