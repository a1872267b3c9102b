"""Issue #21 (5): the mail password kept in the system's credential store, when agreed.

Against the real servers of tests/mailserver.py (Dovecot for `mail fetch`, aiosmtpd for
`mail drafts --send`), the commands run as the officer runs them, in their own process
without a terminal (getpass then reads the typed password from standard input). The store
is keyrings.alt's plain-text file in the test's own folder (`PYTHON_KEYRING_BACKEND`,
`XDG_DATA_HOME`); "no store" is keyring's own `fail.Keyring`, what a Linux server without
a desktop has. The password order: environment variable, store, terminal.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from pipeline.app import consolidate_into
from pipeline.form import Form, load_form
from pipeline.intake.mail_settings import FROM_STORE, load_mail_settings
from pipeline.mail.cli import SAVE_QUESTION

from .conftest import ROOT
from .mailserver import PASSWORD, USER, Dovecot, start_dovecot, start_smtp
from .test_mail import SMTP_PASSWORD, SMTP_USER, write_config

PLAIN = "keyrings.alt.file.PlaintextKeyring"
NONE = "keyring.backends.fail.Keyring"
ASKED = "Mật khẩu hộp thư của tonghop588@localhost"
REFUSED = "Máy chủ từ chối mật khẩu đã lưu trong kho mật khẩu của hệ thống"
NO_STORE = "Không dùng được kho mật khẩu của hệ thống"
SAVED = "Đã lưu mật khẩu vào kho mật khẩu của hệ thống"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    yield from start_dovecot()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlaintextKeyring]:
    """The plain-text store the commands use (in the test's folder), also for this process
    (chosen on purpose, as the program requires of a stand-in store)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAIN)
    ring = PlaintextKeyring()
    ring.file_path = str(tmp_path / "kho" / "python_keyring" / "keyring_pass.cfg")
    before = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.set_keyring(before)


def env_for(tmp_path: Path, backend: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_IMAP_PASSWORD", "TEST_SMTP_PASSWORD")}
    env.update(
        PYTHON_KEYRING_BACKEND=backend,
        XDG_DATA_HOME=str(tmp_path / "kho"),
        XDG_CONFIG_HOME=str(tmp_path / "kho-cau-hinh"),
        **extra,
    )
    return env


def run(config: Path, env: dict[str, str], *args: str, typed: str = "") -> subprocess.CompletedProcess:
    """A command in a new session (no terminal): a password asked is read from `typed`."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--config", str(config), "mail", *args],
        cwd=ROOT,
        env=env,
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )


def fetch(config: Path, tmp_path: Path, backend: str = PLAIN, *flags: str, typed: str = "", **extra: str):
    env = env_for(tmp_path, backend, **extra)
    return run(config, env, "fetch", "--inbox", str(tmp_path / "inbox"), *flags, typed=typed)


@pytest.fixture
def config(dovecot: Dovecot, tmp_path: Path) -> Path:
    return write_config(tmp_path / "cfg", dovecot, 25, {})


SERVICE = "qd588 localhost"


def test_the_store_entry_is_named_by_program_and_host(config):
    imap = load_mail_settings(load_form(config)).imap
    assert imap is not None and imap.store_service == SERVICE and imap.user == USER


def test_a_stored_password_is_used_without_asking(config, store, tmp_path):
    store.set_password(SERVICE, USER, PASSWORD)
    done = fetch(config, tmp_path)  # nothing typed: asking would fail
    assert done.returncode == 0, done.stderr
    assert ASKED not in done.stderr and REFUSED not in done.stderr
    assert "Hộp thư không bị thay đổi" in done.stdout
    assert store.get_password(SERVICE, USER) == PASSWORD


def test_the_environment_variable_comes_before_the_store(config, store, tmp_path):
    store.set_password(SERVICE, USER, "mat-khau-cu")
    done = fetch(config, tmp_path, PLAIN, TEST_IMAP_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert REFUSED not in done.stderr and ASKED not in done.stderr
    assert store.get_password(SERVICE, USER) == "mat-khau-cu"  # not used, so not judged


def test_a_refused_stored_password_is_removed_and_asked_again(config, store, tmp_path):
    store.set_password(SERVICE, USER, "mat-khau-cu")
    done = fetch(config, tmp_path, typed=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert REFUSED in done.stderr and ASKED in done.stderr
    assert store.get_password(SERVICE, USER) is None  # no terminal, no flag: not saved
    assert SAVED not in done.stdout


def test_luu_mat_khau_keeps_the_password_that_logged_in(config, store, tmp_path):
    store.set_password(SERVICE, USER, "mat-khau-cu")
    done = fetch(config, tmp_path, PLAIN, "--luu-mat-khau", typed=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert REFUSED in done.stderr and SAVED in done.stdout
    assert store.get_password(SERVICE, USER) == PASSWORD
    again = fetch(config, tmp_path)  # next time: nothing asked
    assert again.returncode == 0 and ASKED not in again.stderr, again.stderr


def test_a_wrong_typed_password_is_never_saved(config, store, tmp_path):
    done = fetch(config, tmp_path, PLAIN, "--luu-mat-khau", typed="sai\n")
    assert done.returncode == 1
    assert "đăng nhập hộp thư không được" in done.stderr and REFUSED not in done.stderr
    assert store.get_password(SERVICE, USER) is None


def test_khong_luu_mat_khau_saves_nothing(config, store, tmp_path):
    done = fetch(config, tmp_path, PLAIN, "--khong-luu-mat-khau", typed=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert store.get_password(SERVICE, USER) is None


@pytest.mark.parametrize("flag", [(), ("--luu-mat-khau",)])
def test_no_store_means_asking_with_one_line(config, tmp_path, flag):
    done = fetch(config, tmp_path, NONE, *flag, typed=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert ASKED in done.stderr and done.stderr.count(NO_STORE) == 1
    assert "Traceback" not in done.stderr and SAVED not in done.stdout
    assert "Warning" not in done.stderr, done.stderr  # getpass's English lines without a terminal (brk47)


def test_no_password_and_no_terminal_is_one_vietnamese_line(config, tmp_path):
    """brk47 N2: with no password anywhere and no terminal, getpass's English warnings came
    before the Vietnamese error."""
    done = fetch(config, tmp_path, NONE, typed="")
    assert done.returncode != 0 and "Warning" not in done.stderr and "Traceback" not in done.stderr, (
        done.stderr
    )
    assert "chưa có mật khẩu cho" in done.stderr and "không nhập được từ bàn phím" in done.stderr, done.stderr


def test_the_officer_is_asked_on_a_terminal_and_the_answer_kept(config, store, tmp_path):
    """On a terminal (a pseudo-terminal here): the password asked, then the question."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the pseudo-terminal as its terminal
        os.chdir(ROOT)
        env = env_for(tmp_path, PLAIN)
        os.execve(
            sys.executable,
            [
                sys.executable,
                "-m",
                "pipeline",
                "--config",
                str(config),
                "mail",
                "fetch",
                "--inbox",
                str(tmp_path / "inbox"),
            ],
            env,
        )
    seen = b""
    answers = [(ASKED.encode(), PASSWORD), (SAVE_QUESTION.strip().encode(), "c")]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child is gone
            break
        if not chunk:
            break
        seen += chunk
        if answers and answers[0][0] in seen:
            os.write(fd, (answers.pop(0)[1] + "\n").encode())
    _, status = os.waitpid(pid, 0)
    text = seen.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert not answers, text
    assert PASSWORD not in text  # getpass does not echo it
    assert SAVED in text
    assert store.get_password(SERVICE, USER) == PASSWORD


def test_drafts_send_uses_the_stored_smtp_password(dovecot, form: Form, tmp_path, store):
    with_smtp = start_smtp(dovecot.cert, dovecot.root / "key.pem", SMTP_USER, SMTP_PASSWORD)
    controller, sink = next(with_smtp)
    try:
        code = form.units[0].code
        config = write_config(
            tmp_path / "cfg", dovecot, controller.port, {code: ["vanphong@kiengiang.gov.vn"]}
        )
        outbox, empty = tmp_path / "outbox", tmp_path / "trong"
        empty.mkdir()
        consolidate_into(load_form(config), empty, outbox, show_progress=False)
        smtp = load_mail_settings(load_form(config)).smtp
        assert smtp is not None and smtp.store_service == "qd588 127.0.0.1"
        store.set_password(smtp.store_service, SMTP_USER, SMTP_PASSWORD)
        assert smtp.password("gửi thư").source == FROM_STORE  # this process: the same store
        done = run(config, env_for(tmp_path, PLAIN), "drafts", "--outbox", str(outbox), "--send")
        assert done.returncode == 0, done.stderr
        assert "Mật khẩu gửi thư" not in done.stderr
        assert len(sink.messages) == 1 and sink.logins == [SMTP_USER]
    finally:
        next(with_smtp, None)


def test_drafts_send_removes_a_refused_stored_smtp_password(dovecot, form: Form, tmp_path, store):
    with_smtp = start_smtp(dovecot.cert, dovecot.root / "key.pem", SMTP_USER, SMTP_PASSWORD)
    controller, sink = next(with_smtp)
    try:
        code = form.units[1].code
        config = write_config(
            tmp_path / "cfg", dovecot, controller.port, {code: ["vanphong@kiengiang.gov.vn"]}
        )
        outbox, empty = tmp_path / "outbox", tmp_path / "trong"
        empty.mkdir()
        consolidate_into(load_form(config), empty, outbox, show_progress=False)
        service = f"qd588 {controller.hostname}"
        store.set_password(service, SMTP_USER, "mat-khau-cu")
        env = env_for(tmp_path, PLAIN)
        args = ("drafts", "--outbox", str(outbox), "--send", "--luu-mat-khau")
        done = run(config, env, *args, typed=SMTP_PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
        assert REFUSED in done.stderr and "Mật khẩu gửi thư của gui-thu@127.0.0.1" in done.stderr
        assert len(sink.messages) == 1 and store.get_password(service, SMTP_USER) == SMTP_PASSWORD
        # a wrong typed password: said plainly, nothing saved, nothing sent
        store.delete_password(service, SMTP_USER)
        (outbox / str(form.year) / "thu" / "da-gui.json").unlink()
        done = run(config, env, *args, typed="sai\n")
        assert done.returncode == 1 and "đăng nhập máy chủ gửi thư không được" in done.stderr, done.stderr
        assert len(sink.messages) == 1 and store.get_password(service, SMTP_USER) is None
    finally:
        next(with_smtp, None)
