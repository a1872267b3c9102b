"""The [mail] section of the configuration: time zone, office address, IMAP and SMTP, and
`timeout`: the seconds a server may take to accept the connection, greet, or answer any one
read (30 by default), so a silent or stalled server ends the command with a message.

Passwords are never in the configuration. A server's password comes from, in this order:
the environment variable `password_env` names, the system's credential store (Windows
Credential Manager, macOS Keychain, Secret Service on Linux, through `keyring`; service
"qd588 <host>", user the mail user), else the terminal (getpass). The store is written
only when the officer agrees (`pipeline/mail/cli.py`); a system without a usable store
(a Linux server without a desktop) only means the password is asked each time.
"""

from __future__ import annotations

import getpass
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..form import Form, FormError
from ..form.addresses import ADDRESS_FORM, mail_address

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"  # Việt Nam, UTC+7, no daylight saving
DEFAULT_TIMEOUT = 30.0  # seconds a server may take to connect, greet or answer any one read
STORE_SERVICE = "qd588"  # the program's name in the credential store, before the host
FROM_ENV, FROM_STORE, ASKED = "env", "store", "asked"  # where a password came from


@dataclass(frozen=True)
class Secret:
    """A password and where it came from."""

    value: str
    source: str  # FROM_ENV, FROM_STORE or ASKED


@dataclass(frozen=True)
class Server:
    """One mail server: host, port, security ("tls", "starttls" or, on localhost only, "none")."""

    host: str
    port: int
    security: str
    user: str
    password_env: str
    cafile: str  # extra certificate authority to trust (an office CA); "" = system's
    folder: str = "INBOX"

    @property
    def store_service(self) -> str:
        """The service name of this server's password in the credential store."""
        return f"{STORE_SERVICE} {self.host}"

    def password(self, what: str) -> Secret:
        """The password: from the environment variable, else the credential store, else
        asked on the terminal (`what` names the server in the question)."""
        value = os.environ.get(self.password_env, "") if self.password_env else ""
        if value:
            return Secret(value, FROM_ENV)
        store = _store()
        if store is not None:
            try:
                stored = store.get_password(self.store_service, self.user)
            except Exception as exc:  # any backend's own error (D-Bus gone, keychain locked): ask
                _store_unusable(exc)
            else:
                if stored:
                    return Secret(stored, FROM_STORE)
        return Secret(self.ask(what), ASKED)

    def ask(self, what: str) -> str:
        """The password typed on the terminal, not shown; with no terminal (a pipe, a
        scheduled task) the line read from standard input, as getpass would, without its
        English warnings that echo cannot be turned off (brk47 N2). EOFError when none."""
        prompt = f"Mật khẩu {what} của {self.user}@{self.host}: "
        if not sys.stdin or not sys.stdin.isatty():
            sys.stderr.write(prompt)
            sys.stderr.flush()
            line = sys.stdin.readline() if sys.stdin else ""
            if not line:
                raise EOFError
            return line.rstrip("\r\n")
        return getpass.getpass(prompt)

    def save_password(self, value: str) -> bool:
        """Keep `value` in the credential store; False (and one line said) if it cannot."""
        store = _store()
        if store is None:
            return False
        try:
            store.set_password(self.store_service, self.user, value)
        except Exception as exc:  # as in password(): never a crash, only the line said
            _store_unusable(exc)
            return False
        return True

    def forget_password(self) -> None:
        """Remove this server's password from the credential store (nothing if none)."""
        store = _store()
        if store is None:
            return
        try:
            store.delete_password(self.store_service, self.user)
        except Exception:  # PasswordDeleteError (none kept) or a backend's error: nothing to undo
            pass


def store_usable() -> bool:
    """Whether the system's credential store can be used (if not, one line says so)."""
    return _store() is not None and not _said


_said: list[str] = []  # the store's problem is said once per run


def _store() -> KeyringBackend | None:
    """The system's credential store, or None when there is no usable one (the line that
    says so written once)."""
    import keyring  # imported here: `consolidate` never needs it
    from keyring.backends import fail

    store = keyring.get_keyring()
    # a stand-in (keyrings.alt's plain-text file, priority below 1) is used only when
    # chosen on purpose (PYTHON_KEYRING_BACKEND or keyring's own configuration file)
    chosen = bool(os.environ.get("PYTHON_KEYRING_BACKEND")) or keyring.core.load_config() is not None
    if isinstance(store, fail.Keyring) or (store.priority < 1 and not chosen):
        _store_unusable(None)
        return None
    return store


def _store_unusable(exc: BaseException | None) -> None:
    if _said:
        return
    why = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    _said.append(why)
    sys.stderr.write(f"Không dùng được kho mật khẩu của hệ thống{why}; mật khẩu sẽ được hỏi mỗi lần chạy.\n")


@dataclass(frozen=True)
class MailSettings:
    zone: ZoneInfo
    address: str  # the office's address, From: of the replies
    display_name: str
    imap: Server | None
    smtp: Server | None
    timeout: float = DEFAULT_TIMEOUT  # [mail] timeout: seconds per connect and per read


def load_mail_settings(form: Form) -> MailSettings:
    """The [mail] section of the form's configuration file (all of it optional).

    Raises FormError with a Vietnamese message for a bad time zone or server entry.
    """
    try:
        raw = tomllib.loads(Path(form.path).read_text(encoding="utf-8")).get("mail", {})
    except (OSError, tomllib.TOMLDecodeError):
        raw = {}
    try:
        zone = ZoneInfo(str(raw.get("timezone", DEFAULT_ZONE)))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FormError(f"[mail] timezone '{raw.get('timezone')}' không phải múi giờ hợp lệ") from exc
    base = form.path.parent
    timeout = raw.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 600:
        raise FormError(f"[mail] timeout '{timeout}' phải là số giây từ 1 đến 600 (mặc định 30)")
    typed = str(raw.get("address", "")).strip()
    address = mail_address(typed) if typed else ""
    if address is None:  # a letter from it would not go, or stop `mail drafts` (brk16)
        raise FormError(f"[mail] address '{typed}' (địa chỉ thư của cơ quan) không dùng được. {ADDRESS_FORM}")
    return MailSettings(
        zone=zone,
        address=address,
        display_name=str(raw.get("display_name", form.agencies.get("department", ""))),
        imap=_server(raw.get("imap"), "imap", 993, base),
        smtp=_server(raw.get("smtp"), "smtp", 465, base),
        timeout=float(timeout),
    )


def _server(raw: dict[str, Any] | None, what: str, port: int, base: Path) -> Server | None:
    if not raw or not raw.get("host"):
        return None
    security = str(raw.get("security", "tls"))
    host = str(raw["host"])
    if security not in ("tls", "starttls", "none"):
        raise FormError(f"[mail.{what}] security phải là 'tls', 'starttls' hoặc 'none'")
    if security == "none" and host not in ("localhost", "127.0.0.1", "::1"):
        raise FormError(f"[mail.{what}] security = 'none' chỉ dùng cho máy chủ thử trên máy này")
    cafile = str(raw.get("cafile", ""))
    return Server(
        host=host,
        port=int(raw.get("port", port if security == "tls" else 587)),
        security=security,
        user=str(raw.get("user", "")),
        password_env=str(raw.get("password_env", "")),
        cafile=str(base / cafile) if cafile else "",
        folder=str(raw.get("folder", "INBOX")),
    )
