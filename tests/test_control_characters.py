"""No character a unit types can crash a writer (issue #24): every C0 and C1 control
character in the unit's text cells (the preparer's name, difficulties, recommendations, a
figure typed as text) reaches the terminal, the workbook, the document, the CSV and the
feedback file shown escaped, and the run finishes.

Excel stores such a character as `_xHHHH_` in the cell's XML (ECMA-376 Part 1, 22.9.2.19
ST_Xstring); the files here are filled from the templates, then written that way."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import docx
import openpyxl

from pipeline.outbox.paths import detail_csv_path, document_path, feedback_dir, workbook_path

from .clirun import run_cli

CONTROLS = (
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
    + [chr(0x7F)]
    + [chr(c) for c in range(0x80, 0xA0)]
)
MARKS = {"preparer": "MARKPREP", "difficulties": "MARKDIFF", "recommendations": "MARKRECO"}


def _excel_escaped(text: str) -> str:
    return "".join(f"_x{ord(ch):04X}_" if ch in CONTROLS else ch for ch in text)


def _with_controls(path: Path, replacements: dict[str, str]) -> None:
    """Rewrite the workbook's strings (shared or in the sheets): each mark becomes its
    text, controls escaped as Excel escapes them."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    found = set()
    for name in parts:
        if name.startswith("xl/") and name.endswith(".xml"):
            xml = parts[name].decode("utf-8")
            for mark, text in replacements.items():
                if mark in xml:
                    found.add(mark)
                    xml = xml.replace(mark, _excel_escaped(text))
            parts[name] = xml.encode("utf-8")
    assert found == set(replacements)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_every_control_character_in_every_text_cell_is_shown_escaped(form, make_file, tmp_path):
    every = "".join(CONTROLS)

    def mark(data):
        data["info"].update(MARKS)
        data["results"][0]["children"] = "MARKNUM"

    accepted, _ = make_file("899", mutate=lambda d: d["info"].update(MARKS))
    rejected, _ = make_file("SYT", mutate=mark)
    texts = {m: f"Nguyễn{every}\u202eVăn A" for m in MARKS.values()}  # and a bidi override
    _with_controls(accepted, texts)
    _with_controls(rejected, {**texts, "MARKNUM": f"khoảng{every}50"})
    outbox = tmp_path / "out"
    done = run_cli("consolidate", "--inbox", str(accepted.parent), "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert not any(ch in done.stdout for ch in CONTROLS)  # the terminal shows them escaped
    assert "\\x1b" in done.stdout  # the figure typed as text, quoted in its finding

    year = form.year
    paragraphs = "\n".join(p.text for p in docx.Document(str(document_path(outbox, year))).paragraphs)
    assert "Nguyễn\\x00\\x01" in paragraphs and not any(ch in paragraphs for ch in CONTROLS)
    assert "\\u202eVăn A" in paragraphs and "\u202e" not in paragraphs  # the name reads in order

    wb = openpyxl.load_workbook(workbook_path(outbox, year))
    cells = [
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert any("Nguyễn" in v and "Văn A" in v for v in cells)

    with open(detail_csv_path(outbox, year), encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows and not any(ch in field for row in rows for field in row for ch in CONTROLS)

    feedback = list(feedback_dir(outbox, year).glob("*.xlsx"))
    assert len(feedback) == 1
    fb = openpyxl.load_workbook(feedback[0])
    shown = [
        c.value for ws in fb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert any("khoảng\\x00\\x01" in v for v in shown)
    report = json.loads((outbox / str(year) / "bao-cao.json").read_text("utf-8"))
    assert report["outputs"]["feedback"]
