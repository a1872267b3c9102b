"""The final review's draft document: sentences from the review's figures, worded by the
configuration's `[final_review]` (its form is not published yet), laid out as the yearly
report is (`render.document.write_narrative`, Nghị định 30/2020/NĐ-CP).

Section kinds (`[[final_review.sections]]`, in document order):
- "paragraphs": its `paragraphs`, filled; "to_complete": the same, highlighted for the officer;
- "years": `item` per year reported ({year}, the results block's measures and row totals,
  {value}, {resources}, {done}, {expected}, {schemes}: the labels of the year's code schemes,
  "; " between), followed by `old_map` (the same figures) for a year reported on an old
  map though the new one was in force (`Crosswalk.new_since`), then `to_date` (the same
  figures over the years) and `missing` ({missing}) when a year is missing;
- a block's key ("results", "resources", "needs"): `headline` with its totals over the years,
  then `item` per entry of its list ({name} and the same figures); `empty` ({n_years}) alone
  when no entry has a figure (a headline ending "gồm:" would announce nothing);
- "coverage": `item` per year ({year}, {done}, {expected}, {share}), then `missing`;
- "places": `map` per map of the years ({scheme}: its code scheme's label, {years}, {count}), then `crosswalk`
  ({file}, {districts}, {communes}, {spanning}).
Everywhere: {first_year}, {last_year}, {programme}, {province}, {department},
{department_short}, {recipient}, {place}, {years}, {missing}."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..form import FormError
from ..render.document import Carried, write_carrying
from ..render.narrative import (
    BODY,
    ITEM,
    SUBHEAD,
    TO_COMPLETE,
    Narrative,
    Para,
    Section,
    last_item,
    vn_number,
    vn_share,
)
from .build import Review, fill


def _numbers(sums: dict[str, int]) -> dict[str, str]:
    return {k: vn_number(v) for k, v in sums.items()}


def build_review_narrative(review: Review) -> Narrative:
    """The document's text for `review`, worded by `[final_review]`. Raises FormError when a
    section's kind or a text's placeholder is unknown."""
    form, cfg = review.form, review.config
    ag = form.agencies
    common: dict[str, Any] = {
        "first_year": cfg.first_year,
        "last_year": cfg.last_year,
        "programme": form.programme,
        "province": ag.get("province", ""),
        "department": ag.get("department", ""),
        "department_short": ag.get("department_short", ""),
        "place": ag.get("place", ""),
        "years": ", ".join(str(y) for y in review.found) or "không có",
        "missing": ", ".join(str(y) for y in review.years.missing) or "không",
    }
    common["recipient"] = cfg.text("recipient", common, ag.get("recipient", ""))
    sections = []
    for i, spec in enumerate(cfg.sections):
        kind = str(spec.get("kind", ""))
        if kind not in KINDS and kind not in form.blocks:
            raise FormError(f"[final_review] mục thứ {i + 1}: loại '{kind}' không được hỗ trợ")
        say = _Say(spec, common, kind)
        paras = _block(review, kind, say) if kind in form.blocks else KINDS[kind](review, say)
        sections.append(Section(say.text(str(spec.get("title", "")), "title"), paras))
    note = ""
    if review.years.missing:
        note = f"Chưa có số liệu năm {common['missing']}: các số lũy kế chưa gồm các năm đó."
    return Narrative(
        title=cfg.text("title", common, "BÁO CÁO"),
        subject=cfg.text("subject", common),
        preliminary=cfg.text("preliminary", common, "(Dự thảo)"),
        coverage_note=note,
        addressee=cfg.text("addressee", common, "Kính gửi: {recipient}."),
        opening=cfg.text("opening", common),
        sections=sections,
        recipients=[fill(str(r), common, "final_review.recipients") for r in cfg.raw.get("recipients", [])],
        signer_title=cfg.text("signer_title", common, ag.get("signer_title", "THỦ TRƯỞNG ĐƠN VỊ")),
        signer_name=cfg.text("signer_name", common),
    )


class _Say:
    def __init__(self, spec: dict[str, Any], common: dict[str, Any], kind: str) -> None:
        self.spec, self.common, self.kind = spec, common, kind

    def __call__(self, key: str, figures: dict[str, Any] | None = None) -> str:
        if key not in self.spec:
            raise FormError(f"[final_review] mục '{self.kind}': thiếu khóa '{key}'")
        return self.text(str(self.spec[key]), key, figures)

    def text(self, template: str, where: str, figures: dict[str, Any] | None = None) -> str:
        return fill(template, {**self.common, **(figures or {})}, f"final_review.{self.kind}.{where}")


def _paragraphs(review: Review, say: _Say) -> list[Para]:
    return [Para(say.text(str(t), "paragraphs")) for t in say.spec.get("paragraphs", [])]


def _to_complete(review: Review, say: _Say) -> list[Para]:
    return [Para(p.text, TO_COMPLETE) for p in _paragraphs(review, say)]


def _missing(review: Review, say: _Say) -> list[Para]:
    return [Para(say("missing"))] if review.years.missing and "missing" in say.spec else []


def _year_figures(review: Review, year: int | None) -> dict[str, str]:
    """The results block's figures of `year` (None: over every year reported), the value of
    support, the resources mobilised, units reported and the map."""
    form = review.form
    hb, rb = form.history_block, form.resources_block
    years = review.found if year is None else [year]
    sums: dict[str, int] = {}
    for y in years:
        for k, v in review.totals[hb.key][y].items():
            sums[k] = sums.get(k, 0) + v
    figures = _numbers(sums)
    figures["value"] = vn_number(sum(sums.get(v, 0) for v in hb.value_measures))
    figures["resources"] = vn_number(sum(review.totals[rb.key][y].get(rb.main_total, 0) for y in years))
    done = sum(review.years.found[y].summary.get("accepted", 0) for y in years)
    expected = sum(review.years.found[y].summary.get("units", 0) for y in years)
    figures |= {"done": vn_number(done), "expected": vn_number(expected), "share": vn_share(done, expected)}
    if year is not None:
        figures |= {"year": str(year), "schemes": form.schemes_text(review.years.found[year].schemes)}
    return figures


def _years(review: Review, say: _Say) -> list[Para]:
    items = []
    for y in review.found:
        figures = _year_figures(review, y)
        text = say("item", figures)
        if "old_map" in say.spec and review.on_old_map(y):
            text = f"{text} {say('old_map', figures)}"
        items.append(Para(text, ITEM))
    out = last_item(items)
    if review.found and "to_date" in say.spec:
        out.append(Para(say("to_date", _year_figures(review, None))))
    return out + _missing(review, say)


def _coverage(review: Review, say: _Say) -> list[Para]:
    out = last_item([Para(say("item", _year_figures(review, y)), ITEM) for y in review.found])
    return out + _missing(review, say)


def _block(review: Review, key: str, say: _Say) -> list[Para]:
    block = review.form.blocks[key]
    to_date: dict[str, dict[str, int]] = {}
    whole: dict[str, int] = dict.fromkeys(block.columns, 0)  # a year with no accepted file adds 0
    for y in review.found:
        for code, sums in review.by_key[key][y].items():
            for k, v in sums.items():
                to_date.setdefault(code, {})[k] = to_date.get(code, {}).get(k, 0) + v
                whole[k] = whole.get(k, 0) + v
    items = []
    for item in review.items(block):
        sums = to_date.get(item.code)
        if sums and any(sums.values()):
            items.append(Para(say("item", {"name": item.name, **_numbers(sums)}), ITEM))
    n_years = {"n_years": str(len(review.found))}
    if not items:  # no headline that announces a list ("…, gồm:") with nothing after it
        return [Para(say("empty", n_years))]
    return [Para(say("headline", _numbers(whole) | n_years))] + last_item(items)


def _places(review: Review, say: _Say) -> list[Para]:
    out = []
    for scheme, years in review.maps():
        count = len({c for y in years for s, c in review.places[y] if s == scheme})
        years_text = ", ".join(str(y) for y in years)
        label = review.form.scheme_label(scheme)
        out.append(Para(say("map", {"scheme": label, "years": years_text, "count": str(count)}), BODY))
    rows = review.crosswalk_rows()
    if rows and review.crosswalk is not None and "crosswalk" in say.spec:
        figures = {
            "file": review.crosswalk.file.name,
            "districts": str(len({o.code for o, _, _ in rows})),
            "communes": str(len({n.code for _, n, _ in rows})),
            "spanning": "; ".join(dict.fromkeys(n.name for _, n, mark in rows if mark)) or "không có",
        }
        out.append(Para(say("crosswalk", figures), SUBHEAD if "subhead" in say.spec else BODY))
    return out


KINDS = {
    "paragraphs": _paragraphs,
    "to_complete": _to_complete,
    "years": _years,
    "coverage": _coverage,
    "places": _places,
}


def write_review_document(review: Review, path: Path, officer: Path | None = None) -> Carried:
    """Write the review's draft (.docx) to `path`; the header's number is `[final_review]
    document_number` when given. With `officer` (the officer's version of the previous
    draft) the sections they write and the fields they fill carry what they typed, as in the
    yearly report (`render.document.write_carrying`); returns what was carried. Raises
    FormError as `build_review_narrative`."""
    narrative = build_review_narrative(review)
    form = review.form
    number = review.config.raw.get("document_number")
    if number:
        form = replace(form, agencies={**form.agencies, "document_number": str(number)})
    return write_carrying(narrative, form, review.generated_at, path, officer)
