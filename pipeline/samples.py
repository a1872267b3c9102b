"""The sample inbox shipped in `examples/inbox/`: made from our own templates by the filler.

Plausible figures for every unit but one (so one is missing), three files with deliberate
errors, a corrected resubmission that replaces one of them, and a stray non-report file.
Run `make samples` to regenerate; the figures are deterministic (fixed seed).

The command never deletes a file it did not write: what it wrote is listed, with each
file's SHA-256, in a record beside the folder (`record_path`: `.<folder>.tep-mau.json` in its
parent, outside the folder so that a consolidation of the folder never reads it). It
writes only into a folder that is empty or holds nothing but its own earlier samples,
unchanged (`SamplesRefused` otherwise): a folder of units' reports is never touched.

The record is kept up to date as the files land, so a command that stops part way (a full
disk, Ctrl-C, a killed process) leaves nothing but files it recorded: each file is written
under a temporary name (`outbox.atomic.atomic_path`) recorded before it is created, and
its SHA-256 is recorded before it takes its name. The next command replaces them all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .filler import date_value, fill
from .form import Form, is_pending, layout_json
from .outbox.atomic import atomic_path, write_bytes_atomic
from .render.template import write_template
from .rules.bind import MONEY_MINIMUM
from .system.signals import raise_if_stopping
from .text.names import slug

PREPARERS = [
    "Nguyễn Thị Lan",
    "Trần Văn Minh",
    "Lê Thị Hồng",
    "Phạm Quốc Bảo",
    "Danh Thị Sa Rết",
    "Thạch Văn Sơn",
]


def valid_data(form: Form, unit_code: str, rng: random.Random, layout: dict[str, Any]) -> dict[str, Any]:
    """Random but consistent figures for one unit (every rule satisfied)."""
    unit = form.units_by_code[unit_code]
    block = form.support_block
    rows: list[dict[str, Any]] = []
    if unit.region:
        pairs = [(unit.region, c.code) for c in form.categories if rng.random() < 0.8]
    else:
        regions = [r.code for r in form.regions]
        cats = [c.code for c in form.categories]
        pool = [(r, c) for r in regions for c in cats]
        pairs = rng.sample(pool, k=min(len(pool), rng.randint(1, min(8, block.free_rows))))
    support = 0
    for region, category in pairs:
        children = rng.randint(5, 600)
        rec: dict[str, Any] = {"region": region, "category": category}
        rec["children"] = children
        rec["girls"] = rng.randint(0, children)
        rec["ethnic"] = rng.randint(0, children)
        rec["turns"] = children + rng.randint(0, children)
        rec["cash"] = rng.randint(0, 800) * 1000 * children // 10 * 10
        rec["in_kind"] = rng.randint(1, 900) * 1000 * children // 10 * 10
        support += rec["cash"] + rec["in_kind"]
        rows.append(
            {
                k: v
                for k, v in rec.items()
                if k in ("region", "category") or k in {m.key for m in block.measures}
            }
        )
    sources = [s.code for s in form.sources]
    weights = [rng.random() for _ in sources]
    total = support + rng.randint(0, 50_000) * 1000
    resources: dict[str, dict[str, int]] = {}
    scale = sum(weights)
    remaining = total
    for i, s in enumerate(sources):
        amount = remaining if i == len(sources) - 1 else int(total * weights[i] / scale) // 1000 * 1000
        remaining -= amount
        cash = amount * rng.randint(30, 70) // 100
        if 0 < min(cash, amount - cash) < MONEY_MINIMUM:  # a part under 1.000 đồng is no support
            cash = cash // 1000 * 1000  # (MONEY_TOO_SMALL): whole thousands, as offices give them
        resources[s] = {"cash": cash, "in_kind": amount - cash}
    needs = {
        c.code: {"children": (n := rng.randint(0, 800)), "cost": n * rng.randint(200, 1500) * 1000}
        for c in form.categories
    }
    day = rng.randint(10, 29)
    return {
        "info": {
            "preparer": rng.choice(PREPARERS),
            "phone": f"0297 3{rng.randint(100000, 999999)}",
            "report_date": date_value(dt.date(form.year, 11, day)),
            "activities": rng.randint(0, 40),
            "difficulties": "Nguồn lực vận động còn hạn chế; nhiều doanh nghiệp chưa tham gia thường xuyên.",
            "recommendations": "Đề nghị tỉnh tiếp tục hỗ trợ kinh phí truyền thông và kết nối nhà tài trợ.",
        },
        block.key: rows,
        form.resources_block.key: resources,
        "needs": needs,
    }


_LEFT_ALONE = {".gitkeep", "__pycache__"}  # neither ours nor a report: never deleted, never refused


class SamplesRefused(Exception):
    """The folder holds files the sample command did not write (units' reports, messages,
    samples changed since): nothing was deleted or written. The message (Vietnamese) names
    the folder, what is there and what to do."""

    def __init__(self, out: Path, foreign: list[str]) -> None:
        shown = ", ".join(f"'{name}'" for name in foreign[:5])
        more = f" và {len(foreign) - 5} mục khác" if len(foreign) > 5 else ""
        self.message = (
            f"Không tạo tệp mẫu trong thư mục '{out}': thư mục này đang chứa {len(foreign)} mục "
            f"không phải tệp mẫu do chương trình tạo ra ({shown}{more}), có thể là báo cáo đơn vị "
            "đã gửi. Lệnh tạo tệp mẫu không bao giờ xóa hoặc ghi đè những tệp đó. Hãy chọn một thư "
            "mục trống bằng --out (ví dụ: --out hop-thu-mau), hoặc tự chuyển các tệp đó sang nơi "
            "khác nếu chắc chắn không cần, rồi chạy lại."
        )
        super().__init__(self.message)
        self.out = out
        self.foreign = foreign


def record_path(out: Path) -> Path:
    """Where the record of the samples written into `out` is kept: `.<name>.tep-mau.json`
    beside the folder (in its parent), {file name: SHA-256 of the bytes written, or null
    for a temporary file the command is writing (`_Landing`)}."""
    return out.absolute().parent / f".{out.absolute().name}.tep-mau.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def own_samples(out: Path) -> list[Path]:
    """The files of the folder `out` that are this command's earlier samples, unchanged
    (listed in `record_path(out)` with the same SHA-256). SamplesRefused when the folder
    holds anything else (a file not listed, a listed file changed since, a folder, a link),
    `.gitkeep` and `__pycache__` aside. A file recorded as being written (null: a command
    stopped part way) is ours whatever it holds. [] for a missing or empty folder."""
    if not out.is_dir():
        return []
    try:
        record = json.loads(record_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    record = record if isinstance(record, dict) else {}
    ours: list[Path] = []
    foreign: list[str] = []
    for entry in sorted(out.iterdir()):
        if entry.name in _LEFT_ALONE:
            continue
        recorded = record.get(entry.name, "")
        if entry.is_file() and not entry.is_symlink() and recorded in (None, _digest(entry)):
            ours.append(entry)
        else:
            foreign.append(entry.name)
    if foreign:
        raise SamplesRefused(out, foreign)
    return ours


class _Landing:
    """The files of one `write_samples` as they land in `out`, each recorded (`record_path`)
    before it can be seen there: its temporary name as being written, then its SHA-256
    before it takes its own name. Wherever the command stops, the folder holds only files
    the record names (`own_samples`)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.record: dict[str, str] = {}
        self.save()

    def save(self, writing: str | None = None) -> None:
        """Write the record of the files landed, and of `writing` (a temporary file's name)."""
        record: dict[str, str | None] = {**self.record, **({writing: None} if writing else {})}
        text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True)
        write_bytes_atomic(record_path(self.out), text.encode("utf-8"))

    @contextlib.contextmanager
    def land(self, name: str, written: list[Path]) -> Iterator[Path]:
        """Yield a temporary path to write the file `name` into; when the block ends, the
        file takes its name in the folder and is added to `written`."""
        raise_if_stopping()  # a Ctrl-C a library swallowed stops the command here
        path = self.out / name
        with atomic_path(path) as tmp:
            self.save(writing=tmp.name)
            yield tmp
            self.record[name] = _digest(tmp)
            self.save(writing=tmp.name)
        written.append(path)


def write_samples(form: Form, out: Path, seed: int = 588) -> list[Path]:
    """Write the sample inbox of `form` into the folder `out` (created if needed) and
    return the files written, sorted. The folder's earlier samples (`own_samples`) are
    replaced; SamplesRefused (nothing deleted or written) when it holds anything else.
    Stopped part way (OSError, KeyboardInterrupt), it leaves only files its record names
    (`_Landing`), which the next command replaces."""
    rng = random.Random(seed)
    layout = layout_json(form)
    old = own_samples(out)  # refuses before anything is touched
    out.mkdir(parents=True, exist_ok=True)
    for path in old:
        path.unlink()
    landing = _Landing(out)  # the record, from now on, of what is in the folder
    written: list[Path] = []
    units = list(form.units)
    missing = units[-3]  # one unit has not sent anything yet
    with tempfile.TemporaryDirectory() as tmp:
        tdir = Path(tmp)
        for i, unit in enumerate(units):
            if unit is missing:
                continue
            template = write_template(form, unit, tdir)
            data = valid_data(form, unit.code, rng, layout)
            res = form.support_block.key
            name = f"{slug(unit.code, 20)}-{slug(unit.name)}.xlsx"
            if i == 1:  # girls > children, and an ambiguous number typed as text
                block = form.support_block
                data[block.key][0]["girls"] = data[block.key][0]["children"] + 7
                cat = data[block.key][1]["category"]
                row = next(r.row for r in form.rows_for(block, unit) if r.fixed.get("category") == cat)
                data["raw"] = [(block.sheet, f"{block.measure_column('turns')}{row}", "khoảng 200")]
            if i == 4:  # first file wrong (missing preparer, negative amount), then corrected
                bad = {**data, "info": {**data["info"], "preparer": None}}
                bad[res] = [dict(r) for r in data[res]]
                bad[res][0]["cash"] = -500000
                bad["info"]["report_date"] = date_value(dt.date(form.year, 11, 5))
                with landing.land(f"{slug(unit.code)}-ban-dau.xlsx", written) as path:
                    fill(template, path, layout, unit.code, bad)
                data["info"]["report_date"] = date_value(dt.date(form.year, 11, 20))
                name = f"{slug(unit.code)}-ban-sua-lan-2.xlsx"
            if i == 8 and not is_pending(form.period.due_before):  # sent after the deadline
                data["info"]["report_date"] = date_value(form.period.due_before + dt.timedelta(days=3))
            if i == 8:  # numbers typed with Vietnamese separators
                r0 = data[res][0]
                r0["cash"] = f"{r0['cash']:,}".replace(",", ".")
            if unit.region is None and i == len(units) - 2:  # a department repeats a row
                data[res].append(dict(data[res][0]))
            with landing.land(name, written) as path:
                fill(template, path, layout, unit.code, data)
    department = form.agencies.get("department_short") or "Sở"
    with landing.land("thu-gui-kem.txt", written) as path:
        path.write_text(f"Kính gửi {department}, đơn vị gửi kèm báo cáo năm.\n", encoding="utf-8")
    base = dt.datetime(form.year, 11, 1).timestamp()
    for n, path in enumerate(sorted(written)):
        os.utime(path, (base + n * 3600, base + n * 3600))
    landing.save()  # no file being written any more
    return sorted(written)
