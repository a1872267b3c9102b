"""An Giang's deadline still "cần điền" (schemas/an-giang.toml): no unit is judged on time or
late anywhere (workbook, JSON, document, letters), no letter carries "cần điền" in a sentence
and `mail drafts --send` sends nothing while a letter waits for it; every value the document
shows as dots comes from a setting of the configuration that the pending warning lists."""

from __future__ import annotations

import email
import json
import re
from email import policy
from pathlib import Path

import docx
import openpyxl
import pytest

from pipeline import cli
from pipeline.form import SCHEMAS_DIR, load_form, pending_fields
from pipeline.outbox.paths import year_dir
from pipeline.render.charts import NOT_JUDGED_LABEL
from pipeline.render.style import wrapped_lines
from pipeline.run.result import LATE_VI, NOT_JUDGED_VI, ON_TIME_VI
from pipeline.samples import write_samples

AG = SCHEMAS_DIR / "an-giang.toml"
FILLED = {  # what the officer types once An Giang's letter is known
    'request = "Công văn số [cần điền] ngày [cần điền] của Ủy ban nhân dân tỉnh An Giang"': (
        'request = "Công văn số 1234/UBND-VX ngày 15/10/2025 của Ủy ban nhân dân tỉnh An Giang"'
    ),
    'due_before = "cần điền"': "due_before = 2025-12-01",
    'signer_title = "[cần điền: chức danh người ký]"': 'signer_title = "GIÁM ĐỐC"',
    'records_unit = "[cần điền: phòng phụ trách công tác trẻ em]"': 'records_unit = "Phòng Bảo trợ xã hội - Trẻ em"',
}


def _copy(tmp_path: Path, fill: bool) -> Path:
    """A copy of an-giang.toml and the files it names; with `fill`, every "cần điền" the
    officer fills (FILLED) filled."""
    folder = tmp_path / "schemas"
    (folder / "reference").mkdir(parents=True)
    for path in (SCHEMAS_DIR / "reference").iterdir():
        (folder / "reference" / path.name).write_bytes(path.read_bytes())
    for name in ("layout.toml", "bao-cao-an-giang.toml"):
        (folder / name).write_bytes((SCHEMAS_DIR / name).read_bytes())
    text = AG.read_text(encoding="utf-8")
    if fill:
        for old, new in FILLED.items():
            assert old in text, old
            text = text.replace(old, new)
    (folder / AG.name).write_text(text, encoding="utf-8")
    return folder / AG.name


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    """The An Giang sample inbox consolidated as shipped (deadline "cần điền") and with the
    configuration filled: {False: outbox, True: outbox}, with the configurations."""
    base = tmp_path_factory.mktemp("deadline")
    inbox = base / "inbox"
    write_samples(load_form(AG), inbox)
    out = {}
    for fill in (False, True):
        config = _copy(base / f"c{int(fill)}", fill)
        outbox = base / f"out{int(fill)}"
        args = ["--config", str(config), "consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
        assert cli.main([*args, "--workers", "1"]) == cli.EXIT_OK
        out[fill] = (config, outbox)
    return out


def _cells(path: Path) -> dict[str, list[str]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)] for ws in wb
    }


def _doc_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_no_on_time_verdict_without_a_deadline(season):
    config, outbox = season[False]
    year = load_form(config).year
    folder = year_dir(outbox, year)
    cells = _cells(folder / f"tong-hop-588-{year}.xlsx")
    status = cells["Tình trạng nộp"]
    assert NOT_JUDGED_VI in status
    assert ON_TIME_VI not in status[1:] or status.count(ON_TIME_VI) == 1  # the column header only
    assert LATE_VI not in status
    overview = cells["Tổng quan"]
    assert not any("đúng hạn" in v.casefold() and "chưa xét" not in v.casefold() for v in overview)
    assert not any("trễ hạn" in v.casefold() or "cần điền" in v for v in overview)
    assert not any("cần điền" in v and "period.due_before" not in v for v in status)
    units = json.loads((folder / "bao-cao.json").read_text(encoding="utf-8"))["units"]
    assert all(u["on_time"] is None for u in units)
    assert {u["timeliness"] for u in units if u["status"] == "accepted"} == {"not_judged"}
    text = _doc_text(folder / f"bao-cao-588-{year}.docx")
    assert "cần điền" not in text and "sau thời hạn" not in text


def test_the_not_judged_wording_wraps_inside_grown_rows(season):
    """ "Chưa xét (hạn nộp chưa ấn định)" and the overview's "Trong đó chưa xét đúng hạn (…)"
    are longer than their columns: the cell wraps and its row is grown to the lines (Excel
    draws a wrapped text over the next rows otherwise)."""
    config, outbox = season[False]
    year = load_form(config).year
    wb = openpyxl.load_workbook(year_dir(outbox, year) / f"tong-hop-588-{year}.xlsx")
    for sheet, text in (("Tổng quan", NOT_JUDGED_LABEL), ("Tình trạng nộp", NOT_JUDGED_VI)):
        ws = wb[sheet]
        cell = next(c for row in ws.iter_rows() for c in row if c.value == text)
        column = ws.column_dimensions[cell.column_letter].width
        lines = wrapped_lines(text, column)
        assert lines > 1, (sheet, column)
        assert cell.alignment.wrap_text, sheet
        assert (ws.row_dimensions[cell.row].height or 15) >= lines * 12 * 1.35, sheet


def test_a_set_deadline_judges_again(season):
    config, outbox = season[True]
    year = load_form(config).year
    folder = year_dir(outbox, year)
    status = _cells(folder / f"tong-hop-588-{year}.xlsx")["Tình trạng nộp"]
    assert NOT_JUDGED_VI not in status and status.count(ON_TIME_VI) > 1
    units = json.loads((folder / "bao-cao.json").read_text(encoding="utf-8"))["units"]
    assert {u["timeliness"] for u in units if u["status"] == "accepted"} <= {"on_time", "late"}
    assert any(u["on_time"] is True for u in units)


def test_every_dotted_value_is_a_setting_the_warning_lists(season, tmp_path):
    """As shipped, the document's dotted values are the pending settings; filled, none is left
    (no "(thời hạn: ……)" or "Lưu: VT, ……" written into the wording)."""
    config, outbox = season[False]
    assert set(pending_fields(config)) >= {"form.request", "period.due_before", "agencies.signer_title"}
    assert "agencies.records_unit" in pending_fields(config)
    wording = (SCHEMAS_DIR / "bao-cao-an-giang.toml").read_text(encoding="utf-8")
    body = "\n".join(line for line in wording.splitlines() if not line.lstrip().startswith("#"))
    assert "cần điền" not in body  # what is unknown is a setting of the form, never the wording
    text = _doc_text(year_dir(outbox, 2025) / "bao-cao-588-2025.docx")
    assert "(thời hạn: …" in text
    filled, filled_out = season[True]
    assert pending_fields(filled) == []
    text = _doc_text(year_dir(filled_out, 2025) / "bao-cao-588-2025.docx")
    assert "(thời hạn: trước ngày 01/12/2025)" in text
    assert "Lưu: VT, Phòng Bảo trợ xã hội - Trẻ em." in text
    assert "GIÁM ĐỐC" in text
    # the lines the officer writes on (their own sections: lines of dots alone) are no values
    values = "\n".join(line for line in text.split("ĐỀ XUẤT")[0].splitlines() if set(line.strip()) != {"…"})
    assert not re.search("……", values), "a dotted value left with every setting filled"


def _bodies(outbox: Path) -> dict[Path, email.message.EmailMessage]:
    return {
        p: email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((year_dir(outbox, 2025) / "thu").glob("*.eml"))
    }


def test_letters_say_no_deadline_and_are_not_sent(season, capsys):
    config, outbox = season[False]
    capsys.readouterr()
    code = cli.main(["--config", str(config), "mail", "drafts", "--send", "--outbox", str(outbox)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert "chưa gửi thư nào" in err and "an-giang.toml: period.due_before" in err
    assert f"cần điền: điền vào tệp {config}" in err or f"cần điền: điền vào tệp {config.name}" in err, err
    letters = _bodies(outbox)
    assert letters, "the drafts are still written for the officer to read"
    kinds = set()
    for msg in letters.values():
        text = msg.get_body(("plain",)).get_content()
        assert "cần điền" not in text
        assert not re.search(r"(?<!chưa xét )đúng hạn|sau hạn nộp|trễ hạn", text), text
        kinds.add(str(msg["Subject"]).split()[0])
    assert len(kinds) >= 2  # reminders and rejections, at least
    assert not (year_dir(outbox, 2025) / "thu" / "da-gui.json").exists()  # nothing was tried


def test_letters_of_a_set_deadline_can_go(season, capsys):
    config, outbox = season[True]
    assert cli.main(["--config", str(config), "mail", "drafts", "--outbox", str(outbox)]) == cli.EXIT_OK
    for msg in _bodies(outbox).values():
        assert not msg.get("X-Can-Dien")
        assert "cần điền" not in msg.get_body(("plain",)).get_content()


@pytest.mark.parametrize("fill", [False, True], ids=["deadline-unknown", "deadline-set"])
def test_the_template_and_the_period_line_say_the_deadline_in_words(tmp_path, fill):
    """The template's instructions (sent to every unit) and the period-over line name the
    deadline, or say it is not set yet: never "cần điền" in their sentence."""
    import datetime as dt

    from pipeline.newyear import period_over
    from pipeline.render.template import write_template

    form = load_form(_copy(tmp_path, fill))
    book = openpyxl.load_workbook(write_template(form, form.units[0], tmp_path / "mau"))
    sheet = book[form.sheets["instructions"]]
    line = next(c.value for row in sheet.iter_rows() for c in row if c.value and "Gửi về" in str(c.value))
    said = period_over(form, dt.date(form.year + 1, 1, 5), "tong-hop-588")
    if fill:
        assert line.endswith("trước ngày 01/12/2025.") and "(hạn nộp: trước ngày 01/12/2025)" in said
    else:
        assert line.endswith("khi có thông báo hạn nộp (hạn nộp chưa ấn định).")
        assert "(hạn nộp: chưa ấn định)" in said
    assert "cần điền" not in line and "cần điền" not in said
