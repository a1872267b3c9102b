"""Bounded work per file: the checks made before calamine reads a file, on hostile parts of
growing size (part of `make bench`).

    python benchmarks/prescan.py [--sizes KB …] [--repeat N]

A report is generated with the project's own code (template, filled by the filler from the
layout JSON); then its 'Kết quả' sheet part (or the content.xml of its LibreOffice-style
.ods twin) is padded to each size with one kind of hostile content, and `read_book` is timed
on the bytes (best of N), from a small part up to the limit on sheet data (`max_sheet_bytes`)
and past it: `check_before_reading` (size, zip, XML safety, extents and cell
facts: everything before calamine), then the whole `read_book` once. The time must grow linearly: fitted over the whole range of sizes
(first to last size still read or refused by the checks, not for its size), the time may
grow at most as size^1.3, about 2.5 times per doubling (FAIL otherwise); each doubling's
ratio is printed too. The time of the whole read (checks, then
calamine) is shown beside it.

Kinds: `row-tags` (many `<row ` openings never closed, the case that took minutes with the
regex scan), `formatted-rows` (rows of formatting-only cells, well-formed), `implicit-cells`
(cells without a reference, each in the next column), `ods-repeats` (rows of repeated cells
in content.xml).
"""

from __future__ import annotations

import argparse
import io
import math
import random
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.filler import fill  # noqa: E402
from pipeline.form import layout_json, load_form  # noqa: E402
from pipeline.intake.files import ReadProblem  # noqa: E402
from pipeline.read.extract import wanted_sheets  # noqa: E402
from pipeline.read.reader import check_before_reading, read_book  # noqa: E402
from pipeline.render.template import write_template  # noqa: E402
from pipeline.samples import valid_data  # noqa: E402
from pipeline.text.names import template_name  # noqa: E402

MAX_SLOPE = 1.3  # growth exponent allowed over the whole range (1 is linear, 2 quadratic)
AT_LIMIT = 0.5  # seconds: the checks of a file at the limit, "well under a second" (#15)
SHEET = "xl/worksheets/sheet3.xml"  # the 'Kết quả' sheet of our templates


def _report(work: Path) -> bytes:
    form = load_form()
    unit = form.units_by_code["899"]
    write_template(form, unit, work)
    layout = layout_json(form)
    out = work / "899.xlsx"
    data = valid_data(form, unit.code, random.Random("prescan"), layout)
    fill(work / template_name(form.year, unit.code, unit.name), out, layout, unit.code, data)
    return out.read_bytes()


def _rezip(data: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zi, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            body = zi.read(info.filename)
            if info.filename == part:  # stored, not deflated: no compression-ratio refusal
                zo.writestr(info.filename, edit(body), compress_type=zipfile.ZIP_STORED)
            else:
                zo.writestr(info.filename, body)
    return buf.getvalue()


def _pad(xml: bytes, unit: bytes, size: int) -> bytes:
    """`xml` with `unit` repeated before </sheetData> until the part is about `size` bytes."""
    count = max(1, (size - len(xml)) // len(unit))
    return xml.replace(b"</sheetData>", unit * count + b"</sheetData>", 1)


def row_tags(size: int) -> Callable[[bytes], bytes]:
    return lambda xml: _pad(xml, b"<row ", size)


def formatted_rows(size: int) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        unit = b'<row r="#"><c r="A#" s="1"/><c r="B#" s="1"/><c r="C#" s="1"/></row>'
        count = max(1, (size - len(xml)) // (len(unit) + 12))
        rows = b"".join(unit.replace(b"#", str(100 + i).encode()) for i in range(count))
        return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)

    return edit


def implicit_cells(size: int) -> Callable[[bytes], bytes]:
    return lambda xml: _pad(xml, b'<row><c s="1"/><c s="1"/><c s="1"/></row>', size)


def _ods(xlsx: bytes, work: Path) -> bytes | None:
    """An .ods twin of the report, as LibreOffice saves it (None without LibreOffice)."""
    import shutil
    import subprocess

    office = shutil.which("soffice")
    if office is None:
        return None
    src = work / "twin.xlsx"
    src.write_bytes(xlsx)
    subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation=file://{work}/lo",
            "--convert-to",
            "ods",
            "--outdir",
            str(work),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (work / "twin.ods").read_bytes()


def ods_repeats(size: int) -> Callable[[bytes], bytes]:
    unit = b"<table:table-row><table:table-cell/><table:table-cell table:number-columns-repeated='3'/></table:table-row>"

    def edit(xml: bytes) -> bytes:
        count = max(1, (size - len(xml)) // len(unit))
        end = xml.index(b"</table:table>")
        return xml[:end] + unit * count + xml[end:]

    return edit


def _time(data: bytes, name: str, repeat: int, read: Callable[..., object]) -> tuple[float, str]:
    """Best time of `read(data, name, wanted, limits)` and its outcome."""
    form = load_form()
    best, outcome = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            read(data, name, wanted_sheets(form), form.limits)
            outcome = "read"
        except ReadProblem as exc:
            outcome = exc.code
        best = min(best, time.perf_counter() - start)
    return best, outcome


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes", type=int, nargs="+", help="part sizes in kB (default: up to the limit and past it)"
    )
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    limit_kb = load_form().limits.max_sheet_bytes // 1000
    # the other sheets of the form hold about 50 kB: the padded part reaches the limit with them
    sizes = args.sizes or [
        limit_kb // 16,
        limit_kb // 8,
        limit_kb // 4,
        limit_kb // 2,
        limit_kb - 60,
        2 * limit_kb,
    ]
    failed = False
    slowest_read = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        xlsx = _report(work)
        ods = _ods(xlsx, work)
        kinds: list[tuple[str, bytes, str, str, Callable[[int], Callable[[bytes], bytes]]]] = [
            ("row-tags", xlsx, SHEET, "x.xlsx", row_tags),
            ("formatted-rows", xlsx, SHEET, "x.xlsx", formatted_rows),
            ("implicit-cells", xlsx, SHEET, "x.xlsx", implicit_cells),
        ]
        if ods is not None:
            kinds.append(("ods-repeats", ods, "content.xml", "x.ods", ods_repeats))
        else:
            print("ods-repeats: skipped (LibreOffice not installed)")
        print(f"{'kind':16} {'part KB':>8} {'checks s':>9} {'× prev':>7} {'+ calamine s':>13}  outcome")
        for kind, base, part, name, make in kinds:
            previous, points = None, []
            for kb in sizes:
                data = _rezip(base, part, make(kb * 1000))
                seconds, outcome = _time(data, name, args.repeat, check_before_reading)
                total, outcome = _time(data, name, 1, read_book)
                growth = seconds / previous if previous else float("nan")
                print(f"{kind:16} {kb:>8} {seconds:>9.3f} {growth:>7.2f} {total:>13.3f}  {outcome}")
                previous = seconds
                if outcome != "FILE_TOO_LARGE":
                    points.append((kb, seconds))
                    slowest_read = max(slowest_read, seconds)
            (first_kb, first_s), (last_kb, last_s) = points[0], points[-1]
            slope = math.log(last_s / first_s) / math.log(last_kb / first_kb)
            bad = slope > MAX_SLOPE
            failed |= bad
            print(f"{kind:16} time ~ size^{slope:.2f}{'  FAIL' if bad else '  (linear)'}")
    bad = slowest_read > AT_LIMIT
    print(
        f"slowest checks of a file still read (sheet data up to max_sheet_bytes = {limit_kb} kB): "
        f"{slowest_read:.3f} s{'  FAIL' if bad else ''} (target: under {AT_LIMIT} s)"
    )
    return 1 if failed or bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
