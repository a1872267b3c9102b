"""The [mail] section of the configuration: time zone, office address, IMAP and SMTP.

Passwords are never in the configuration: `password_env` names the environment variable
that holds one; without it the command asks (getpass) and nothing is written to disk.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..form import Form, FormError

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"  # Việt Nam, UTC+7, no daylight saving


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

    def password(self, what: str) -> str:
        """The password from the environment variable, else asked on the terminal."""
        value = os.environ.get(self.password_env, "") if self.password_env else ""
        return value or getpass.getpass(f"Mật khẩu {what} của {self.user}@{self.host}: ")


@dataclass(frozen=True)
class MailSettings:
    zone: ZoneInfo
    address: str  # the office's address, From: of the replies
    display_name: str
    imap: Server | None
    smtp: Server | None


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
    return MailSettings(
        zone=zone,
        address=str(raw.get("address", "")),
        display_name=str(raw.get("display_name", form.agencies.get("department", ""))),
        imap=_server(raw.get("imap"), "imap", 993, base),
        smtp=_server(raw.get("smtp"), "smtp", 465, base),
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
