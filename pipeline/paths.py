"""Where outputs go. File names come from the year and unit codes, never from file contents."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .names import slug

PREFIX = "588"


def year_dir(outbox: Path, year: int) -> Path:
    return outbox / str(int(year))


def workbook_path(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / f"tong-hop-{PREFIX}-{int(year)}.xlsx"


def detail_csv_path(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / f"chi-tiet-{PREFIX}-{int(year)}.csv"


def manifest_path(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / "manifest.json"


def report_path(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / "bao-cao.json"


def feedback_dir(outbox: Path, year: int) -> Path:
    return year_dir(outbox, year) / "phan-hoi"


def feedback_path(outbox: Path, year: int, unit_code: str, file_name: str) -> Path:
    """One feedback file per inbox file: `file_name` is its path relative to the inbox, so
    files of the same name in different folders (or differing only by accents) never clash."""
    stem = slug(Path(file_name).stem, 40)
    tag = hashlib.sha1(file_name.encode("utf-8")).hexdigest()[:6]
    return feedback_dir(outbox, year) / f"phan-hoi-{slug(unit_code or 'khong-ro', 20)}-{stem}-{tag}.xlsx"


def templates_dir(outbox: Path, year: int) -> Path:
    return outbox / "templates" / str(int(year))
