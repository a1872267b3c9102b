"""Code schemes are named by their Vietnamese labels (issue #23): the template, the yearly
document and its «So sánh các năm» sheet, and the final review's document and workbook say
"mã xã, phường, đặc khu của tỉnh An Giang từ 01/7/2025", never "ag-xa-2025"; only a column
headed «Ký hiệu hệ mã …» keeps the ids beside them (to trace a figure to the CSV and
bao-cao.json, which keep the ids). The labels are held once, in
`schemas/reference/code-schemes.csv`; a configuration naming a scheme without one is refused.

The years are built with the project's own samples and consolidation (2024 under Kiên
Giang's configuration, 2025 under An Giang's), as the history tests do."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, FormError, load_form
from pipeline.form.crosswalk import load_crosswalk
from pipeline.outbox.paths import document_path, report_path, workbook_path
from pipeline.render.template import write_template
from pipeline.render.workbook import SHEETS
from pipeline.render.yoy import SCHEME_ID_HEAD
from pipeline.samples import write_samples

KG, AG = SCHEMAS_DIR / "kien-giang.toml", SCHEMAS_DIR / "an-giang.toml"
LABELS = SCHEMAS_DIR / "reference" / "code-schemes.csv"


def _labels() -> dict[str, str]:
    """The reference file read here on its own (not by the loader under test)."""
    lines = [line for line in LABELS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {r["scheme"]: r["label"] for r in csv.DictReader(lines)}


def _config_ids() -> set[str]:
    """Every scheme id the shipped configurations name: their units' and regions', the
    archives' (`unmarked_history`) and the crosswalk's."""
    ids: set[str] = set()
    for path in (KG, AG):
        form = load_form(path)
        ids |= {*form.schemes, *form.unmarked_history}
        cw = load_crosswalk(form)
        if cw is not None:
            ids |= {cw.new_scheme, *cw.old_schemes}
    return ids


IDS = _config_ids()
ID_PATTERN = re.compile("|".join(re.escape(i) for i in sorted(IDS, key=len, reverse=True)))
# any id shaped like the configurations' ("xx-word-YYYY"), should one be missing from IDS
ID_SHAPE = re.compile(r"(?<![\w-])[a-z]{2}-[a-z]+-(19|20)\d\d(?![\w-])")


def _raw_ids(text: str) -> list[str]:
    return [m.group(0) for m in (*ID_PATTERN.finditer(text), *ID_SHAPE.finditer(text))]


def _sheet_texts(ws) -> list[tuple[str, str]]:
    """(cell, text) of every string of a sheet, leaving out the ids kept for traceability:
    a cell holding nothing but ids (and codes, separators) under a heading «Ký hiệu hệ mã …»
    (or «Mã (ký hiệu hệ mã:mã)») in its column."""
    heads: dict[int, int] = {}  # column -> the first row of such a heading
    out = []
    for row in ws.iter_rows():
        for c in row:
            if not isinstance(c.value, str) or not c.value:
                continue
            if SCHEME_ID_HEAD.lower() in c.value.lower():
                heads.setdefault(c.column, c.row)
            only_ids = not re.sub(r"[\s,|:;0-9?]", "", ID_PATTERN.sub("", c.value))
            if only_ids and c.column in heads and heads[c.column] < c.row:
                continue
            out.append((c.coordinate, c.value))
    return out


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def test_every_scheme_of_the_shipped_configurations_has_a_label():
    labels = _labels()
    assert IDS >= {"kg-huyen-2021", "kg-so-2019", "ag-xa-2025", "ag-so-2025", "kg-xa-2021"}
    assert IDS <= set(labels)
    for scheme in IDS:
        assert not _raw_ids(labels[scheme]), scheme
    # the loader reads the same file: one source of truth
    assert load_form(AG).scheme_label("kg-huyen-2021") == labels["kg-huyen-2021"]
    assert load_form(KG).scheme_label("ag-xa-2025") == labels["ag-xa-2025"]


@pytest.mark.parametrize(("config", "code"), [(AG, "30292"), (AG, "SYT"), (KG, "899"), (KG, "SYT")])
def test_the_template_names_the_units_code_scheme_by_its_label(tmp_path, config, code):
    form = load_form(config)
    unit = form.units_by_code[code]
    book = openpyxl.load_workbook(write_template(form, unit, tmp_path))
    label = _labels()[unit.scheme]
    instructions = [t for _, t in _sheet_texts(book[form.sheets["instructions"]])]
    assert f"Đơn vị: {unit.name} (mã {unit.code}: {label}; cấu hình {config.name})." in instructions
    info = [t for _, t in _sheet_texts(book[form.sheets["info"]])]
    assert any(t.endswith(f"- mã đơn vị: {label}") for t in info), info[:3]
    for ws in book.worksheets:
        if ws.title == form.sheets["meta"]:
            # the hidden marker keeps the id: it is read back, never shown
            assert ws[_meta_cell("scheme")].value == unit.scheme
            continue
        found = [(ws.title, cell, t) for cell, t in _sheet_texts(ws) if _raw_ids(t)]
        assert not found


def _meta_cell(key: str) -> str:
    from pipeline.form import meta_cell

    return meta_cell(key)


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> dict[str, Path]:
    """2024 under Kiên Giang's configuration, 2025 under An Giang's (with 2024 as its
    previous year on another map), then the final review from the two outboxes."""
    tmp = tmp_path_factory.mktemp("labels")
    kg = load_form(KG, {"period": {"year": 2024}})
    ag = load_form(AG)
    write_samples(kg, tmp / "in2024")
    write_samples(ag, tmp / "in2025")
    consolidate_into(kg, tmp / "in2024", tmp / "kg", show_progress=False)
    consolidate_into(ag, tmp / "in2025", tmp / "ag", show_progress=False, archive=tmp / "kg")
    out = tmp / "tong-ket"
    args = ["--config", str(AG), "tong-ket", "--outbox", str(tmp / "ag"), "--outbox", str(tmp / "kg")]
    assert cli.main([*args, "--out", str(out)]) == 0
    return {"tmp": tmp, "review": out}


def test_the_yearly_document_names_each_years_schemes_by_their_labels(years):
    labels = _labels()
    text = _docx_text(document_path(years["tmp"] / "ag", 2025))
    assert (
        f"Năm 2024 được báo cáo theo địa giới cũ ({labels['kg-huyen-2021']}; {labels['kg-so-2019']}), "
        f"năm 2025 theo địa giới mới ({labels['ag-xa-2025']}; {labels['ag-so-2025']})"
    ) in text
    assert not _raw_ids(text)
    # the machine-readable record keeps the ids older outboxes rely on
    record = json.loads(report_path(years["tmp"] / "ag", 2025).read_text(encoding="utf-8"))
    assert record["form"]["schemes"] == ["ag-xa-2025", "ag-so-2025"]


def test_the_yearly_comparison_sheet_keeps_ids_only_in_their_own_columns(years):
    labels = _labels()
    ws = openpyxl.load_workbook(workbook_path(years["tmp"] / "ag", 2025))[SHEETS["yoy"]]
    texts = _sheet_texts(ws)
    assert not [(cell, t) for cell, t in texts if _raw_ids(t)]
    joined = "\n".join(t for _, t in texts)
    for scheme in ("kg-huyen-2021", "kg-so-2019", "ag-xa-2025", "ag-so-2025", "kg-xa-2021"):
        assert labels[scheme] in joined, scheme
    assert f"Địa bàn trước 01/7/2025 ({labels['kg-huyen-2021']})" in joined
    # the ids are still there, beside the labels, in the columns that keep them
    rows = [tuple(r)[:7] for r in ws.iter_rows(values_only=True)]
    assert (
        "30742",
        labels["kg-xa-2021"],
        "Phường Vĩnh Thanh Vân",
        labels["ag-xa-2025"],
        "Phường Rạch Giá",
    ) + (
        "kg-xa-2021",
        "ag-xa-2025",
    ) in rows


def test_the_final_review_names_the_schemes_by_their_labels(years):
    labels = _labels()
    stem = "tong-ket-588-2019-2025"
    text = _docx_text(years["review"] / f"{stem}.docx")
    assert not _raw_ids(text)
    assert (
        f"đơn vị báo cáo (đơn vị và địa bàn ghi theo {labels['kg-huyen-2021']}; {labels['kg-so-2019']})"
        in text
    )
    assert f"địa bàn ({labels['ag-xa-2025']}; xem bảng tổng hợp kèm theo)" in text
    book = openpyxl.load_workbook(years["review"] / f"{stem}.xlsx")
    joined = []
    for ws in book.worksheets:
        texts = _sheet_texts(ws)
        assert not [(ws.title, cell, t) for cell, t in texts if _raw_ids(t)]
        joined += [t for _, t in texts]
    everything = "\n".join(joined)
    for scheme in ("kg-huyen-2021", "ag-xa-2025", "ag-so-2025"):
        assert labels[scheme] in everything, scheme
    assert f"KẾT QUẢ HỖ TRỢ TRẺ EM THEO ĐỊA BÀN - {labels['kg-huyen-2021'].upper()}" in everything
    overview = [tuple(r) for r in book["Tổng quan"].iter_rows(values_only=True)]
    heads = next(r for r in overview if r[0] == "Năm")
    row = next(r for r in overview if r[0] == "2024")
    col = {h: i for i, h in enumerate(heads)}
    assert row[col["Địa giới, hệ mã"]] == f"{labels['kg-huyen-2021']}; {labels['kg-so-2019']}"
    assert row[col[SCHEME_ID_HEAD]] == "kg-huyen-2021, kg-so-2019"


def _copied_config(folder: Path, edit: tuple[str, str] | None = None) -> Path:
    """kien-giang.toml and the files it names, copied into `folder`, with one text replaced."""
    for name in ("layout.toml", "bao-cao.toml"):
        shutil.copy(SCHEMAS_DIR / name, folder / name)
    text = KG.read_text(encoding="utf-8")
    if edit:
        assert edit[0] in text
        text = text.replace(*edit)
    path = folder / "kien-giang.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scheme_without_a_label_is_a_configuration_error(tmp_path):
    path = _copied_config(tmp_path, ('scheme = "kg-so-2019"', 'scheme = "kg-so-2026"'))
    with pytest.raises(FormError) as err:
        load_form(path)
    message = str(err.value)
    assert (
        "kien-giang.toml: hệ mã 'kg-so-2026' (của đơn vị) chưa có tên gọi trong code-schemes.csv" in message
    )
    assert 'kg-so-2026,"<tên gọi tiếng Việt của hệ mã>"' in message


def test_a_configuration_may_name_its_own_labels_file(tmp_path):
    """`[schemes] labels`: a file next to the configuration; a scheme of [history] or of the
    archives it lacks is refused as well."""
    (tmp_path / "ten-he-ma.csv").write_text(
        "# our schemes\nscheme,label\nkg-huyen-2021,mã huyện cũ\nkg-so-2019,mã sở cũ\n", encoding="utf-8"
    )
    path = _copied_config(tmp_path, ("[schemes]\n", '[schemes]\nlabels = "ten-he-ma.csv"\n'))
    form = load_form(path)
    assert form.schemes_text(form.schemes) == "mã huyện cũ; mã sở cũ"
    broken = _copied_config(
        tmp_path,
        (
            'unmarked_history = ["kg-huyen-2021", "kg-so-2019"]',
            'unmarked_history = ["kg-huyen-2021", "kg-so-2018"]',
        ),
    )
    with pytest.raises(FormError, match=r"hệ mã 'kg-so-2018' \(của \[schemes\] unmarked_history\)"):
        load_form(broken)


def test_a_template_of_another_scheme_is_refused_in_the_labels_words(tmp_path, capsys):
    """A template whose hidden marker gives the unit code in another scheme (SYT of Kiên
    Giang's departments, read under An Giang's): the finding and the run's first line say
    both schemes by their labels; the finding's value keeps the id."""
    from pipeline.form import meta_cell
    from pipeline.run.misfit import wrong_configuration

    ag = load_form(AG)
    labels = _labels()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    made = write_template(ag, ag.units_by_code["SYT"], tmp_path)
    book = openpyxl.load_workbook(made)
    book[ag.sheets["meta"]][meta_cell("scheme")] = "kg-so-2019"
    book.save(inbox / "SYT.xlsx")
    assert cli.main(["--config", str(AG), "check", "--json", str(inbox / "SYT.xlsx")]) != 0
    (result,) = json.loads(capsys.readouterr().out)
    (finding,) = result["findings"]
    assert finding["value"] == "kg-so-2019"
    assert (
        f"mã đơn vị 'SYT' trong tệp là {labels['kg-so-2019']}, không phải {labels['ag-so-2025']} "
        "của cấu hình đang dùng"
    ) in finding["message"]
    assert not _raw_ids(finding["message"])
    report = consolidate_into(ag, inbox, tmp_path / "out", show_progress=False)
    line = wrong_configuration(report, "tong-hop-588")
    assert f"ghi mã đơn vị theo {labels['kg-so-2019']}, không phải theo mã của cấu hình an-giang.toml" in line
    assert not _raw_ids(line)


def test_a_review_with_no_year_on_the_old_map_says_so_on_its_crosswalk_sheet(tmp_path):
    """tong-ket over An Giang's 2025 alone: the crosswalk sheet says no year was reported on
    the old map (before: an empty table headed "mã huyện cũ: chưa rõ hệ mã")."""
    from pipeline.outbox.paths import review_paths
    from pipeline.review.workbook import CROSSWALK

    from .test_carry5_review import review_draft

    _, out, _, _ = review_draft(tmp_path)
    book, _ = review_paths(out, 2019, 2025, load_form(SCHEMAS_DIR / "an-giang.toml").programme_info.prefix)
    ws = openpyxl.load_workbook(book)[CROSSWALK]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(
        "Không có năm nào trong các năm tổng kết báo cáo theo địa giới trước 01/7/2025" in t for t in texts
    )
    assert not any("chưa rõ hệ mã" in t for t in texts)
