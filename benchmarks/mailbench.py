"""Mail benchmarks (issue #24): what one large message costs `mail fetch`, and what a message
with many attachments costs `consolidate`.

    .venv/bin/python benchmarks/mailbench.py [--mb 14] [--attachments 500]

1. fetch: a message with one attachment of `--mb` MB (random bytes, base64 in the message)
   is delivered to a throw-away Dovecot (tests/mailserver.py: needs Dovecot and root) and
   fetched with `python -m pipeline mail fetch`; beside it the same command against an
   empty mailbox (the program's own footprint) and the way messages were fetched before
   (imap-tools `fetch`, the whole message in memory, then parsed). Each runs in its own
   process under _measure.py: wall time and peak resident memory.
2. consolidate: one saved message (.eml) with `--attachments` small filled reports (the 28
   units' files, repeated under distinct names) against the same files saved as plain files.
   The message is parsed once per process; each attachment is found again by position.

Results go to benchmarks/results/mail-latest.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MEASURE = HERE / "_measure.py"
RESULTS = HERE / "results"
OFFICE = "tonghop588@sldtbxh.kiengiang.gov.vn"
SENDER = "vanphong.h1@kiengiang.gov.vn"
ARRIVAL = dt.datetime(2025, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))

OLD_FETCH = """
import ssl, sys, email
from email.policy import default
from imap_tools import MailBox
host, port, cafile, user, pw = sys.argv[1:6]
with MailBox(host, int(port), ssl_context=ssl.create_default_context(cafile=cafile)).login(user, pw) as box:
    for msg in box.fetch(mark_seen=False, bulk=True):
        raw = msg.obj.as_bytes()
        email.message_from_bytes(raw, policy=default)
"""


def measure(cmd: list[str], work: Path, tag: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    out, log = work / f"{tag}.json", work / f"{tag}.log"
    subprocess.run(
        [sys.executable, str(MEASURE), "--out", str(out), "--log", str(log), "--cwd", str(ROOT), "--", *cmd],
        check=True,
        env={**os.environ, **(env or {})},
    )
    result = json.loads(out.read_text())
    if result["returncode"] != 0:
        print(f"    !! {tag} exited with {result['returncode']}:\n{log.read_text()[-2000:]}", flush=True)
    return result


def config(folder: Path, imap: dict[str, Any] | None = None, max_file_bytes: int = 0) -> Path:
    text = (ROOT / "schemas" / "kien-giang.toml").read_text(encoding="utf-8")
    start, end = text.index("\n[mail]\n") + 1, text.index("[[unit_kinds]]")
    block = f'[mail]\ntimezone = "Asia/Ho_Chi_Minh"\naddress = "{OFFICE}"\n\n'
    if imap:
        block += "[mail.imap]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in imap.items()) + "\n"
    text = text[:start] + block + text[end:]
    if max_file_bytes:
        text = text.replace("max_file_bytes = 20_000_000", f"max_file_bytes = {max_file_bytes}")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("layout.toml", "bao-cao.toml"):
        shutil.copy(ROOT / "schemas" / name, folder / name)
    path = folder / "kien-giang.toml"
    path.write_text(text, encoding="utf-8")
    return path


def message(subject: str, attachments: list[tuple[str, bytes]]) -> EmailMessage:
    m = EmailMessage()
    m["Received"] = f"from mail.kiengiang.gov.vn by mx.kiengiang.gov.vn; {format_datetime(ARRIVAL)}"
    m["From"], m["To"], m["Subject"] = SENDER, OFFICE, subject
    m["Date"] = format_datetime(ARRIVAL)
    m.set_content("Kính gửi Sở, đơn vị gửi báo cáo.")
    for name, data in attachments:
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return m


def bench_fetch(mb: float, work: Path) -> dict[str, Any]:
    from tests.mailserver import PASSWORD, PASSWORD_VI, USER, USER_VI, start_dovecot

    try:
        servers = start_dovecot()
        dovecot = next(servers)
    except BaseException as exc:  # noqa: BLE001 - pytest's skip/fail outside pytest: say why, go on
        return {"skipped": f"Dovecot not available: {exc}"}
    try:
        raw = bytes(message("Báo cáo lớn", [("lon.xlsx", os.urandom(int(mb * 1_000_000)))]))
        dovecot.append(raw, ARRIVAL)
        size = len(raw.replace(b"\n", b"\r\n"))
        row: dict[str, Any] = {"message_bytes": size}
        for tag, user, password in (("fetch", USER, PASSWORD), ("fetch_empty_mailbox", USER_VI, PASSWORD_VI)):
            imap = {
                "host": "localhost",
                "port": dovecot.port,
                "security": "tls",
                "user": user,
                "password_env": "BENCH_IMAP_PASSWORD",
                "cafile": str(dovecot.cert),
            }
            cfg = config(work / f"cfg-{tag}", imap)
            inbox = work / f"inbox-{tag}"
            cmd = [
                sys.executable,
                "-m",
                "pipeline",
                "--config",
                str(cfg),
                "mail",
                "fetch",
                "--inbox",
                str(inbox),
            ]
            row[tag] = measure([*cmd, "--khong-luu-mat-khau"], work, tag, {"BENCH_IMAP_PASSWORD": password})
            row[tag]["saved"] = len(list(inbox.rglob("*.eml")))
        old = [
            sys.executable,
            "-c",
            OLD_FETCH,
            "localhost",
            str(dovecot.port),
            str(dovecot.cert),
            USER,
            PASSWORD,
        ]
        row["fetch_before"] = measure(old, work, "fetch_before")
        row["fetch_over_empty_mb"] = row["fetch"]["maxrss_mb"] - row["fetch_empty_mailbox"]["maxrss_mb"]
        row["before_over_empty_mb"] = (
            row["fetch_before"]["maxrss_mb"] - row["fetch_empty_mailbox"]["maxrss_mb"]
        )
        return row
    finally:
        next(servers, None)


def bench_attachments(n: int, work: Path) -> dict[str, Any]:
    from pipeline.filler import fill
    from pipeline.form import load_form
    from pipeline.render.template import write_template
    from pipeline.samples import valid_data
    from pipeline.text.names import template_name

    form = load_form()
    layout = json.loads(
        subprocess.run(
            [sys.executable, "-m", "pipeline", "form", "--json"], cwd=ROOT, check=True, capture_output=True
        ).stdout
    )
    templates, files = work / "templates", work / "files"
    files.mkdir(parents=True)
    made = []
    for unit in form.units:
        write_template(form, unit, templates)
        path = files / f"{unit.code}.xlsx"
        data = valid_data(form, unit.code, random.Random(f"mailbench-{unit.code}"), layout)
        fill(templates / template_name(form.year, unit.code, unit.name), path, layout, unit.code, data)
        made.append(path.read_bytes())
    attachments = [(f"bao-cao-{k:03d}.xlsx", made[k % len(made)]) for k in range(n)]
    raw = bytes(message(f"{n} tệp báo cáo", attachments))
    big = max(len(raw) + 1_000_000, 20_000_000)
    cfg = config(work / "cfg-attachments", max_file_bytes=big)
    row: dict[str, Any] = {"attachments": n, "message_bytes": len(raw)}
    as_mail, as_files = work / "inbox-mail", work / "inbox-files"
    (as_mail / "thu").mkdir(parents=True)
    (as_mail / "thu" / "nhieu-tep.eml").write_bytes(raw)
    as_files.mkdir()
    for name, data in attachments:
        (as_files / name).write_bytes(data)
    for tag, inbox, workers in (
        ("consolidate_message", as_mail, []),
        ("consolidate_files", as_files, []),
        ("consolidate_message_w1", as_mail, ["--workers", "1"]),
        ("consolidate_files_w1", as_files, ["--workers", "1"]),
    ):
        outbox = work / f"outbox-{tag}"
        cmd = [sys.executable, "-m", "pipeline", "--config", str(cfg), "consolidate", *workers]
        row[tag] = measure([*cmd, "--inbox", str(inbox), "--outbox", str(outbox)], work, tag)
    row["message_over_files"] = row["consolidate_message"]["wall"] / row["consolidate_files"]["wall"]
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=14.0, help="size of the large attachment, MB")
    ap.add_argument("--attachments", type=int, default=500)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mailbench-"))
    try:
        fetch = bench_fetch(args.mb, work)
        attach = bench_attachments(args.attachments, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("mail fetch, one large message (Dovecot, TLS):")
    if "skipped" in fetch:
        print(f"  skipped: {fetch['skipped']}")
    else:
        print(f"  message {fetch['message_bytes'] / 1e6:.1f} MB")
        for tag, label in (
            ("fetch", "mail fetch"),
            ("fetch_empty_mailbox", "mail fetch, empty mailbox"),
            ("fetch_before", "imap-tools fetch + parse (before)"),
        ):
            r = fetch[tag]
            print(
                f"  {label:<36} {r['wall']:6.2f} s  peak {r['maxrss_mb']:7.1f} MB  saved {r.get('saved', '-')}"
            )
        print(
            f"  memory for the message: {fetch['fetch_over_empty_mb']:.1f} MB now, "
            f"{fetch['before_over_empty_mb']:.1f} MB before"
        )
    print(
        f"consolidate, one message with {attach['attachments']} attachments ({attach['message_bytes'] / 1e6:.1f} MB):"
    )
    for tag, label in (
        ("consolidate_message", "as one .eml"),
        ("consolidate_files", "as plain files"),
        ("consolidate_message_w1", "as one .eml, --workers 1"),
        ("consolidate_files_w1", "as plain files, --workers 1"),
    ):
        r = attach[tag]
        print(f"  {label:<36} {r['wall']:6.2f} s  peak {r['maxrss_mb']:7.1f} MB")
    print(f"  message / plain files = {attach['message_over_files']:.2f}x")
    w1 = attach["consolidate_message_w1"]["wall"] / attach["consolidate_files_w1"]["wall"]
    print(f"  message / plain files, --workers 1 = {w1:.2f}x")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mail-latest.json").write_text(json.dumps({"fetch": fetch, "attachments": attach}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
