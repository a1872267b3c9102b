"""The final review's header starts from the agencies the officer corrected on the latest
yearly report (issue #23): a name corrected once is the office's name on every document it
signs. What they type in the review's own draft still wins; what a yearly run printed from
its configuration is not a correction (the configuration may have been corrected since).

As the officer lives it: an An Giang year consolidated from the samples, the yearly draft's
header corrected in Word (python-docx, as Word leaves the runs), consolidated again or not,
then `tong-ket` from the console, its draft read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.app import consolidate_into
from pipeline.form import load_form
from pipeline.outbox.paths import document_path, review_paths
from pipeline.render.carried import FIELDS
from pipeline.samples import write_samples

from .test_carry3_review import AG
from .test_carry6_header import _configs, _edit_header, _header, _review

DEPARTMENT = "SỞ Y TẾ TỈNH AN GIANG"  # the issuing agency as the officer corrected it
OWN = "SỞ Y TẾ TỈNH AN GIANG (PHÒNG BẢO TRỢ XÃ HỘI)"  # typed on the review's own draft


def _year(config: Path, tmp_path: Path) -> tuple[Path, Path]:
    """An An Giang year consolidated from the samples under `config`: (outbox, its draft)."""
    form = load_form(config)
    write_samples(form, tmp_path / "inbox", seed=2025)
    outbox = tmp_path / "outbox-an-giang"
    consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
    return outbox, document_path(outbox, form.year, form.programme_info.prefix)


@pytest.mark.parametrize("consolidated", [True, False], ids=["consolidated-again", "not-yet"])
def test_the_review_prints_the_agency_corrected_on_the_yearly_draft_and_its_own_edit_wins(
    tmp_path, consolidated
):
    form = load_form(AG)
    outbox, yearly = _year(AG, tmp_path)
    signed = f"{form.agencies['place']}, ngày 20 tháng 01 năm 2026"
    _edit_header(yearly, {"department": DEPARTMENT, "place_date": signed})
    if consolidated:  # the correction carried by the run: recorded in the set's bao-cao.json
        consolidate_into(form, tmp_path / "inbox", outbox, show_progress=False)
        assert _header(yearly)["department"] == DEPARTMENT
    assert DEPARTMENT != form.agencies["department"]

    out = tmp_path / "tong-ket"
    said = _review(AG, outbox, out)
    _, draft = review_paths(out, 2019, 2025, form.programme_info.prefix)
    header = _header(draft)
    assert header["department"] == DEPARTMENT
    assert header["province"] == form.agencies["province"]  # not corrected: the configuration's
    assert header["place_date"] != signed  # the yearly report's signing date is its own
    assert (
        f"Đầu bản dự thảo tổng kết ghi {FIELDS['department']} như anh/chị đã sửa ở bản báo cáo năm 2025 "
        f"({yearly}), không theo mục [agencies] của {AG.name}: «{DEPARTMENT}». Nếu cần ghi khác, sửa ở đầu "
        f"bản dự thảo {draft}: lần chạy sau giữ phần anh/chị sửa."
    ) in said

    # the officer types another name on the review's own draft: theirs, not the yearly one
    _edit_header(draft, {"department": OWN})
    said = _review(AG, outbox, out)
    assert _header(draft)["department"] == OWN
    assert "Đầu bản dự thảo tổng kết ghi" not in said
    said = _review(AG, outbox, out)  # and again on a later run
    assert _header(draft)["department"] == OWN


def test_what_a_yearly_run_printed_from_its_configuration_is_not_a_correction(tmp_path):
    """The year consolidated before the configuration's agency was corrected: its draft
    prints the old name, which the officer did not type; the review prints the new one."""
    configs = _configs(tmp_path, "an-giang.toml", renamed=DEPARTMENT)
    outbox, yearly = _year(configs["tay"], tmp_path)
    old = load_form(configs["tay"]).agencies["department"]
    assert _header(yearly)["department"] == old != DEPARTMENT

    out = tmp_path / "tong-ket"
    said = _review(configs["dong"], outbox, out)
    _, draft = review_paths(out, 2019, 2025, load_form(AG).programme_info.prefix)
    assert _header(draft)["department"] == DEPARTMENT
    assert "Đầu bản dự thảo tổng kết ghi" not in said
