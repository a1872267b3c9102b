"""brk8 s3: an office suite's lock file left in the letters' folder (`thu/`, carried whole
into each new set) is not carried: LibreOffice's `.~lock.<name>#` and Microsoft Office's
`~$…` lock a document of the set they were made in, and in the new set they are false locks
that pile up run after run. The previous set keeps its own as they were."""

from __future__ import annotations

from pipeline import cli
from pipeline.form import Form
from pipeline.mail.draft_record import drafts_dir
from pipeline.outbox.paths import previous_dir

from .test_mail_edited import letter, run
from .test_mail_faults import config

LOCKS = (".~lock.{name}#", "~${name}")


def test_lock_files_in_thu_are_not_carried(form: Form, tmp_path, capsys):
    cfg = config(tmp_path / "cfg", emails={"900": ["vanphong.900@kiengiang.gov.vn"]})
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    consolidate = ("consolidate", "--inbox", str(inbox), "--outbox", str(outbox))
    assert run(capsys, cfg, *consolidate)[0] == cli.EXIT_OK
    assert run(capsys, cfg, "mail", "drafts", "--outbox", str(outbox))[0] == cli.EXIT_OK
    thu = drafts_dir(outbox, form.year)
    name = letter(outbox, form.year, "900").name
    (thu / "cu").mkdir(exist_ok=True)
    locks = [thu / p.format(name=name) for p in LOCKS] + [thu / "cu" / f".~lock.{name}#"]
    for path in locks:
        path.write_text("Can bo,pc,pc,05.12.2026 18:00,file:///x;\n", encoding="utf-8")
    mine = thu / "ghi-chu-cua-can-bo.txt"  # the officer's own file in thu/: carried as ever
    mine.write_text("gọi lại cho đơn vị 900", encoding="utf-8")

    for k in range(2):  # two runs: none comes back
        code, out = run(capsys, cfg, *consolidate)
        assert code == cli.EXIT_OK, out
        assert not [p for p in locks if p.exists()], sorted(p.name for p in thu.rglob("*"))
        assert mine.read_text(encoding="utf-8") == "gọi lại cho đơn vị 900"
        assert letter(outbox, form.year, "900").is_file()
        if k == 0:  # the set they were made in, now the previous one, keeps them as they were
            before = previous_dir(outbox, form.year)
            assert all((before / p.relative_to(thu.parent)).is_file() for p in locks)
