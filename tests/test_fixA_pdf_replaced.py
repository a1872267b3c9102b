"""A consolidation that replaces the set holding the PDF to sign says so (brk46).

The officer consolidates, makes the PDF (`pdf`, written inside the current set), then more
mail comes and they consolidate again: the new set has no PDF, the old one went with the
previous set. The run's summary ends by saying that PDF no longer matches, where it is now,
and the command that makes it again, as the officer types it; only when the set replaced
had a PDF. Run as the officer runs them, with LibreOffice making the PDF.
"""

from __future__ import annotations

import pytest

from pipeline.outbox.paths import pdf_path, previous_dir
from pipeline.run.changes import PDF_AGAIN, PDF_STAYED, pdf_command
from pipeline.text.command import MAKE_MARK

from . import lo
from .clirun import run_cli

NOTE = "tệp PDF để ký tạo ở lần tổng hợp trước"  # PDF_STAYED, said of the set replaced


def _consolidate(inbox, outbox):
    done = run_cli("consolidate", "--inbox", str(inbox), "--outbox", str(outbox), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


@pytest.mark.libreoffice
def test_consolidation_after_the_pdf_says_the_pdf_stayed_with_the_previous_set(form, make_file, tmp_path):
    lo.require_soffice()
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    make_file("899")
    first = _consolidate(inbox, outbox)
    assert not any(NOTE in line for line in first)  # no set before: nothing to say

    printed = run_cli("pdf", "--outbox", str(outbox), timeout=600)
    assert printed.returncode == 0, printed.stdout + printed.stderr
    assert pdf_path(outbox, form.year).is_file()

    make_file("900")  # more mail came
    second = _consolidate(inbox, outbox)
    old = previous_dir(outbox, form.year) / pdf_path(outbox, form.year).name
    assert old.is_file() and not pdf_path(outbox, form.year).exists()
    assert second[-2:] == [  # the summary's last words
        PDF_STAYED.format(old=old),
        PDF_AGAIN.format(command=f"python -m pipeline pdf --outbox {outbox}"),
    ]
    assert "không thuộc bộ kết quả mới" in second[-2] and "sẽ bị xóa ở lần tổng hợp sau" in second[-2]

    third = _consolidate(inbox, outbox)  # the set it replaces had no PDF
    assert not any(NOTE in line or " pdf " in line for line in third)


def test_the_pdf_command_is_said_as_the_officer_started_the_program(form, tmp_path, monkeypatch):
    monkeypatch.delenv(MAKE_MARK, raising=False)
    assert pdf_command(form, form.outbox) == "python -m pipeline pdf"
    assert pdf_command(form, tmp_path / "kq") == f"python -m pipeline pdf --outbox {tmp_path / 'kq'}"
    monkeypatch.setenv(MAKE_MARK, "1")
    assert (
        pdf_command(form, tmp_path / "kq")
        == f"make pdf CONFIG=schemas/kien-giang.toml OUTBOX={tmp_path / 'kq'}"
    )
