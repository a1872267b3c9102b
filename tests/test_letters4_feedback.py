"""Issue #23 items 1 and 3: the feedback workbook the officer annotated goes to the unit as
long as that unit's part of the set is unchanged, whatever other units sent meanwhile.

A season as the officer runs it, every input made by the project's own template and filler
and every step through the console command (`cli.main`): consolidate; add a note (a cell
comment) to unit 900's feedback workbook with openpyxl, as Excel saves it; other units'
mail arrives and the officer consolidates again each time (the annotated copy is kept as
`…-ban-da-sua.xlsx` by `outbox.kept`) and drafts the letters: 900's letter attaches the
annotated workbook, byte for byte, also once the set it was annotated in is no longer the
previous one. Then 900 sends its file again, changed: the new feedback workbook is attached,
and the command and the letter's record say plainly why the officer's is not.
"""

from __future__ import annotations

import email
import json
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment

from pipeline import cli
from pipeline.form import Form
from pipeline.mail.attachments import FEEDBACK_CHANGED, FEEDBACK_UNKNOWN
from pipeline.mail.draft_record import drafts_dir
from pipeline.mail.send import DRAFTED
from pipeline.outbox.paths import feedback_dir, previous_dir

from .test_mail_edited import letter, run
from .test_mail_faults import config
from .test_resubmission import bad, dated

ADDR = {c: f"vanphong.{c}@kiengiang.gov.vn" for c in ("899", "900", "902", "909")}
NOTE = "Ghi chú của Sở: ô này phải gõ số trẻ em gái, không lớn hơn tổng số trẻ em."


def _attached(outbox: Path, year: int, code: str) -> bytes:
    msg = email.message_from_bytes(letter(outbox, year, code).read_bytes(), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    (data,) = [p.get_content() for p in msg.iter_attachments()]
    return data


def _comments(data: bytes, tmp_path: Path) -> list[str]:
    """Every cell comment of the workbook `data`, read back by openpyxl."""
    path = tmp_path / "doc-lai.xlsx"
    path.write_bytes(data)
    wb = openpyxl.load_workbook(path)
    return [c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment]


def test_annotated_feedback_follows_the_units_own_file(form: Form, make_file, tmp_path, capsys):
    smtp = {"host": "127.0.0.1", "port": 1, "security": "none", "user": ""}
    cfg = config(tmp_path / "cfg", smtp=smtp, emails={c: [a] for c, a in ADDR.items()})
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    consolidate = ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    drafts = ("mail", "drafts", "--outbox", str(outbox))

    make_file("900", bad(form, 12), name="900.xlsx", seed=1)
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    (fb,) = feedback_dir(outbox, form.year).glob("phan-hoi-900-*.xlsx")
    wb = openpyxl.load_workbook(fb)  # the officer's note on a cell, saved over the file
    ws = wb.worksheets[-1]
    ws["B3"].comment = Comment(NOTE, "Sở Giáo dục")
    wb.save(fb)
    annotated = fb.read_bytes()
    assert NOTE in _comments(annotated, tmp_path)

    # 909's mail arrives: the officer consolidates again and drafts the letters
    make_file("909", dated(20, form), name="909.xlsx", seed=2)
    code, out = run(capsys, cfg, *consolidate)
    assert code == cli.EXIT_OK, out
    code, out = run(capsys, cfg, *drafts)
    assert code == cli.EXIT_OK, out
    (kept,) = feedback_dir(outbox, form.year).glob("phan-hoi-900-*-ban-da-sua.xlsx")
    assert kept.read_bytes() == annotated
    assert fb.read_bytes() != annotated  # the run wrote its own workbook again
    assert _attached(outbox, form.year, "900") == annotated
    assert NOTE in _comments(_attached(outbox, form.year, "900"), tmp_path)
    said = " ".join(out.split())
    assert f"Thư gửi đơn vị 900 đính kèm tệp phản hồi anh/chị đã sửa: {kept}" in said, said
    assert "KHÔNG phải tệp anh/chị đã sửa" not in said

    # 902's mail too: the set the note was written in is pruned (neither current nor previous);
    # the letter's record still knows 900's part of it, and the letters are redrafted by the run
    make_file("902", dated(21, form), name="902.xlsx", seed=3)
    code, out = run(capsys, cfg, *consolidate)
    assert code == cli.EXIT_OK, out
    assert (previous_dir(outbox, form.year) / "phan-hoi" / kept.name).is_file()  # carried from the last set
    (kept,) = feedback_dir(outbox, form.year).glob("phan-hoi-900-*-ban-da-sua.xlsx")
    assert kept.read_bytes() == annotated
    assert _attached(outbox, form.year, "900") == annotated
    code, out = run(capsys, cfg, *drafts)
    assert code == cli.EXIT_OK, out
    assert _attached(outbox, form.year, "900") == annotated
    assert f"Thư gửi đơn vị 900 đính kèm tệp phản hồi anh/chị đã sửa: {kept}" in " ".join(out.split())

    # 900 sends its file again, corrected in one place but still wrong: the note was written
    # about the old file, so the new workbook goes and the officer is told why
    make_file("900", bad(form, 14), name="900.xlsx", seed=4)
    code, out = run(capsys, cfg, *consolidate)
    assert code == cli.EXIT_OK, out
    code, out = run(capsys, cfg, *drafts)
    assert code == cli.EXIT_OK, out
    (fb,) = [
        p for p in feedback_dir(outbox, form.year).glob("phan-hoi-900-*.xlsx") if "-ban-da-sua" not in p.name
    ]
    (kept,) = feedback_dir(outbox, form.year).glob("phan-hoi-900-*-ban-da-sua.xlsx")
    assert kept.read_bytes() == annotated  # never lost
    attached = _attached(outbox, form.year, "900")
    assert attached == fb.read_bytes() != annotated
    assert NOTE not in _comments(attached, tmp_path)
    said = " ".join(out.split())
    assert (
        "Lưu ý: thư gửi đơn vị 900 đính kèm tệp phản hồi chương trình vừa ghi theo kết quả mới, "
        f"KHÔNG phải tệp anh/chị đã sửa ({kept}: {FEEDBACK_CHANGED})."
    ) in said, said
    assert "tệp báo cáo của đơn vị nay đã khác" in FEEDBACK_CHANGED
    record = json.loads((drafts_dir(outbox, form.year) / DRAFTED).read_text(encoding="utf-8"))
    (entry,) = [e for name, e in record.items() if name.startswith("thu-900-")]
    assert entry["feedback_left"] == FEEDBACK_CHANGED
    assert entry["feedback_copy"] == f"phan-hoi/{kept.name}"


def test_annotated_feedback_of_a_set_no_longer_known_is_not_attached(form: Form, make_file, tmp_path, capsys):
    """Two runs after the note, letters drafted for the first time: the set the note was
    written in is gone (neither current nor previous) and no letter recorded 900's part of
    it, so whether 900's file is the same cannot be told: the new workbook goes, the
    officer's is kept and named, with why."""
    smtp = {"host": "127.0.0.1", "port": 1, "security": "none", "user": ""}
    cfg = config(tmp_path / "cfg", smtp=smtp, emails={c: [a] for c, a in ADDR.items()})
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    consolidate = ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    make_file("900", bad(form, 12), name="900.xlsx", seed=1)
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    (fb,) = feedback_dir(outbox, form.year).glob("phan-hoi-900-*.xlsx")
    wb = openpyxl.load_workbook(fb)
    wb.worksheets[-1]["B3"].comment = Comment(NOTE, "Sở Giáo dục")
    wb.save(fb)
    annotated = fb.read_bytes()
    for code, seed in (("909", 2), ("902", 3)):
        make_file(code, dated(20, form), name=f"{code}.xlsx", seed=seed)
        assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    code, out = run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))
    assert code == cli.EXIT_OK, out
    (kept,) = feedback_dir(outbox, form.year).glob("phan-hoi-900-*-ban-da-sua.xlsx")
    assert kept.read_bytes() == annotated
    assert _attached(outbox, form.year, "900") != annotated
    assert f"KHÔNG phải tệp anh/chị đã sửa ({kept}: {FEEDBACK_UNKNOWN})." in " ".join(out.split()), out
