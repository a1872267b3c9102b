"""Misbehaving mail servers for the fault tests, each on 127.0.0.1 at a random port.

Small servers of our own (plain sockets, one thread per connection) that do what real
servers do on a bad day: accept and never greet, greet in another protocol, stall or hang
up inside a FETCH, lose the reply to DATA. aiosmtpd plays the SMTP server that refuses one
recipient or one message. Every server stops by itself: after `lifetime` seconds or
`connections` accepted connections, whichever comes first, and when its `with` block ends.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from .mailserver import free_port

Behave = Callable[[socket.socket, threading.Event], None]


class BadServer:
    """Run `behave(conn, stop)` for each accepted connection, in its own thread."""

    def __init__(self, behave: Behave, connections: int = 4, lifetime: float = 30.0) -> None:
        self.behave = behave
        self.connections = connections
        self.lifetime = lifetime
        self.stop = threading.Event()
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> BadServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)

    def _serve(self) -> None:
        deadline = time.monotonic() + self.lifetime
        workers = []
        try:
            while not self.stop.is_set() and time.monotonic() < deadline and self.accepted < self.connections:
                try:
                    conn, _ = self.listener.accept()
                except TimeoutError:
                    continue
                self.accepted += 1
                self.open.append(conn)
                t = threading.Thread(target=self._one, args=(conn,), daemon=True)
                t.start()
                workers.append(t)
            self.stop.wait(max(0.0, deadline - time.monotonic()))
        finally:
            self.stop.set()
            self.listener.close()
            for conn in self.open:
                conn.close()
            for t in workers:
                t.join(2)

    def _one(self, conn: socket.socket) -> None:
        conn.settimeout(self.lifetime)
        try:
            self.behave(conn, self.stop)
        except OSError:
            pass  # the client went away, or the server is stopping
        finally:
            conn.close()


def silent(conn: socket.socket, stop: threading.Event) -> None:
    """Accept, never greet (a firewall that swallows, a stuck server)."""
    stop.wait()


def greets_with(banner: bytes) -> Behave:
    """Greet in another protocol (an SSH or HTTP server on the port), then hang up."""

    def behave(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(banner)
        stop.wait(0.5)

    return behave


@dataclass
class FakeImap:
    """Just enough IMAP4rev1 for `mail fetch`: LOGIN, EXAMINE, UID SEARCH, UID FETCH of
    sizes and headers, partial UID FETCH of bodies. The body of message `fail_uid` is cut
    after `cut_after` bytes, then the server stalls (`how` = "stall") or hangs up ("close")."""

    messages: list[bytes]
    fail_uid: int = 0
    how: str = "stall"
    cut_after: int = 100
    capabilities: str = "IMAP4rev1 AUTH=PLAIN"
    logins: list[str] = field(default_factory=list)

    def __call__(self, conn: socket.socket, stop: threading.Event) -> None:
        f = conn.makefile("rb")
        conn.sendall(b"* OK [CAPABILITY " + self.capabilities.encode() + b"] fake ready\r\n")
        while not stop.is_set():
            line = f.readline()
            if not line:
                return
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            word = rest.split(b" ")[:2]
            cmd = word[0].upper()
            if cmd == b"UID":
                cmd = b"UID " + word[1].upper()
            if cmd == b"CAPABILITY":
                self.send(conn, b"* CAPABILITY " + self.capabilities.encode(), tag)
            elif cmd in (b"LOGIN", b"AUTHENTICATE"):
                if cmd == b"AUTHENTICATE":
                    conn.sendall(b"+ \r\n")
                    f.readline()
                self.logins.append(rest.decode("utf-8", "replace"))
                self.send(conn, None, tag)
            elif cmd in (b"EXAMINE", b"SELECT"):
                head = b"* %d EXISTS\r\n* OK [UIDVALIDITY 7] ok" % len(self.messages)
                self.send(conn, head, tag, b"[READ-ONLY] done")
            elif cmd == b"UID SEARCH":
                uids = b" ".join(b"%d" % (k + 1) for k in range(len(self.messages)))
                self.send(conn, b"* SEARCH " + uids, tag)
            elif cmd == b"UID FETCH" and b"RFC822.SIZE" in rest:
                for k, raw in enumerate(self.messages, 1):
                    head = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                    conn.sendall(
                        b"* %d FETCH (UID %d RFC822.SIZE %d BODY[HEADER.FIELDS (FROM SUBJECT)] {%d}\r\n%s)\r\n"
                        % (k, k, len(raw), len(head), head)
                    )
                self.send(conn, None, tag)
            elif cmd == b"UID FETCH":
                uid = int(rest.split(b" ")[2])
                offset, length = map(int, re.search(rb"<(\d+)\.(\d+)>", rest).groups())
                piece = self.messages[uid - 1][offset : offset + length]
                lead = b"* %d FETCH (UID %d BODY[]<%d> {%d}\r\n" % (uid, uid, offset, len(piece))
                if uid == self.fail_uid:
                    conn.sendall(lead + piece[: self.cut_after])
                    if self.how == "stall":
                        stop.wait()
                    return
                conn.sendall(lead + piece + b")\r\n")
                self.send(conn, None, tag)
            elif cmd == b"LOGOUT":
                self.send(conn, b"* BYE", tag)
                return
            else:
                self.send(conn, None, tag, b"BAD unknown", status=b"")

    @staticmethod
    def send(
        conn: socket.socket, untagged: bytes | None, tag: bytes, text: bytes = b"done", status: bytes = b"OK"
    ) -> None:
        out = (untagged + b"\r\n") if untagged else b""
        conn.sendall(out + tag + b" " + (status + b" " if status else b"") + text + b"\r\n")


@dataclass
class LosesDataReply:
    """An SMTP server that takes a whole message, then hangs up instead of answering it
    (the reply to DATA lost: did the message go?). `received` counts what it took in."""

    received: list[bytes] = field(default_factory=list)

    def __call__(self, conn: socket.socket, stop: threading.Event) -> None:
        f = conn.makefile("rb")
        conn.sendall(b"220 fake.example ESMTP\r\n")
        while not stop.is_set():
            line = f.readline()
            if not line:
                return
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                conn.sendall(b"250-fake.example\r\n250 8BITMIME\r\n")
            elif cmd == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                data = bytearray()
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = f.readline()
                    if not chunk:
                        return
                    data += chunk
                self.received.append(bytes(data))
                return  # the reply to DATA never comes
            elif cmd == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")


@dataclass
class PickySmtp:
    """aiosmtpd's handler that refuses some recipients at RCPT (550) and refuses, after
    DATA, any message to some others (554); what it accepts is kept."""

    refuse_rcpt: set[str]
    refuse_data_to: set[str]
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address in self.refuse_rcpt:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        if set(envelope.rcpt_tos) & self.refuse_data_to:
            return "554 5.7.1 Message rejected: nội dung bị chặn"
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Ok: queued"


@contextmanager
def picky_smtp(refuse_rcpt: set[str], refuse_data_to: set[str]) -> Iterator[tuple[int, PickySmtp]]:
    """aiosmtpd on 127.0.0.1, plain (no TLS, no login), with a PickySmtp handler."""
    handler = PickySmtp(refuse_rcpt, refuse_data_to)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()
