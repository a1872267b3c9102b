"""Safe file names derived from unit names (never steered by file contents)."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^A-Za-z0-9]+")


def slug(text: str, max_len: int = 60) -> str:
    """ASCII slug for a file name: 'UBND Huyện Hòn Đất' -> 'UBND-Huyen-Hon-Dat'."""
    text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_WORD.sub("-", text).strip("-")
    return text[:max_len].strip("-") or "khong-ten"


def template_name(year: int, unit_code: str, unit_name: str) -> str:
    return f"Mau-588-{year}-{slug(unit_code, 20)}-{slug(unit_name)}.xlsx"
