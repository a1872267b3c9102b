"""Issue #14: the narrative report (.docx) drafted by `consolidate`, and the coverage note.

The document is opened with python-docx; every figure in its sentences is compared with
the value the workbook shows for the same total (read back with openpyxl), so the two
cannot disagree. The workbook's biểu carry "sơ bộ" and the units not yet in while any unit
is missing or rejected, and nothing of the kind once all are in.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import DEFAULT_WORDING, FormError, layout_json, load_form
from pipeline.outbox.paths import document_path, workbook_path
from pipeline.render.document import SIGN_DOTS, write_document
from pipeline.render.official import DOT, MOTTO, MOTTO_SUB
from pipeline.render.template import write_template
from pipeline.render.workbook import SHEETS
from pipeline.run.result import Report
from pipeline.samples import valid_data
from pipeline.text.names import template_name

from .conftest import ROOT

BIEU = ("b01", "b02", "b03", "b04", "b05", "b06")
NUMBER = r"(\d{1,3}(?:\.\d{3})*)"


def number(text: str) -> int:
    return int(text.replace(".", ""))


@pytest.fixture(scope="module")
def sample(form, tmp_path_factory) -> tuple[Report, Path]:
    """The shipped sample inbox consolidated (one unit missing, two rejected)."""
    out = tmp_path_factory.mktemp("sample") / "outbox"
    report = consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    return report, out


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def rows_by_label(ws) -> dict[str, list[Any]]:
    """Column B label -> the numbers on that row of a biểu (cached values)."""
    return {
        str(r[1]): [v for v in r[2:] if isinstance(v, int | float)]
        for r in ws.iter_rows(values_only=True)
        if len(r) > 2 and isinstance(r[1], str)
    }


def total_row(ws) -> list[int]:
    for r in ws.iter_rows(values_only=True):
        if "Tổng cộng" in r[:3]:
            return [v for v in r if isinstance(v, int | float)]
    raise AssertionError(f"no 'Tổng cộng' on {ws.title}")


def sheet_text(ws) -> str:
    return "\n".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if isinstance(v, str))


def test_document_header_sections_and_page(form, sample):
    report, out = sample
    path = document_path(out, form.year)
    assert report.outputs["document"] == str(path)
    doc = Document(str(path))
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    margins = [round(m.mm) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)]
    assert 20 <= margins[0] <= 25 and 20 <= margins[1] <= 25
    assert 30 <= margins[2] <= 35 and 15 <= margins[3] <= 20
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size.pt in (13, 14)

    header = doc.tables[0]
    left = [p for p in header.cell(0, 0).paragraphs if p.text.strip("—")]
    right = header.cell(0, 1).paragraphs
    ag = form.agencies
    assert [" ".join(p.text.split()) for p in left] == [ag["province"], ag["department"]]
    assert left[1].text == "SỞ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI"  # broken where an office would
    assert left[1].runs[0].bold
    assert [p.text for p in right] == [MOTTO, MOTTO_SUB]
    assert right[0].runs[0].bold and right[1].runs[0].bold and right[1].runs[0].underline
    assert header.cell(1, 0).text == ag["document_number"]
    date = header.cell(1, 1).paragraphs[0]
    assert date.text.startswith(f"{ag['place']}, ngày ") and date.runs[0].italic

    texts = paragraphs(path)
    title = texts.index("BÁO CÁO")
    assert doc.paragraphs[title].runs[0].bold
    assert texts[title + 1].startswith("Kết quả thực hiện") and str(form.year) in texts[title + 1]
    # the numbered sections, in the order and wording of the configuration
    wording = tomllib.loads(DEFAULT_WORDING.read_text(encoding="utf-8"))
    heads = [t for t in texts if re.match(r"^[IVX]+\. ", t)]
    want = [
        s["title"].format(next_year=form.year + 1, recipient_upper=ag["recipient"].upper())
        for s in wording["sections"]
    ]
    assert [h.split(". ", 1)[1] for h in heads] == want
    assert [h.split(". ", 1)[0] for h in heads[:4]] == ["I", "II", "III", "IV"]
    assert any("Quyết định số 588/QĐ-TTg ngày 17/5/2019 của Thủ tướng Chính phủ" in t for t in texts)
    assert any("182/UBND-KGVX" in t for t in texts)

    closing = doc.tables[-1]
    assert closing.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert closing.cell(0, 1).paragraphs[0].text == ag["signer_title"]
    assert closing.cell(0, 1).paragraphs[0].runs[0].bold
    # the name line last; the wording names nobody, so dots the officer writes on
    name = closing.cell(0, 1).paragraphs[-1]
    assert name.text == DOT * SIGN_DOTS and name.runs[0].bold
    # page numbers: a PAGE field in the header, none on the first page
    sec = doc.sections[0]
    assert sec.different_first_page_header_footer
    assert "PAGE" in "".join(t.text for t in sec.header._element.iter(qn("w:instrText")))
    assert not sec.first_page_header.is_linked_to_previous and not sec.first_page_header.paragraphs[0].text


def test_document_figures_are_the_workbooks(form, sample):
    report, out = sample
    texts = paragraphs(document_path(out, form.year))
    body = "\n".join(texts)
    wb = openpyxl.load_workbook(workbook_path(out, form.year), data_only=True)
    keys = list(form.blocks["results"].columns)
    b01 = total_row(wb[SHEETS["b01"]])
    shown = dict(zip(keys, b01, strict=True))

    head = re.search(
        rf"hỗ trợ {NUMBER} trẻ em \(trong đó {NUMBER} trẻ em nữ, {NUMBER} trẻ em dân tộc thiểu số\) "
        rf"với {NUMBER} lượt trẻ em được hỗ trợ; tổng giá trị hỗ trợ {NUMBER} đồng, gồm {NUMBER} đồng "
        rf"tiền mặt và {NUMBER} đồng hiện vật",
        body,
    )
    assert head, body[:2000]
    got = [number(g) for g in head.groups()]
    assert got == [
        shown[k] for k in ("children", "girls", "ethnic", "turns", "value_total", "cash", "in_kind")
    ]
    assert shown["children"] == report.totals.to_dict()["results.children"] > 0

    # one line per category (B01) and per region (B02), each equal to the biểu's row
    item = re.compile(rf"^- (.+): {NUMBER} trẻ em, {NUMBER} lượt, giá trị {NUMBER} đồng[;.]$")
    for key, start in (("b01", "Theo nội dung hỗ trợ:"), ("b02", "Theo địa bàn:")):
        rows = rows_by_label(wb[SHEETS[key]])
        i = texts.index(start) + 1
        seen = 0
        while m := item.match(texts[i]):
            name = m.group(1)
            assert [number(g) for g in m.groups()[1:]] == [
                rows[name][keys.index(k)] for k in ("children", "turns", "value_total")
            ], name
            seen += 1
            i += 1
        assert seen == sum(1 for r in rows.values() if r and r[0]), key
        assert texts[i - 1].endswith(".")

    # resources by source (B04), the Children Protection Fund among them
    src_keys = list(form.blocks["resources"].columns)
    b04 = dict(zip(src_keys, total_row(wb[SHEETS["b04"]]), strict=True))
    m = re.search(rf"đã vận động được {NUMBER} đồng, gồm {NUMBER} đồng tiền mặt và {NUMBER} đồng", body)
    assert [number(g) for g in m.groups()] == [b04["total"], b04["cash"], b04["in_kind"]]
    fund = next(s.name for s in form.sources if s.code == "QBTTE")
    b04_rows = rows_by_label(wb[SHEETS["b04"]])
    m = re.search(rf"- {re.escape(fund)}: {NUMBER} đồng \((\d+,\d)%\)", body)
    assert number(m.group(1)) == b04_rows[fund][src_keys.index("total")]
    assert m.group(2) == f"{b04_rows[fund][src_keys.index('total')] / b04['total'] * 100:.1f}".replace(
        ".", ","
    )

    # needs for next year (B05)
    b05 = total_row(wb[SHEETS["b05"]])
    m = re.search(
        rf"năm {form.year + 1} có {NUMBER} trẻ em cần được hỗ trợ, với kinh phí dự kiến {NUMBER} đồng", body
    )
    assert [number(g) for g in m.groups()] == b05


def test_document_lists_units_not_in_and_their_words(form, sample):
    report, out = sample
    texts = paragraphs(document_path(out, form.year))
    body = "\n".join(texts)
    wb = openpyxl.load_workbook(workbook_path(out, form.year), data_only=True)
    status = [r for r in wb[SHEETS["status"]].iter_rows(values_only=True) if isinstance(r[0], int)]
    absent = [r[2] for r in status if r[7] != "Đã chấp nhận"]
    assert len(absent) == 3 and len(status) == len(form.units)
    # the count under the title, the names once, in section II (brk14 F9: listed twice)
    note = f"Số liệu tổng hợp từ {len(status) - 3}/{len(status)} đơn vị; 3 đơn vị chưa có báo cáo hợp lệ"
    assert any(t.startswith(note) for t in texts), texts[:6]
    assert sum(absent[0] in t for t in texts) == 1
    assert "(Số liệu sơ bộ)" in texts
    assert f"Các đơn vị chưa có báo cáo hợp lệ (3): {', '.join(absent)}." in texts
    # difficulties: each text once per kind of unit, followed by every unit that wrote it
    accepted_districts = [r[2] for r in status if r[7] == "Đã chấp nhận" and r[3] == "Huyện, thành phố"]
    i = texts.index("Khó khăn, vướng mắc")
    assert texts[i + 1] == "Huyện, thành phố:"
    assert texts[i + 2].startswith("- Nguồn lực vận động còn hạn chế")
    assert texts[i + 2].endswith(f"({', '.join(accepted_districts)}).")
    # the proposals are the officer's: dotted lines, what to write there in a comment
    assert "Cán bộ tổng hợp hoàn thiện" not in body
    hints = [c.text for c in Document(str(document_path(out, form.year))).comments]
    assert "[Cán bộ tổng hợp hoàn thiện nội dung đề xuất, kiến nghị trước khi trình ký.]" in hints


def test_every_bieu_says_it_is_preliminary_while_a_unit_is_missing(form, sample):
    report, out = sample
    wb = openpyxl.load_workbook(workbook_path(out, form.year), data_only=True)
    absent = [u.name for u in report.units if u.status != "accepted"]
    note = f"Số liệu tổng hợp từ {len(form.units) - len(absent)}/{len(form.units)} đơn vị; chưa có: {', '.join(absent)}."
    for key in ("dashboard", *BIEU):
        text = sheet_text(wb[SHEETS[key]])
        assert note in text, key
        assert "(SỐ LIỆU SƠ BỘ)" in text, key


def test_full_inbox_has_no_preliminary_note(form, make_file, tmp_path):
    for unit in form.units:
        make_file(unit.code)
    report = consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    assert report.count("accepted") == len(form.units)
    wb = openpyxl.load_workbook(workbook_path(tmp_path / "out", form.year), data_only=True)
    for key in ("dashboard", *BIEU):
        text = sheet_text(wb[SHEETS[key]]).lower()
        assert "sơ bộ" not in text and "chưa có" not in text, key
    texts = paragraphs(document_path(tmp_path / "out", form.year))
    body = "\n".join(texts).lower()
    assert "sơ bộ" not in body and "chưa có:" not in body
    assert f"đủ {len(form.units)}/{len(form.units)} đơn vị" in body


def test_comparison_with_last_year_and_programme_to_date(form, tmp_path):
    outbox = tmp_path / "out"
    totals = {}
    for year in (form.year - 1, form.year):
        f = load_form(overrides={"period": {"year": year}})
        lay = layout_json(f)
        for code in ("899", "SYT"):
            unit = f.units_by_code[code]
            write_template(f, unit, tmp_path / f"tpl{year}")
            data = valid_data(f, code, random.Random(f"{year}{code}"), lay)
            fill(
                tmp_path / f"tpl{year}" / template_name(year, code, unit.name),
                tmp_path / f"in{year}" / f"{code}.xlsx",
                lay,
                code,
                data,
            )
        report = consolidate_into(f, tmp_path / f"in{year}", outbox, show_progress=False)
        totals[year] = (
            report.totals.to_dict()["results.children"],
            report.totals.to_dict()["results.value_total"],
        )
    body = "\n".join(paragraphs(document_path(outbox, form.year)))
    (n0, v0), (n1, v1) = totals[form.year - 1], totals[form.year]
    m = re.search(
        # the same 2 of 28 units both years: compared on them, saying how many (issue B6)
        rf"So với năm {form.year - 1}, tính trên 2 đơn vị [^)]*\), số trẻ em được hỗ trợ của các đơn vị này là "
        rf"{NUMBER} trẻ em so với {NUMBER} \((tăng|giảm) {NUMBER}",
        body,
    )
    assert m, body
    assert (number(m.group(1)), number(m.group(2)), number(m.group(4))) == (n1, n0, abs(n1 - n0))
    assert m.group(3) == ("tăng" if n1 > n0 else "giảm")
    m = re.search(rf"số trẻ em được hỗ trợ là {NUMBER} trẻ em, tổng giá trị hỗ trợ {NUMBER} đồng", body)
    assert (number(m.group(1)), number(m.group(2))) == (n0 + n1, v0 + v1)
    # the same programme-to-date total as the workbook's comparison sheet
    ws = openpyxl.load_workbook(workbook_path(outbox, form.year), data_only=True)[SHEETS["yoy"]]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["Lũy kế"][1:3] == (n0 + n1, v0 + v1)


def test_wording_and_sections_come_from_configuration(form, sample, tmp_path):
    report, _ = sample
    custom = tmp_path / "khac.toml"
    custom.write_text(
        """
[document]
title = "BÁO CÁO NHANH"
subject = "Tình hình năm {year}"
recipients = ["Lưu: VT."]

[[sections]]
kind = "results"
title = "KẾT QUẢ"
headline = "Tổng cộng {children} trẻ em."
by_category = "Chia theo nội dung:"
by_region = "Chia theo địa bàn:"
item = "{name} có {children} em;"
empty = "Không có."

[[sections]]
kind = "basis"
title = "CĂN CỨ"
paragraphs = ["Theo {request}."]
""",
        encoding="utf-8",
    )
    path = tmp_path / "bao-cao.docx"
    write_document(report, path, custom)
    texts = paragraphs(path)
    assert "BÁO CÁO NHANH" in texts and f"Tình hình năm {form.year}" in texts
    assert [t for t in texts if re.match(r"^[IVX]+\. ", t)] == ["I. KẾT QUẢ", "II. CĂN CỨ"]
    n = report.totals.to_dict()["results.children"]
    assert f"Tổng cộng {n:,} trẻ em.".replace(",", ".") in texts
    assert f"Theo {form.request}." in texts

    custom.write_text(
        custom.read_text(encoding="utf-8").replace("{children} em;", "{tre_em} em;"), encoding="utf-8"
    )
    with pytest.raises(FormError, match="results.item.*tre_em"):
        write_document(report, tmp_path / "x.docx", custom)
    assert not (tmp_path / "x.docx").exists()


def test_form_names_its_wording_file(tmp_path):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    cfg = tmp_path / "schemas" / "kien-giang.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace('document = "bao-cao.toml"', 'document = "khac.toml"'),
        encoding="utf-8",
    )
    with pytest.raises(FormError, match="Không tìm thấy tệp lời văn báo cáo .*khac.toml"):
        load_form(cfg)
    shutil.copy(tmp_path / "schemas" / "bao-cao.toml", tmp_path / "schemas" / "khac.toml")
    assert load_form(cfg).document == tmp_path / "schemas" / "khac.toml"


def test_consolidate_with_bad_wording_is_a_configuration_error(tmp_path):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    wording = tmp_path / "schemas" / "bao-cao.toml"
    wording.write_text(
        wording.read_text(encoding="utf-8").replace("miền núi năm {year}", "miền núi năm {nam_bao_cao}"),
        encoding="utf-8",
    )
    (tmp_path / "inbox").mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "--config",
            str(tmp_path / "schemas" / "kien-giang.toml"),
            "consolidate",
        ]
        + ["--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert (
        "Lỗi cấu hình" in done.stderr and "nam_bao_cao" in done.stderr and "document.subject" in done.stderr
    )


def test_the_count_of_children_says_what_it_adds_up(make_file, tmp_path):
    """brk45 F1: "đã vận động hỗ trợ 39.788 trẻ em" is the sum of every row (each support,
    place and reporting unit), not a count of persons: the sentence after it says so."""
    form = load_form()
    for code in ("899", "SYT"):
        make_file(code)
    consolidate_into(form, tmp_path / "inbox", tmp_path / "out", show_progress=False, workers=1)
    texts = [p.text for p in Document(str(document_path(tmp_path / "out", form.year))).paragraphs]
    head = next(i for i, t in enumerate(texts) if t.startswith(f"Trong năm {form.year}, các cơ quan"))
    assert texts[head + 1].startswith("Số trẻ em nêu trong báo cáo là tổng số liệu các đơn vị báo cáo")
    assert "có thể được tính nhiều lần" in texts[head + 1]
