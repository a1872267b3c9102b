"""The narrative report drafted from a run: Vietnamese sentences built from the totals.

The wording and the list of sections come from a TOML file in `schemas/` (the shipped one
is `schemas/bao-cao.toml`); this module only supplies each kind of section with its
figures. Every figure is taken from the same totals the workbook writes
(`Report.totals`, `yoy.programme_years`), so the document and the
workbook cannot disagree. `document.py` lays the result out as a .docx.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..form import DEFAULT_WORDING, PENDING, Block, Form, FormError, is_pending
from ..run.changes import late_units
from ..run.coverage import Coverage
from ..run.result import Report, UnitStatus
from .official import vn_date
from .yoy import (
    after_programme,
    compared_totals,
    comparison_basis,
    missing_words,
    missing_years,
    programme_years,
    same_map_previous,
    to_date_end,
    to_date_years,
    units_counted,
    year_schemes,
)

BODY, ITEM, SUBHEAD, TO_COMPLETE = "body", "item", "subhead", "to_complete"


@dataclass
class Para:
    """One paragraph; `style` is BODY, ITEM (a "- " list entry), SUBHEAD or TO_COMPLETE."""

    text: str
    style: str = BODY


@dataclass
class Section:
    title: str
    paras: list[Para] = field(default_factory=list)


@dataclass
class Narrative:
    """Everything the document says, as text; `document.write_document` lays it out."""

    title: str
    subject: str
    preliminary: str  # "" when every unit is in
    coverage_note: str  # "" when every unit is in
    addressee: str
    opening: str
    sections: list[Section]
    recipients: list[str]
    signer_title: str
    signer_name: str


def vn_number(n: int) -> str:
    """An integer the Vietnamese way: 1200000 -> "1.200.000" (TCVN / Nghị định 30 usage)."""
    return f"{int(n):,}".replace(",", ".")


def vn_share(part: int, whole: int) -> str:
    """`part` as a percentage of `whole` with one decimal and a decimal comma ("12,5")."""
    return f"{(part / whole * 100 if whole else 0):.1f}".replace(".", ",")


def load_wording(path: Path | None = None) -> dict[str, Any]:
    """The wording TOML (`schemas/bao-cao.toml` by default). Raises FormError when unreadable."""
    path = path or DEFAULT_WORDING
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FormError(f"Không đọc được tệp lời văn báo cáo '{path}': {exc}") from exc
    if "document" not in raw or not raw.get("sections"):
        raise FormError(f"Tệp lời văn báo cáo '{path}' thiếu bảng [document] hoặc [[sections]]")
    return raw


def _fill(text: str, values: dict[str, Any], where: str) -> str:
    try:
        return text.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        raise FormError(f"Lời văn báo cáo, mục '{where}': không có số liệu cho {exc} trong '{text}'") from exc


def deadline_words(form: Form) -> str:
    """The deadline inside a sentence: "trước ngày 01/12/2025", or while `period.due_before`
    is "cần điền" a part the document prints as a dotted line with the setting to fill."""
    due = form.period.due_before
    if is_pending(due):
        return f"[{PENDING}: hạn nộp, period.due_before trong {form.path.name}]"
    return f"trước ngày {due:%d/%m/%Y}"


def build_narrative(report: Report, wording: dict[str, Any]) -> Narrative:
    """The document's text for `report`, worded by `wording` (see `load_wording`)."""
    form = report.form
    ag = form.agencies
    cov = Coverage.of(report.units)
    common: dict[str, Any] = {
        "year": form.year,
        "next_year": form.year + 1,
        "programme": form.programme,
        "request": form.request,
        "province": ag.get("province", ""),
        "department": ag.get("department", ""),
        "department_short": ag.get("department_short", ""),
        "recipient": ag.get("recipient", ""),
        "recipient_upper": ag.get("recipient", "").upper(),
        "place": ag.get("place", ""),
        "due_before": deadline_words(form),
        "records_unit": ag.get("records_unit", ""),
        "date": vn_date(report.generated_at.date()).removeprefix("ngày "),
        "counted": cov.counted,
        "expected": cov.expected,
    }
    doc = wording["document"]
    sections = []
    for i, spec in enumerate(wording["sections"]):
        kind = spec.get("kind", "")
        if kind not in SECTION_KINDS and kind not in form.blocks:
            raise FormError(f"Lời văn báo cáo: mục thứ {i + 1} có loại '{kind}' không được hỗ trợ")
        say = Say(spec, common, kind)
        section = Section(say.text(spec["title"], where="title"))
        if kind in form.blocks:  # a section about one block: its key is the kind
            section.paras = _block_section(report, form.blocks[kind], spec, say)
        else:
            section.paras = SECTION_KINDS[kind](report, spec, say, cov)
        sections.append(section)
    return Narrative(
        title=doc.get("title", "BÁO CÁO"),
        subject=_fill(doc["subject"], common, "document.subject"),
        preliminary=doc.get("preliminary", "") if cov.partial else "",
        coverage_note=cov.short_note,
        addressee=_fill(doc.get("addressee", ""), common, "document.addressee"),
        opening=_fill(doc.get("opening", ""), common, "document.opening"),
        sections=sections,
        recipients=[_fill(r, common, "document.recipients") for r in doc.get("recipients", [])],
        signer_title=ag.get("signer_title", "THỦ TRƯỞNG ĐƠN VỊ"),
        signer_name=doc.get("signer_name", ""),
    )


class Say:
    """The wording of one section: `say(key, figures)` fills the text at `key` of the section."""

    def __init__(self, spec: dict[str, Any], common: dict[str, Any], kind: str) -> None:
        self.spec, self.common, self.kind = spec, common, kind

    def __call__(self, key: str, figures: dict[str, Any] | None = None) -> str:
        if key not in self.spec:
            raise FormError(f"Lời văn báo cáo, mục '{self.kind}': thiếu khóa '{key}'")
        return self.text(self.spec[key], figures, key)

    def text(self, template: str, figures: dict[str, Any] | None = None, where: str = "") -> str:
        return _fill(template, {**self.common, **(figures or {})}, f"{self.kind}.{where}")


# ----- the kinds of section -----------------------------------------------------------------------
def _paragraphs(report: Report, spec: dict, say: Say, cov: Coverage) -> list[Para]:
    return [Para(say.text(t, where="paragraphs")) for t in spec.get("paragraphs", [])]


def _proposals(report: Report, spec: dict, say: Say, cov: Coverage) -> list[Para]:
    return [Para(p.text, TO_COMPLETE) for p in _paragraphs(report, spec, say, cov)]


def _coverage(report: Report, spec: dict, say: Say, cov: Coverage) -> list[Para]:
    if not cov.partial:
        out = [Para(say("complete"))]
    else:
        out = [
            Para(say("partial")),
            Para(say("absent", {"n": len(cov.absent), "names": ", ".join(cov.absent)})),
        ]
        rejected = report.count(UnitStatus.REJECTED)
        if rejected and "rejected" in spec:
            out.append(
                Para(say("rejected", {"rejected": rejected, "missing": report.count(UnitStatus.MISSING)}))
            )
    late = late_units(report)
    if late and "late" in spec:  # named, as the terminal names them (brk38 F4)
        out.append(Para(say("late", {"late": len(late), "names": ", ".join(u.name for u in late)})))
    return out


def _figures(row: dict[str, Any], keys: list[str]) -> dict[str, str]:
    return {k: vn_number(row.get(k, 0)) for k in keys}


def _block_totals(report: Report, block_key: str) -> dict[str, str]:
    keys = list(report.form.blocks[block_key].columns)
    return {k: vn_number(report.totals.of(block_key, k)) for k in keys}


def _items_by(report: Report, block_key: str, dim: str, say: Say, extra=None) -> list[Para]:
    """One ITEM per entry of the list `dim` that has figures, in the form's order."""
    form = report.form
    keys = list(form.blocks[block_key].columns)
    sums = {key[0]: row for key, row in report.totals.by(block_key, dim).items()}
    out = []
    for item in form.items(dim):
        row = sums.get(item.code)
        if not row or not any(row.get(k, 0) for k in keys):
            continue
        values = {"name": item.name, **_figures(row, keys), **(extra(row) if extra else {})}
        out.append(Para(say("item", values), ITEM))
    return last_item(out)


def last_item(paras: list[Para]) -> list[Para]:
    """A list's entries end with ";" and its last one with "." (administrative style)."""
    if paras and paras[-1].style == ITEM and paras[-1].text.endswith(";"):
        paras[-1].text = paras[-1].text[:-1] + "."
    return paras


def _block_section(report: Report, block: Block, spec: dict, say: Say) -> list[Para]:
    """A section about one block (its `kind` is the block's key): the headline of its totals,
    then one item per entry with figures of each list the wording names (`by_category`,
    `by_region`: a subheading each, in the wording's order), else of the block's one key.
    An item's figures are its totals, its `name` and its `share` (%) of the block's headline
    amount."""
    if report.detail.blocks[block.key].empty:
        # every unit counted may have said it has nothing to report there ("x"): that is a
        # report of none, not no report (brk40 F8: "các đơn vị chưa báo cáo nhu cầu")
        declared = [
            u for u in report.units if u.file is not None and block.key in u.file.parsed.declared_empty
        ]
        if declared and "declared" in spec:
            counted = sum(u.file is not None for u in report.units)
            return [Para(say("declared", {"declared": len(declared), "counted": counted}))]
        return [Para(say("empty"))]
    main = block.main_total
    whole = report.totals.of(block.key, main)

    def share(row: dict[str, Any]) -> dict[str, str]:
        return {"share": vn_share(row.get(main, 0), whole)}

    out = [Para(say("headline", _block_totals(report, block.key)))]
    if "basis" in spec:  # what its figures add up (brk45 F1: a child counted in several rows)
        out.append(Para(say("basis")))
    dims = [key.removeprefix("by_") for key in spec if key.startswith("by_")]
    if not dims:
        return out + _items_by(report, block.key, block.key_fields[0].key, say, share)
    for dim in dims:
        out.append(Para(say(f"by_{dim}"), SUBHEAD))
        out += _items_by(report, block.key, dim, say, share)
    return out


def _change(now: int, before: int) -> str:
    if now == before:
        return "không thay đổi"
    word = "tăng" if now > before else "giảm"
    share = f", tức {vn_share(abs(now - before), before)}%" if before else ""  # said in brackets
    return f"{word} {vn_number(abs(now - before))}{share}"


def _comparison(report: Report, spec: dict, say: Say, cov: Coverage) -> list[Para]:
    years = programme_years(report)
    if len(years) < 2:
        return [Para(say("none"))]
    out = []
    prev_year = years[-2][0]
    if prev_year == report.form.year - 1 and not same_map_previous(report) and "other_map" in spec:
        # another map (before the 2025 reforms): the two totals are not of the same land
        schemes = {"prev_year": prev_year, "prev_schemes": year_schemes(report, prev_year)}
        out.append(Para(say("other_map", schemes | {"schemes": year_schemes(report, report.form.year)})))
    elif prev_year == report.form.year - 1 and same_map_previous(report):
        out += _against_previous(report, spec, say)
    summed = to_date_years(report)
    if not summed:  # every year found is after the programme's end
        return out
    values = {
        "first_year": summed[0][0],
        "to_year": to_date_end(report),
        "years": ", ".join(_year_counted(report, y) for y, _, _ in summed),
        "to_date_children": vn_number(sum(n for _, n, _ in summed)),
        "to_date_value": vn_number(sum(v for _, _, v in summed)),
    }
    out.append(Para(say("to_date", values)))
    other = [y for y, _, _ in summed if y != report.form.year and y in report.history.other_maps]
    if other and "to_date_maps" in spec:  # a sum across the reform: not one land (brk45 F3)
        words = {"other_years": ", ".join(map(str, other)), "other_schemes": year_schemes(report, other[0])}
        out.append(Para(say("to_date_maps", words)))
    missing = missing_years(report)
    if missing and "to_date_missing" in spec:
        out.append(
            Para(say("to_date_missing", {"missing": missing_words(missing), "count": str(len(missing))}))
        )
    if after_programme(report) and "to_date_after" in spec:
        out.append(Para(say("to_date_after", {"last_year": report.form.last_year})))
    return out


def _year_counted(report: Report, year: int) -> str:
    """A year of the programme-to-date sum with how many of its units' reports it counts:
    "2024 (3/28 đơn vị)" (`yoy.units_counted`); the year alone when unknown. A sum over
    years is only as whole as each year (brk32)."""
    counted = units_counted(report, year)
    return str(year) if counted is None else f"{year} ({counted[0]}/{counted[1]} đơn vị)"


def _against_previous(report: Report, spec: dict, say: Say) -> list[Para]:
    """This year against the year before on the same map, like with like (`yoy.YearBasis`):
    the province's totals when both years hold every unit (`previous`); else over the units
    with figures in both years, saying how many and each year's count (`previous_common`);
    no change at all when no unit has figures in both (`previous_incomplete`). A wording
    without the key a case needs says nothing rather than compare unlike sets."""
    basis = comparison_basis(report)
    if basis is None:
        return []
    year = report.form.year
    counts = {
        "prev_year": basis.prev_year,
        "common": len(basis.common),
        "counted": len(basis.now),
        "prev_counted": basis.prev_counted,
        "expected": basis.expected,
    }
    if basis.whole:
        years = {y: (n, v) for y, n, v in programme_years(report)}
        (prev_children, prev_value), (children, value) = years[basis.prev_year], years[year]
        key = "previous"
    elif basis.common:
        (prev_children, prev_value), (children, value) = compared_totals(report, basis)
        key = "previous_common"
    else:
        key = "previous_incomplete"
        return [Para(say(key, counts))] if key in spec else []
    if key not in spec:
        return []
    figures = {
        "prev_children": vn_number(prev_children),
        "children": vn_number(children),
        "children_change": _change(children, prev_children),
        "prev_value": vn_number(prev_value),
        "value": vn_number(value),
        "value_change": _change(value, prev_value),
    }
    return [Para(say(key, counts | figures))]


def _difficulties(report: Report, spec: dict, say: Say, cov: Coverage) -> list[Para]:
    form = report.form
    kinds = {k.code: k.name for k in form.unit_kinds}
    out: list[Para] = []
    for field_key in ("difficulties", "recommendations"):
        # kind of unit -> text -> the units that wrote it (same text from several units once)
        grouped: dict[str, dict[str, list[str]]] = {}
        for u in report.units:
            if u.file is None:
                continue
            text = " ".join(str((u.file.parsed.info_row or {}).get(field_key) or "").split())
            if text:
                grouped.setdefault(u.kind, {}).setdefault(text.rstrip(" .;"), []).append(u.name)
        if not grouped:
            continue
        out.append(Para(say(field_key), SUBHEAD))
        for kind in [k.code for k in form.unit_kinds if k.code in grouped]:
            out.append(Para(f"{kinds[kind]}:", BODY))
            items = [
                Para(say("item", {"text": t, "units": ", ".join(us)}), ITEM)
                for t, us in grouped[kind].items()
            ]
            out += last_item(items)
    return out or [Para(say("empty"))]


SECTION_KINDS: dict[str, Callable[[Report, dict, Say, Coverage], list[Para]]] = {
    "basis": _paragraphs,
    "coverage": _coverage,
    "comparison": _comparison,
    "difficulties": _difficulties,
    "proposals": _proposals,
}
