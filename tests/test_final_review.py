"""The final review 2019-2025 (issue #22, item 4): seven years generated with the project's
own samples and consolidation (2019-2024 under kien-giang.toml into one outbox, 2025 under
an-giang.toml into its own), then `tong-ket` from the two outboxes.

Every expected figure is summed here, independently, from the yearly outboxes' CSVs (and the
units from their bao-cao.json); the land of the new units from the reference list of the 102
units, not from the crosswalk the code reads."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.form import SCHEMAS_DIR, load_form
from pipeline.outbox.paths import detail_csv_path, report_path
from pipeline.render.narrative import vn_number
from pipeline.render.official import DOT, INLINE_DOTS
from pipeline.samples import write_samples

KG, AG = SCHEMAS_DIR / "kien-giang.toml", SCHEMAS_DIR / "an-giang.toml"
YEARS = range(2019, 2026)
STEM = "tong-ket-588-2019-2025"


@pytest.fixture(scope="module")
def outboxes(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("review")
    for year in YEARS:
        form = load_form(AG if year == 2025 else KG, {"period": {"year": year}})
        inbox = tmp / f"in{year}"
        write_samples(form, inbox, seed=year)
        outbox = tmp / ("outbox-an-giang" if year == 2025 else "outbox")
        consolidate_into(form, inbox, outbox, show_progress=False)
    return {"kg": tmp / "outbox", "ag": tmp / "outbox-an-giang", "tmp": tmp}


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(["--config", str(AG), "tong-ket", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def review(outboxes, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("tong-ket")
    code = cli.main(
        [
            "--config",
            str(AG),
            "tong-ket",
            "--outbox",
            str(outboxes["ag"]),
            "--outbox",
            str(outboxes["kg"]),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return {"book": out / f"{STEM}.xlsx", "doc": out / f"{STEM}.docx", "out": out}


def _outbox(outboxes, year: int) -> Path:
    return outboxes["ag"] if year == 2025 else outboxes["kg"]


def _csv(outboxes, year: int) -> pd.DataFrame:
    frame = pd.read_csv(
        detail_csv_path(_outbox(outboxes, year), year), dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    return frame.assign(value=frame["value"].astype("int64"))


def _sum(frame: pd.DataFrame, block: str, *measures: str, **keys: object) -> int:
    sub = frame[(frame["block"] == block) & frame["measure"].isin(measures)]
    for col, want in keys.items():
        sub = sub[sub[col].isin(want)] if isinstance(want, set | list) else sub[sub[col] == want]
    return int(sub["value"].sum())


def _rows(path: Path, sheet: str) -> list[tuple]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def _reference(name: str) -> list[dict[str, str]]:
    lines = (SCHEMAS_DIR / "reference" / name).read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def test_every_years_totals_equal_the_sums_of_its_outbox(outboxes, review):
    rows = {r[0]: r for r in _rows(review["book"], "Tổng quan") if r[0]}
    heads = rows["Năm"]
    col = {h: i for i, h in enumerate(heads)}
    to_date = [0] * 6
    for year in YEARS:
        frame = _csv(outboxes, year)
        want = [
            _sum(frame, "results", "children"),
            _sum(frame, "results", "turns"),
            _sum(frame, "results", "cash"),
            _sum(frame, "results", "in_kind"),
            _sum(frame, "results", "cash", "in_kind"),
            _sum(frame, "resources", "cash", "in_kind"),
        ]
        row = rows[str(year)]
        got = [
            row[col["Số trẻ em được hỗ trợ (người)"]],
            row[col["Số lượt trẻ em được hỗ trợ (lượt)"]],
            row[col["Giá trị hỗ trợ bằng tiền mặt (đồng)"]],
            row[col["Giá trị hỗ trợ bằng hiện vật (quy ra tiền) (đồng)"]],
            row[col["Tổng giá trị hỗ trợ (đồng)"]],
            row[col["Nguồn lực đã vận động (đồng)"]],
        ]
        assert got == want, year
        to_date = [a + b for a, b in zip(to_date, want, strict=True)]
        summary = json.loads(report_path(_outbox(outboxes, year), year).read_text(encoding="utf-8"))[
            "summary"
        ]
        assert (row[col["Đơn vị đã báo cáo"]], row[col["Đơn vị phải báo cáo"]]) == (
            summary["accepted"],
            summary["units"],
        )
        ids = ["ag-xa-2025", "ag-so-2025"] if year == 2025 else ["kg-huyen-2021", "kg-so-2019"]
        assert row[col["Ký hiệu hệ mã"]] == ", ".join(ids)
        assert row[col["Địa giới, hệ mã"]] == load_form(AG).schemes_text(ids)
    # the "Cộng" row: formulas over the years, written with their values
    assert rows["Cộng"][1].startswith("=SUM(")
    ws = openpyxl.load_workbook(review["book"], data_only=True)["Tổng quan"]
    total = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Cộng")
    assert list(total[1:7]) == to_date
    assert (total[col["Đơn vị đã báo cáo"]], total[col["Đơn vị phải báo cáo"]]) == (
        None,
        None,
    )  # no sum of units
    assert not any(str(r[0]).startswith("Thiếu số liệu") for r in _rows(review["book"], "Tổng quan"))


@pytest.mark.parametrize(
    ("sheet", "block", "key"),
    [
        ("Kết quả", "results", "category"),
        ("Nguồn lực", "resources", "source"),
        ("Nhu cầu", "needs", "category"),
    ],
)
def test_each_block_by_its_list_equals_the_sums_of_the_outboxes(outboxes, review, sheet, block, key):
    ag = load_form(AG)
    measures = [m.key for m in ag.blocks[block].measures]
    names = {i.code: i.name for i in ag.items(key)}
    rows = _rows(review["book"], sheet)
    got = {(r[0], r[1]): r[2 : 2 + len(measures)] for r in rows if r[0] and r[0].isdigit()}
    to_date: dict[str, list[int]] = {}
    for year in YEARS:
        frame = _csv(outboxes, year)
        for code, name in names.items():
            want = tuple(_sum(frame, block, m, **{key: code}) for m in measures)
            assert got[(str(year), name)] == want, (year, name)
            to_date[name] = [a + b for a, b in zip(to_date.get(name, [0] * len(measures)), want, strict=True)]
    lines = {r[1]: r[2 : 2 + len(measures)] for r in rows if r[0] in ("", None) and r[1] in to_date}
    assert {n: list(v) for n, v in lines.items()} == to_date


def test_places_are_by_former_district_then_by_new_commune(outboxes, review):
    districts = _rows(review["book"], "Theo huyện cũ 2019-2024")
    heads = districts[3]
    assert heads[2:] == tuple(
        x for y in range(2019, 2025) for x in (f"Số trẻ em {y} (người)", f"Giá trị hỗ trợ {y} (đồng)")
    )
    kg = load_form(KG)
    by_code = {r[0]: r for r in districts[4:] if r[0] and r[0].startswith("kg-huyen-2021:")}
    assert [c.split(":")[1] for c in by_code] == [r.code for r in kg.regions]  # the configuration's order
    assert by_code["kg-huyen-2021:899"][1] == "Thành phố Rạch Giá"
    for i, year in enumerate(range(2019, 2025)):
        frame = _csv(outboxes, year)
        for region in kg.regions:
            row = by_code[f"kg-huyen-2021:{region.code}"]
            assert row[2 + 2 * i] == _sum(frame, "results", "children", region=region.code), (
                year,
                region.code,
            )
            assert row[3 + 2 * i] == _sum(frame, "results", "cash", "in_kind", region=region.code)
    communes = _rows(review["book"], "Theo xã mới 2025")
    frame = _csv(outboxes, 2025)
    by_new = {r[0]: r for r in communes[4:] if r[0] and r[0].startswith("ag-xa-2025:")}
    assert set(by_new) == {f"ag-xa-2025:{c}" for c in frame.query("block == 'results'")["region"].unique()}
    for key, row in by_new.items():
        code = key.split(":")[1]
        assert row[2:4] == (
            _sum(frame, "results", "children", region=code),
            _sum(frame, "results", "cash", "in_kind", region=code),
        )


def test_the_crosswalk_is_shown_with_what_is_only_in_part(review):
    rows = [r for r in _rows(review["book"], "Bảng chuyển đổi")[4:] if r[0]]
    reference = [
        r for r in _reference("an-giang-communes-2025-07.csv") if r["former_province"] == "Kiên Giang"
    ]
    pairs = {(r[0].split(":")[1], r[2].split(":")[1]): r[4] for r in rows}
    want = {(d, r["commune_code"]) for r in reference for d in r["former_district_codes"].split()}
    assert set(pairs) == want
    for r in reference:
        spans = len(r["former_district_codes"].split()) > 1
        for d in r["former_district_codes"].split():
            assert ("một phần" in pairs[(d, r["commune_code"])]) == spans, (d, r["commune_name"])
    assert (
        pairs[("899", "30760")] == pairs[("903", "30760")] == "một phần (xã mới gồm đất của nhiều huyện cũ)"
    )


def test_the_draft_document_says_the_same_figures(outboxes, review):
    doc = Document(str(review["doc"]))
    body = "\n".join(p.text for p in doc.paragraphs)
    header = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Tổng kết thực hiện Đề án" in body and "giai đoạn 2019 - 2025" in body
    # the recipient is still "cần điền": dots to write on, what to write as a comment on them
    assert f"Kính gửi: {DOT * INLINE_DOTS}." in body
    assert "cần điền: nơi nhận báo cáo tổng kết" in [c.text for c in doc.comments]
    assert "Số:       /BC-SYT" in header and "SỞ Y TẾ" in header
    children = value = 0
    for year in YEARS:
        frame = _csv(outboxes, year)
        n, v = _sum(frame, "results", "children"), _sum(frame, "results", "cash", "in_kind")
        children, value = children + n, value + v
        assert f"Năm {year}: {vn_number(n)} trẻ em được hỗ trợ" in body
        assert f"giá trị hỗ trợ {vn_number(v)} đồng" in body
    assert (
        "Lũy kế các năm đã báo cáo (2019, 2020, 2021, 2022, 2023, 2024, 2025; các năm trước 2025 chỉ gồm "
        f"địa bàn tỉnh Kiên Giang cũ): {vn_number(children)} trẻ em"
    ) in body
    # the years before the merger are Kiên Giang's alone, and said so (brk14 F6: "Đề án được
    # thực hiện trên địa bàn tỉnh Kiên Giang" read as the whole of today's province)
    assert "số liệu của báo cáo này là của tỉnh Kiên Giang (cũ" in body
    assert "trên địa bàn tỉnh An Giang (cũ), nếu có, chưa được tổng hợp vào báo cáo này" in body
    assert f"giá trị hỗ trợ {vn_number(value)} đồng" in body
    assert "năm chưa có số liệu: không" in body
    assert "Phường Vĩnh Thông; Phường Tô Châu" in body
    # no sentence of the review names the old ministry or department as today's
    assert "Bộ Lao động" not in body


def test_a_missing_year_is_named_and_left_out_of_the_totals(outboxes, review, tmp_path, capsys):
    kg = tmp_path / "outbox"
    shutil.copytree(outboxes["kg"], kg, ignore=shutil.ignore_patterns("2021"))
    out = tmp_path / "tk"
    code, stdout, err = _run(
        ["--outbox", str(outboxes["ag"]), "--outbox", str(kg), "--out", str(out)], capsys
    )
    assert code == 0
    assert "số liệu các năm 2019, 2020, 2022, 2023, 2024, 2025." in stdout
    assert "Cảnh báo: Thiếu số liệu năm: 2021 " in err
    # what the review's wording still leaves to fill in, not the templates' settings
    assert "Lưu ý: mục [final_review] của an-giang.toml còn 3 chỗ «cần điền» (final_review.recipient, " in err
    assert "form.request" not in err
    rows = _rows(out / f"{STEM}.xlsx", "Tổng quan")
    assert "2021" not in {r[0] for r in rows}
    assert any(str(r[0]).startswith("Thiếu số liệu năm: 2021 ") for r in rows)
    body = "\n".join(p.text for p in Document(str(out / f"{STEM}.docx")).paragraphs)
    assert "Chưa có số liệu năm 2021: các số lũy kế chưa gồm các năm đó." in body
    assert "Năm chưa có số liệu tổng hợp: 2021" in body
    children = sum(_sum(_csv(outboxes, y), "results", "children") for y in YEARS if y != 2021)
    assert (
        "Lũy kế các năm đã báo cáo (2019, 2020, 2022, 2023, 2024, 2025; các năm trước 2025 chỉ gồm địa "
        f"bàn tỉnh Kiên Giang cũ): {vn_number(children)} trẻ em"
    ) in body


def test_a_second_run_replaces_files_left_as_written(outboxes, review, capsys):
    """Nothing edited, nothing kept aside (the officer's edits: test_carry3_review.py)."""
    out = review["out"]
    code, stdout, _ = _run(
        ["--outbox", str(outboxes["ag"]), "--outbox", str(outboxes["kg"]), "--out", str(out)], capsys
    )
    assert code == 0
    assert sorted(p.name for p in out.glob(f"{STEM}*")) == [f"{STEM}.docx", f"{STEM}.xlsx"]
    assert "Giữ" not in stdout


def test_the_review_never_reads_an_inbox(outboxes, review, tmp_path, capsys):
    """The inboxes removed, the review is the same: it reads only the outboxes' outputs."""
    copy = tmp_path / "copy"
    shutil.copytree(outboxes["kg"], copy / "outbox")
    shutil.copytree(outboxes["ag"], copy / "outbox-an-giang")
    code, _, _ = _run(
        [
            "--outbox",
            str(copy / "outbox-an-giang"),
            "--outbox",
            str(copy / "outbox"),
            "--out",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 0
    assert _rows(tmp_path / "o" / f"{STEM}.xlsx", "Tổng quan") == _rows(review["book"], "Tổng quan")


@pytest.mark.parametrize("exists", [False, True])
def test_an_outbox_without_years_says_so_and_writes_nothing(tmp_path, capsys, exists, config=AG):
    """No year in the given outbox (missing, or empty): a Vietnamese message naming the
    folder searched, what it should hold and the command that makes it; exit 2 (a usage
    error, as for a missing --inbox); no folder created, no half-written file."""
    outbox = tmp_path / "khongco"
    if exists:
        outbox.mkdir()
    code = cli.main(["--config", str(config), "tong-ket", "--outbox", str(outbox)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert (
        f"không tìm thấy kết quả tổng hợp năm nào từ 2019 đến 2025 trong thư mục kết quả đã chỉ ({outbox})"
        in err
    )
    assert "bao-cao.json" in err and f"consolidate --inbox <thư mục tệp nhận được> --outbox {outbox}" in err
    assert "Lỗi cấu hình" not in err
    assert outbox.exists() is exists
    assert not exists or list(outbox.rglob("*")) == []


def test_a_configuration_without_the_reviews_wording_names_the_one_to_use(outboxes, tmp_path, capsys):
    """`tong-ket` under kien-giang.toml, which has no [final_review] (the review is An Giang's,
    after the merger; brk11): exit 2, the message names an-giang.toml and the command with
    both outboxes, nothing is written. Before, a draft without a title or a section."""
    out = tmp_path / "tong-ket"
    code = cli.main(["--config", str(KG), "tong-ket", "--outbox", str(outboxes["kg"]), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE, err
    assert "kien-giang.toml không có mục [final_review]" in err, err
    assert "an-giang.toml tong-ket" in err and "python -m pipeline --config " in err, err
    # the other configuration's own outbox ([paths] outbox), not a placeholder (brk34 F7)
    assert f"--outbox {outboxes['kg']} --outbox {load_form(AG).outbox}." in err, err
    assert not out.exists()


def test_a_failed_write_leaves_no_temp_file_nor_folder(outboxes, tmp_path, monkeypatch):
    import pipeline.review as review_module

    def broken(review, path, officer=None):
        path.write_bytes(b"half")
        raise OSError("đĩa đầy")

    monkeypatch.setattr(review_module, "write_review_document", broken)
    out = tmp_path / "moi" / "tong-ket"
    with pytest.raises(OSError):
        review_module.write_review(load_form(AG), [outboxes["ag"], outboxes["kg"]], out)
    assert not (tmp_path / "moi").exists()


def test_a_year_in_two_outboxes_says_which_was_used(outboxes, tmp_path, capsys):
    """2025 in both outboxes: the first given is used, and the run says so and why."""
    both = tmp_path / "outbox"
    shutil.copytree(outboxes["kg"], both)
    shutil.copytree(outboxes["ag"] / "2025", both / "2025")
    code, _, err = _run(
        ["--outbox", str(outboxes["ag"]), "--outbox", str(both), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 0
    first = outboxes["ag"] / "2025"
    assert f"Lưu ý: năm 2025 có kết quả ở 2 thư mục: dùng {first} (" in err
    # the set left out is named with its configuration and units accepted (brk40 F5), in the
    # review's workbook too
    left = f"không dùng {both / '2025'} (cấu hình qd588-bao-cao-nam-an-giang, "
    assert left in err and "đơn vị được chấp nhận)" in err
    assert "đặt thư mục đó trước" in err
    (book,) = (tmp_path / "o").glob("*.xlsx")
    cells = [
        str(c.value) for ws in openpyxl.load_workbook(book).worksheets for row in ws.iter_rows() for c in row
    ]
    assert any(left in c for c in cells)


def test_a_year_in_two_outboxes_is_taken_from_the_configuration_of_its_structure(outboxes, tmp_path, capsys):
    """2025 made with kien-giang.toml (the old structure) in the outbox given first, and with
    an-giang.toml in the second: the review takes An Giang's (2025 is after the reform) and
    says so; its totals are An Giang's."""
    old = tmp_path / "outbox-cu"
    kg = load_form(KG)
    write_samples(kg, tmp_path / "in", seed=7)
    consolidate_into(kg, tmp_path / "in", old, show_progress=False)
    code, _, err = _run(
        [
            "--outbox",
            str(old),
            "--outbox",
            str(outboxes["ag"]),
            "--outbox",
            str(outboxes["kg"]),
            "--out",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 0
    used = outboxes["ag"] / "2025"
    assert f"dùng {used} (cấu hình {load_form(AG).id} của bản này đúng cấu trúc năm 2025)" in err
    assert "đặt thư mục đó trước" not in err  # the order decides nothing here (brk21)
    rows = {r[0]: r for r in _rows(tmp_path / "o" / f"{STEM}.xlsx", "Tổng quan")}
    assert _sum(_csv(outboxes, 2025), "results", "children") in rows.get("2025", rows.get(2025))


def test_a_year_with_no_accepted_report_yet_is_reviewed_as_none(tmp_path, capsys):
    """Early in the season every file received may be refused: the review is still drafted,
    with that year's figures 0 and the units counted, never a false "Lỗi cấu hình" (a
    section's headline had no figure to fill)."""
    form = load_form(AG)
    inbox, outbox = tmp_path / "in", tmp_path / "outbox-an-giang"
    write_samples(form, inbox, seed=3)
    for path in sorted(inbox.glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        book.active["A1"] = None  # not the programme's template any more: refused
        book.worksheets[1].title = "Khác"
        book.save(path)
    consolidate_into(form, inbox, outbox, show_progress=False)
    assert json.loads(report_path(outbox, 2025).read_text(encoding="utf-8"))["summary"]["accepted"] == 0
    code, _, err = _run(["--outbox", str(outbox), "--out", str(tmp_path / "tk")], capsys)
    assert code == 0, err
    assert "Lỗi cấu hình" not in err
    paras = [p.text for p in Document(str(tmp_path / "tk" / f"{STEM}.docx")).paragraphs]
    body = "\n".join(paras)
    assert "Năm 2025: 0 trẻ em được hỗ trợ với 0 lượt" in body
    # brk21: no headline announcing a list ("…, gồm:", "…, cụ thể:") with nothing after it
    assert "Qua 1 năm đã báo cáo, chưa có số liệu về kết quả hỗ trợ trẻ em." in paras
    assert "Qua 1 năm đã báo cáo, chưa có số liệu về nguồn lực đã vận động." in paras
    assert "Qua 1 năm đã báo cáo, các đơn vị chưa báo cáo nhu cầu hỗ trợ trẻ em." in paras
    assert not [p for p in paras if p.rstrip().endswith(("gồm:", "cụ thể:"))], paras


def test_a_year_reported_on_the_old_map_after_the_reform_says_what_it_covers(outboxes, tmp_path, capsys):
    """2025 consolidated with kien-giang.toml only (breaker brk8, finding 8): the review's
    2025 item says its figures cover only Kiên Giang's former units, not the province (the
    paragraph before says 2025 is the new communes'); 2025 from an-giang.toml says nothing."""
    old = tmp_path / "outbox-cu"
    write_samples(load_form(KG), tmp_path / "in", seed=7)
    consolidate_into(load_form(KG), tmp_path / "in", old, show_progress=False)
    warned = "chỉ gồm các đơn vị đó, chưa phải toàn tỉnh theo địa giới năm 2025"
    for given, out in (([old, outboxes["kg"]], "cu"), ([outboxes["ag"], outboxes["kg"]], "moi")):
        args = [a for box in given for a in ("--outbox", str(box))]
        code, _, err = _run([*args, "--out", str(tmp_path / out)], capsys)
        assert code == 0
        assert ("Cảnh báo: Năm 2025 được tổng hợp theo" in err) == (out == "cu"), err
        overview = " ".join(
            str(v) for row in _rows(tmp_path / out / f"{STEM}.xlsx", "Tổng quan") for v in row if v
        )
        assert ("Năm 2025 được tổng hợp theo" in overview) == (out == "cu")
        body = "\n".join(p.text for p in Document(str(tmp_path / out / f"{STEM}.docx")).paragraphs)
        item = next(line for line in body.splitlines() if line.lstrip("- ").startswith("Năm 2025:"))
        assert (warned in item) == (out == "cu"), item
        assert not any(warned in line for line in body.splitlines() if "Năm 2024:" in line)
