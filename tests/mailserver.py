"""Real mail servers for the tests: Dovecot (IMAP over TLS) and aiosmtpd (SMTP, STARTTLS).

Dovecot runs in the foreground (`dovecot -F`) with a throw-away configuration, mailbox and
self-signed certificate in a temporary folder, listening on 127.0.0.1 only; the fixture
stops the one process it started. Debian's `dovecot-imapd` package provides it (.ci/run
installs it); like tests/lo.py, a missing server fails the tests when CI is set.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "tonghop588", "mat-khau-thu"
USER_VI, PASSWORD_VI = "canbo588", "Mật-khẩu-Đà-Nẵng-ưỡ"  # a password with Vietnamese letters


def require_dovecot() -> None:
    """Skip when Dovecot cannot run here, but fail under CI (the server must be installed)."""
    problem = ""
    if not Path(DOVECOT).exists():
        problem = "Dovecot is not installed (apt-get install dovecot-imapd)"
    elif os.geteuid() != 0:
        problem = "Dovecot needs root to switch to its service users"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(folder: Path, days: int = 2, back: int = 0) -> tuple[Path, Path]:
    """A certificate for localhost/127.0.0.1 and its key (PEM), valid from `back` days (and
    an hour) ago for `days` days (a test whose clock moves on or back asks for more)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=back, hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain
first_valid_uid = 1
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
"""


@dataclass
class Dovecot:
    root: Path
    port: int
    cert: Path
    process: subprocess.Popen | None = None

    def connect(self, user: str = USER, password: str = PASSWORD) -> imaplib.IMAP4_SSL:
        box = imaplib.IMAP4_SSL(
            "127.0.0.1", self.port, ssl_context=ssl.create_default_context(cafile=self.cert)
        )
        if password.isascii():
            box.login(user, password)
        else:
            box.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())
        return box

    def append(self, raw: bytes, when: dt.datetime, seen: bool = False, user: str = USER) -> None:
        """Deliver a message into `user`'s INBOX with its arrival time (INTERNALDATE)."""
        box = self.connect(user, PASSWORD if user == USER else PASSWORD_VI)
        try:
            flags = "(\\Seen)" if seen else "()"
            status, _ = box.append("INBOX", flags, imaplib.Time2Internaldate(when), raw)
            assert status == "OK"
        finally:
            box.logout()

    def state(self) -> list[str]:
        """(UID, flags, RFC822.SIZE) of every message, read with EXAMINE (changes nothing)."""
        box = self.connect()
        try:
            status, _ = box.select("INBOX", readonly=True)
            assert status == "OK"
            status, data = box.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE)")
            return sorted(item.decode() for item in data if isinstance(item, bytes))
        finally:
            box.logout()


def start_dovecot() -> Iterator[Dovecot]:
    require_dovecot()
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    root.chmod(0o755)  # the mail user must reach its home
    nobody = pwd.getpwnam("nobody")
    cert, key = self_signed(root)
    users = f"{USER}:{{PLAIN}}{PASSWORD}\n{USER_VI}:{{PLAIN}}{PASSWORD_VI}\n"
    (root / "users").write_text(users, encoding="utf-8")
    for name in (USER, USER_VI):
        (root / "home" / name).mkdir(parents=True)
    for p in (root / "home", root / "home" / USER, root / "home" / USER_VI):
        os.chown(p, nobody.pw_uid, nobody.pw_gid)
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        CONF.format(root=root, cert=cert, key=key, port=port, uid=nobody.pw_uid, gid=nobody.pw_gid)
    )
    server = Dovecot(root, port, cert)
    server.process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)])
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.process.poll() is not None:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                server.process.kill()
                raise RuntimeError(f"Dovecot did not start:\n{log}") from None
            time.sleep(0.1)
    try:
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class SmtpSink:
    """What the local SMTP server received: (envelope sender, recipients, raw bytes)."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def start_smtp(cert: Path, key: Path, user: str, password: str) -> Iterator[tuple[Controller, SmtpSink]]:
    """aiosmtpd on 127.0.0.1 that requires STARTTLS and a login before accepting mail."""
    sink = SmtpSink()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (
            user,
            password,
        )
        if ok:
            sink.logins.append(user)
        return AuthResult(success=ok, handled=False)  # a refusal answered "535", as servers do

    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield controller, sink
    finally:
        controller.stop()
