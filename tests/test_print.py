"""Issue #14, printed: the document and the biểu rendered by LibreOffice and read back.

- `python -m pipeline pdf` joins the document and B01…B06 into one PDF, in order, each biểu
  on its own page(s), A4, fonts embedded (Times New Roman or its metric twin);
- no header line is cut (the national motto whole on every page that has it), every region
  is labelled on the region chart, no words are drawn over each other on any sheet;
- while a unit is missing every biểu page says "sơ bộ" and which units; with all in, none.

Missing LibreOffice or poppler fails these tests under CI and skips them elsewhere.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.app import consolidate_into
from pipeline.outbox.paths import document_path, lock_path, pdf_path, workbook_path
from pipeline.render.official import DOT, MOTTO, MOTTO_SUB
from pipeline.render.pdf import PdfError, write_pdf
from pipeline.run.changes import PDF_STAYED

from . import lo
from .clirun import run_cli
from .conftest import ROOT

pytestmark = pytest.mark.libreoffice
WRITER_LIB = Path("/usr/lib/libreoffice/program/libswlo.so")


@pytest.fixture(scope="module")
def office() -> str:
    lo.require_poppler()
    found = lo.require_soffice()
    lo.require(
        "LibreOffice Writer (opens .docx)",
        str(WRITER_LIB) if WRITER_LIB.exists() else None,
        "libreoffice-writer-nogui",
    )
    return found


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, env=env, timeout=600)


def texts(pdf: Path) -> list[str]:
    return [unicodedata.normalize("NFC", t) for t in lo.pdf_page_texts(pdf)]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample_pdf(office, form, tmp_path_factory) -> Path:
    """The sample inbox (one unit missing, two rejected) consolidated, then `pipeline pdf`."""
    out = tmp_path_factory.mktemp("sample") / "outbox"
    report = consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    done = cli("pdf", "--outbox", str(out))
    assert done.returncode == 0, done.stderr
    path = pdf_path(out, form.year)
    assert str(path) in done.stdout
    SAMPLE_ABSENT[:] = [u.name for u in report.units if u.status != "accepted"]
    return path


SAMPLE_ABSENT: list[str] = []  # the units of the sample inbox not counted, set by sample_pdf


def bieu_starts(pages: list[str]) -> list[int]:
    return [next(i for i, t in enumerate(pages) if f"Biểu số 0{n}/TH" in t) for n in range(1, 7)]


def test_one_pdf_document_then_each_bieu_in_order(form, sample_pdf):
    pages = texts(sample_pdf)
    starts = bieu_starts(pages)
    assert starts == sorted(starts) and len(set(starts)) == 6
    assert starts[0] >= 1, "the document comes first"
    doc_pages = pages[: starts[0]]
    assert "BÁO CÁO" in doc_pages[0] and "Nơi nhận:" in doc_pages[-1]
    assert not any("Biểu số" in t for t in doc_pages)
    # each biểu starts its own page; one biểu's pages never hold another's number
    bounds = [*starts, len(pages)]
    for n in range(6):
        for page in pages[bounds[n] : bounds[n + 1]]:
            others = [m for m in range(1, 7) if m != n + 1 and f"Biểu số 0{m}/TH" in page]
            assert not others, f"B0{n + 1} shares a page with {others}"
    sizes = lo.pdf_page_sizes(sample_pdf)
    for i, (w, h) in enumerate(sizes):
        portrait = i < starts[0]
        want = (595.3, 841.9) if portrait else (841.9, 595.3)
        assert abs(w - want[0]) < 3 and abs(h - want[1]) < 3, f"page {i + 1}: {w} x {h}"
    outline = [o.title for o in PdfReader(sample_pdf).outline]
    assert outline[0] == "Báo cáo" and [t[:3] for t in outline[1:]] == [f"B0{n}" for n in range(1, 7)]


def test_pdf_fonts_are_embedded_times_new_roman_or_its_twin(sample_pdf):
    out = subprocess.run(["pdffonts", str(sample_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in out.splitlines()[2:] if ln.strip()]
    assert rows
    for row in rows:
        name = row[0].split("+")[-1]
        # LibreOffice prints Times New Roman as Liberation Serif (same metrics) where it is absent
        assert re.match(r"(TimesNewRoman|Times|LiberationSerif)", name), f"unexpected font {name}"
        emb = row[-5]
        assert emb == "yes", f"{name} is not embedded"


def crop(pdf: Path, page: int, x: float, y: float, w: float, h: float) -> list[str]:
    """The lines of text inside a box of a page (points from the top left)."""
    args = ["-f", str(page), "-l", str(page), "-x", str(int(x)), "-y", str(int(y)), "-W", str(int(w))]
    out = subprocess.run(
        ["pdftotext", "-r", "72", *args, "-H", str(int(h)), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [unicodedata.normalize("NFC", ln.strip()) for ln in out.splitlines() if ln.strip()]


def test_no_header_line_is_cut(form, sample_pdf):
    pages = texts(sample_pdf)
    ag = form.agencies
    # the document: each column of the header read on its own (A4 portrait, 595 x 842 pt);
    # the header table spans 25 mm + 7.9 cm (left) and 9.1 cm (right) from the page's edge
    left = crop(sample_pdf, 1, 0, 0, 295, 150)
    right = crop(sample_pdf, 1, 295, 0, 300, 150)
    assert left[0] == ag["province"], left
    assert " ".join(left[1:3]) == ag["department"], left
    assert left[-1].startswith("Số:") and left[-1].endswith(ag["document_number"].split()[-1]), left
    assert right[:2] == [MOTTO, MOTTO_SUB], right
    assert re.fullmatch(rf"{ag['place']}, ngày \d\d tháng \d\d năm \d{{4}}", right[2]), right
    # every biểu: the motto on one line, whole
    starts = bieu_starts(pages)
    for i in starts:
        page = pages[i]
        lines = [ln.strip() for ln in page.splitlines()]
        assert any(MOTTO in ln for ln in lines), f"page {i + 1}: the motto is cut or broken: {page[:600]}"
        assert any(MOTTO_SUB in ln for ln in lines), f"page {i + 1}"
        assert ag["province"] in page and ag["department"] in page, f"page {i + 1}"
        assert re.search(rf"{ag['place']}, ngày \d\d tháng \d\d năm \d{{4}}", page), f"page {i + 1}"
    # the title of every biểu whole, its column headings whole
    words = lo.pdf_words(sample_pdf)
    for n, i in enumerate(starts, 1):
        assert not lo.overlapping_words(words[i]), f"B0{n}: words drawn over each other"
        assert "(SỐ LIỆU SƠ BỘ)" in flat(pages[i]), f"B0{n}"


def test_every_bieu_title_whole_on_its_line(form, sample_pdf):
    """A biểu's title prints on one line, "(SỐ LIỆU SƠ BỘ)" whole on the line under it when
    both do not fit (B05's narrow table broke its title after "(SỐ LIỆU")."""
    pages = texts(sample_pdf)
    titles = {
        "01": "TỔNG HỢP KẾT QUẢ HỖ TRỢ TRẺ EM THEO NỘI DUNG HỖ TRỢ",
        "05": f"NHU CẦU HỖ TRỢ TRẺ EM NĂM {form.year + 1} THEO NỘI DUNG - ĐÁNH GIÁ",
        "06": "TỔNG HỢP KẾT QUẢ THEO LOẠI ĐƠN VỊ BÁO CÁO",
    }
    for number, title in titles.items():
        lines = [" ".join(ln.split()) for ln in pages[bieu_starts(pages)[int(number) - 1]].splitlines()]
        at = next((i for i, ln in enumerate(lines) if f"{title} NĂM {form.year}" in ln), None)
        assert at is not None, f"B{number}: the title is broken across lines: {lines[:12]}"
        tag = "(SỐ LIỆU SƠ BỘ)"
        assert lines[at].endswith(tag) or lines[at + 1] == tag, f"B{number}: {lines[at : at + 2]}"


def test_partial_note_on_every_bieu_page_and_in_the_document(form, sample_pdf):
    pages = texts(sample_pdf)
    starts = bieu_starts(pages)
    n = len(form.units)
    assert SAMPLE_ABSENT, "the sample inbox has units missing or rejected"
    note = f"Số liệu tổng hợp từ {n - len(SAMPLE_ABSENT)}/{n} đơn vị; chưa có: {', '.join(SAMPLE_ABSENT)}."
    for i in starts:
        assert note in flat(pages[i]), f"page {i + 1} has no coverage note"
    # the report's first page: the count, the names in its section on the units' reports
    assert (
        f"Số liệu tổng hợp từ {n - len(SAMPLE_ABSENT)}/{n} đơn vị; {len(SAMPLE_ABSENT)} đơn vị chưa có"
        in flat(pages[0])
    )
    assert "(Số liệu sơ bộ)" in pages[0]


def test_workbook_prints_every_region_and_no_overlap(form, office, tmp_path):
    """The whole workbook (dashboard, biểu, lists with long file names) as LibreOffice prints it."""
    out = tmp_path / "outbox"
    consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    pdf = lo.to_pdf(workbook_path(out, form.year), tmp_path / "pdf")
    pages = texts(pdf)
    dashboard = pages[0]
    assert "TỔNG QUAN TỔNG HỢP BÁO CÁO" in dashboard
    unlabelled = [r.name for r in form.regions if r.name not in dashboard]
    assert not unlabelled, f"region chart lacks labels: {unlabelled}"
    clashes = {
        page: [(a.text, b.text) for a, b in pairs][:4]
        for page, words in enumerate(lo.pdf_words(pdf), 1)
        if (pairs := lo.overlapping_words(words))
    }
    assert not clashes, f"overlapping words by page: {clashes}"
    for i, page in enumerate(pages):
        if "Biểu số" in page:
            assert MOTTO in page, f"page {i + 1}: motto cut"
    # every column heading of every biểu printed whole (a row too low would hide its last lines)
    words = lo.pdf_words(pdf)
    res, src, needs = (form.blocks[k] for k in ("results", "resources", "needs"))
    labels = {
        1: [*res.measures, *res.totals],
        2: [*res.measures, *res.totals],
        3: [c.name for c in form.categories],
        4: [*src.measures, *src.totals],
        5: [*needs.measures, *needs.totals],
        6: [*res.measures, *res.totals],
    }
    for n, heads in labels.items():
        i = next(k for k, t in enumerate(pages) if f"Biểu số 0{n}/TH" in t)
        on_page = Counter(w.text for w in words[i])
        for head in heads:
            text = head if isinstance(head, str) else f"{head.label} ({head.unit})"
            missing = Counter(text.split()) - on_page
            assert not missing, f"B0{n}: heading '{text}' printed without {sorted(missing)}"


def test_full_inbox_prints_without_preliminary_note(form, office, make_file, tmp_path):
    for unit in form.units:
        make_file(unit.code)
    out = tmp_path / "out"
    report = consolidate_into(form, tmp_path / "inbox", out, show_progress=False)
    assert report.count("accepted") == len(form.units)
    done = cli("pdf", "--outbox", str(out))
    assert done.returncode == 0, done.stderr
    pages = texts(pdf_path(out, form.year))
    assert len(bieu_starts(pages)) == 6
    everything = flat("\n".join(pages)).lower()
    assert "sơ bộ" not in everything and "chưa có:" not in everything


def test_pdf_without_libreoffice_says_so_in_vietnamese(tmp_path):
    done = cli("pdf", "--outbox", str(tmp_path), env={"SOFFICE": str(tmp_path / "khong-co-soffice")})
    assert done.returncode == 2
    assert "Không tìm thấy LibreOffice" in done.stderr and "libreoffice-writer-nogui" in done.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_pdf_before_consolidate_says_what_to_do(office, form, tmp_path):
    done = cli("pdf", "--outbox", str(tmp_path))
    assert done.returncode == 2
    assert f"chưa có bộ kết quả năm {form.year}" in done.stderr
    assert f"consolidate --inbox <thư mục tệp nhận được> --outbox {tmp_path}" in done.stderr
    assert list(tmp_path.iterdir()) == []  # not even a lock file


@pytest.mark.parametrize("deleted", ["document", "workbook"])
def test_pdf_names_the_file_missing_from_the_set(office, form, tmp_path, deleted):
    """brk14 F8: the officer deleted the draft (or the workbook): `pdf` said there was no set
    of the year, though the workbook and CSV were there. It names the missing file."""
    out = tmp_path / "out"
    consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    gone = (document_path if deleted == "document" else workbook_path)(out, form.year)
    gone.unlink()
    done = cli("pdf", "--outbox", str(out))
    assert done.returncode == 2
    assert f"thiếu {'báo cáo Word' if deleted == 'document' else 'bảng tổng hợp'} {gone.name}" in done.stderr
    assert "chưa có bộ kết quả" not in done.stderr and f"--outbox {out}" in done.stderr, done.stderr


def test_pdf_with_a_mistyped_outbox_creates_nothing(office, form, tmp_path):
    typo = tmp_path / "outbx"
    done = cli("pdf", "--outbox", str(typo))
    assert done.returncode == 2
    assert f"Thư mục kết quả '{typo}' không tồn tại" in done.stderr and "consolidate" in done.stderr
    assert not typo.exists() and not lock_path(typo, form.year).exists()


def test_the_pdf_is_the_programs_and_prints_the_officers_completed_document(office, form, tmp_path):
    """`pdf` records its PDF as written by the program: the next consolidation neither
    carries the stale PDF (old totals) nor calls it the officer's. The officer's completed
    document, kept by that run as `…-ban-da-sua.docx`, is what the next `pdf` prints."""
    import docx

    from pipeline.outbox.paths import document_path, previous_dir, year_dir

    out = tmp_path / "outbox"
    consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    assert cli("pdf", "--outbox", str(out)).returncode == 0
    completed = docx.Document(str(document_path(out, form.year)))
    completed.add_paragraph("Đoạn đánh giá do cán bộ tổng hợp viết thêm.")
    completed.save(str(document_path(out, form.year)))
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "consolidate",
            "--outbox",
            str(out),
            "--inbox",
            str(ROOT / "examples" / "inbox"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode in (0, 1), again.stderr
    said = again.stdout + again.stderr
    old = previous_dir(out, form.year) / pdf_path(out, form.year).name
    assert [line for line in said.splitlines() if ".pdf" in line] == [  # the PDF is not the officer's:
        PDF_STAYED.format(old=old)  # it stayed with the previous set (brk46)
    ]
    folder = year_dir(out, form.year)
    assert [p.name for p in folder.glob("*.pdf")] == []  # the stale PDF is not carried
    kept = folder / f"{document_path(out, form.year).stem}-ban-da-sua.docx"
    assert kept.is_file() and str(kept) in said
    done = cli("pdf", "--outbox", str(out))
    assert done.returncode == 0, done.stderr
    assert f"bản anh/chị đã hoàn thiện: {kept}" in done.stdout
    assert "Đoạn đánh giá do cán bộ tổng hợp viết thêm." in flat("\n".join(texts(pdf_path(out, form.year))))


def test_pdf_while_a_consolidation_writes_says_to_wait_and_writes_nothing(office, form, tmp_path):
    """Another process holds the outbox (a consolidation writing its set): `pdf` neither
    reads a half-swapped set nor writes into one; it says to wait and run it again."""
    out = tmp_path / "out"
    consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom pipeline.outbox.atomic import outbox_lock\n"
            "with outbox_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(600)\n",
            str(lock_path(out, form.year)),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(PdfError) as caught:
            write_pdf(form, out, lock_wait=0.5)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert "lượt tổng hợp khác" in str(caught.value) and "chạy lại lệnh pdf" in str(caught.value)
    assert not pdf_path(out, form.year).exists()
    assert write_pdf(form, out, lock_wait=5.0).path == pdf_path(out, form.year)  # free again: made


def test_a_bieu_shows_totals_of_tens_of_billions_in_full(office, form, tmp_path):
    """An Giang's B03 totals reach tens of billions of đồng: every value column is wide
    enough for its largest figure and the bold total, as LibreOffice prints it (no "###")."""
    import datetime as dt

    import xlsxwriter

    from pipeline.render.official import Column, bieu
    from pipeline.render.style import WORKBOOK, Styles

    big = [98_765_432_109, 1_234_567_890, 87_654_321_098]
    rows = [([str(i + 1), f"Xã {i + 1}"], [(f"={v}", v) for v in big]) for i in range(3)]
    path = tmp_path / "b03.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("B03")
    columns = [
        Column("STT", "", 6),
        Column("Địa bàn", "", 20),
        *(Column(f"Tiền {j}", "đồng", 13) for j in range(3)),
    ]
    bieu(
        ws,
        Styles(wb, WORKBOOK),
        form,
        number="03",
        title="THỬ",
        columns=columns,
        rows=rows,
        run_date=dt.date(2025, 12, 1),
    )
    wb.close()
    text = "\n".join(texts(lo.to_pdf(path, tmp_path / "pdf")))
    assert "###" not in text
    for v in big:  # each column's total, three rows of `v`
        assert lo.grouped_number(3 * v).search(text), 3 * v


LIBERATION_SERIF_HEIGHT = 1.107  # a word's box in pdftotext, in em: Times New Roman's twin's ascent + descent


def test_an_giang_dashboard_prints_every_chart_whole_and_its_102_regions_readable(office, tmp_path):
    """An Giang's 102 regions (issue #23): the overview no longer prints one region chart
    2,700 px tall cut across four pages. Every chart is whole on one page (its title and
    all its labels on the same page), the region chart in parts with every region labelled
    once, the labels printing at 8 pt or more."""
    from pipeline.form import SCHEMAS_DIR, load_form
    from pipeline.samples import write_samples

    ag = load_form(SCHEMAS_DIR / "an-giang.toml")
    write_samples(ag, tmp_path / "inbox")
    consolidate_into(ag, tmp_path / "inbox", tmp_path / "out", show_progress=False)
    pdf = lo.to_pdf(workbook_path(tmp_path / "out", ag.year), tmp_path / "pdf")
    pages = texts(pdf)
    overview = pages[: next(i for i, t in enumerate(pages) if "Biểu số 01/TH" in t)]
    small = ("Tình trạng nộp báo cáo (số đơn vị)", "Số trẻ em được hỗ trợ theo nội dung")
    for title in (*small, "Nguồn lực đã vận động theo nguồn"):
        assert sum(flat(p).count(title) for p in overview) == 1 and title in flat(overview[0]), title
    words = lo.pdf_words(pdf)
    legend = Counter(w for s in ag.sources for w in s.name.split())  # its lines wrap
    assert not legend - Counter(w.text for w in words[0]), "the pie chart's legend is cut"
    region_title = "Giá trị hỗ trợ theo địa bàn (đồng)"
    with_chart = [i for i, p in enumerate(overview) if region_title in flat(p)]
    printed: list[str] = []
    for i, page in enumerate(overview[1:], 1):  # page 1 names units to chase, some are regions
        names = [r.name for r in ag.regions if r.name in flat(page)]
        assert not names or i in with_chart, f"page {i + 1}: regions without their chart's title: {names[:5]}"
    for i in with_chart:
        names = [r.name for r in ag.regions if r.name in flat(overview[i])]
        printed += names
        labels = {word for name in names for word in name.split()}
        sizes = [(w.y1 - w.y0) / LIBERATION_SERIF_HEIGHT for w in words[i] if w.text in labels]
        assert not sizes or min(sizes) >= 8, f"page {i + 1}: region labels at {min(sizes):.1f} pt"
    assert sorted(set(printed)) == sorted(r.name for r in ag.regions), "a region is not labelled"


def test_every_bieu_leaves_room_to_sign_and_a_line_for_each_name(form, office, tmp_path):
    """Nghị định 30/2020/NĐ-CP: a signer's title, room for the signature, then the full name.
    On every biểu both the preparer's and the signer's blocks print their note, at least
    three lines of room under it, then a dotted line to write the name on, in the same column
    (the biểu ended at the note: no room to sign, no name line)."""
    out = tmp_path / "outbox"
    consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    pdf = lo.to_pdf(workbook_path(out, form.year), tmp_path / "pdf")
    signed = 0
    for words in lo.pdf_words(pdf):
        notes = [
            w for w in words if w.text == "tên)"
        ]  # "(Ký, ghi rõ họ tên)", "(Ký, đóng dấu, ghi rõ họ tên)"
        if not any(w.text == "BIỂU" for w in words) or not notes:
            continue
        signed += 1
        assert len(notes) == 2, [w.text for w in words][-40:]
        dots = [w for w in words if re.fullmatch(f"{DOT}{{8,}}", w.text)]
        for note in notes:
            height = note.y1 - note.y0
            under = [d for d in dots if d.x0 < note.x1 and d.x1 > note.x0 - 80 and d.y0 > note.y1]
            assert under, f"no line for the name under '{note.text}' at x {note.x0:.0f}"
            gap = min(d.y0 for d in under) - note.y1
            assert gap >= 3 * height, f"only {gap:.0f} pt to sign in (a line is {height:.0f} pt)"
    assert signed >= 6, f"{signed} pages with a signature block"


def test_detail_sheets_print_at_8_pt_or_more_with_heading_and_unit_on_every_page(form, office, tmp_path):
    """The detail sheets (a record per row, some 30 columns) printed one page wide at 5 pt:
    now at 8 pt or more over pages across and down, the heading row atop and the record's
    number and unit at the left of every page (word boxes of Times New Roman's metric twin)."""
    from pipeline.render.workbook import DETAIL_PT

    out = tmp_path / "outbox"
    consolidate_into(form, ROOT / "examples" / "inbox", out, show_progress=False)
    pdf = lo.to_pdf(workbook_path(out, form.year), tmp_path / "pdf")
    pages, words = texts(pdf), lo.pdf_words(pdf)
    first = next(i for i, t in enumerate(pages) if "CHI TIẾT" in t)  # the detail sheets come last
    assert len(pages) - first >= len(form.blocks) * 2, "a detail sheet on one page is too small to read"
    for i in range(first, len(pages)):
        sizes = sorted((w.y1 - w.y0) / LIBERATION_SERIF_HEIGHT for w in words[i])
        assert sizes[0] >= DETAIL_PT - 0.2, f"page {i + 1}: text at {sizes[0]:.1f} pt"
        assert all(head in flat(pages[i]) for head in ("STT", "Mã đơn vị", "Đơn vị báo cáo")), f"page {i + 1}"


@pytest.mark.libreoffice
def test_a_long_list_of_units_not_in_leaves_every_bieu_whole(tmp_path):
    """brk38 F2: with 92 of An Giang's 114 units not in, the note naming them all made a row
    taller than half a page and LibreOffice printed biểu B05 cut after its third row, "Trang
    1/1" over the table, without its total and signature. A table names a few units; beyond,
    their count and where the names are. B04 and B05, the narrowest, print whole."""
    from pipeline.form import SCHEMAS_DIR, load_form
    from pipeline.render.pdf import only_sheet
    from pipeline.render.workbook import SHEETS
    from pipeline.run.coverage import NAMED_ON_A_TABLE
    from pipeline.samples import write_samples

    ag = load_form(SCHEMAS_DIR / "an-giang.toml")
    inbox = tmp_path / "inbox"
    files = write_samples(ag, inbox)
    for path in files[4:]:
        path.unlink()
    report = consolidate_into(ag, inbox, tmp_path / "out", show_progress=False)
    absent = len(ag.units) - report.count("accepted")
    assert absent > NAMED_ON_A_TABLE
    note = (
        f"Số liệu tổng hợp từ {len(ag.units) - absent}/{len(ag.units)} đơn vị; {absent} đơn vị chưa có báo cáo "
        f"hợp lệ (nêu tên trong báo cáo, phần tình hình báo cáo của các đơn vị, và ở trang «{SHEETS['status']}» "
        "của bảng tổng hợp)."
    )
    for key in ("b04", "b05"):
        one = tmp_path / f"{key}.xlsx"
        only_sheet(workbook_path(tmp_path / "out", ag.year), SHEETS[key], one)
        text = flat("\n".join(texts(lo.to_pdf(one, tmp_path / f"pdf-{key}"))))
        assert note in text, key
        assert "Tổng cộng" in text and "NGƯỜI LẬP BIỂU" in text, key
