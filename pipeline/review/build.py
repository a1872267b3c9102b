"""The final review's figures: every year's totals from its own outputs, by category, by
source, needs, coverage, and by place on each year's own map (former districts before the
2025 reform, new communes after), with the crosswalk between the two.

Every sum is over the yearly detail CSVs (int64), each year on its own map: a programme-to-
date total adds what each year reported; places are never matched across maps by code."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..form import Block, Form, FormError, Item, load_form, owner_of, replaces_of
from ..form.crosswalk import Crosswalk, Place, load_crosswalk
from ..intake.mail_settings import load_mail_settings
from .years import Years, find_years

Sums = dict[str, int]  # measure or row total -> amount (persons, turns, VND)


@dataclass(frozen=True)
class ReviewConfig:
    """`[final_review]` of the configuration: the period and the wording of the review.

    Its form, deadline and recipient are not published yet: unknown values are written
    "cần điền" in the configuration and shown so."""

    first_year: int
    last_year: int
    raw: dict[str, Any] = field(repr=False)

    def text(self, key: str, values: dict[str, Any], default: str = "") -> str:
        """The configured text at `key`, its {placeholders} filled. Raises FormError for a
        placeholder that has no value."""
        return fill(str(self.raw.get(key, default)), values, f"final_review.{key}")

    @property
    def sections(self) -> list[dict[str, Any]]:
        return list(self.raw.get("sections", []))


def fill(text: str, values: dict[str, Any], where: str) -> str:
    try:
        return text.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        raise FormError(
            f"Lời văn tổng kết, mục '{where}': không có số liệu cho {exc} trong '{text}'"
        ) from exc


class NoReviewWording(FormError):
    """The configuration has no `[final_review]`: the review is worded by another one (Kiên
    Giang's by An Giang's, which consolidates the province after the merger)."""


def load_review_config(form: Form) -> ReviewConfig:
    """`[final_review]` of the configuration at `form.path` (the period defaults to the
    programme's: `[form] first_year` to `[form] last_year`, else this configuration's year). Raises FormError;
    NoReviewWording when the configuration has none (a draft without a title or a section
    would be written)."""
    try:
        parsed = tomllib.loads(form.path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FormError(f"Không đọc được [final_review] của {form.path.name}: {exc}") from exc
    if "final_review" not in parsed:
        raise NoReviewWording(
            f"cấu hình {form.path.name} không có mục [final_review] (lời văn của báo cáo tổng kết)"
        )
    raw = parsed["final_review"]
    first = int(raw.get("first_year", form.first_year))
    last = int(raw.get("last_year", form.last_year or form.year))
    if first > last:
        raise FormError(f"[final_review]: first_year {first} sau last_year {last}")
    return ReviewConfig(first, last, raw)


@dataclass
class Review:
    """Everything the final review shows, computed once (`build_review`)."""

    form: Form
    config: ReviewConfig
    years: Years
    crosswalk: Crosswalk | None
    generated_at: dt.datetime
    totals: dict[str, dict[int, Sums]]  # block -> year -> its totals
    by_key: dict[str, dict[int, dict[str, Sums]]]  # block -> year -> key code -> totals
    places: dict[int, dict[tuple[str, str], Sums]]  # year -> (scheme, region) -> history block totals
    year_forms: dict[str, Form | None] = field(default_factory=dict)  # form id -> its configuration

    def on_old_map(self, year: int) -> bool:
        """Whether `year` was reported on an old map though the new one was in force
        (`Crosswalk.new_since`): its figures cover only that map's units."""
        cw = self.crosswalk
        if cw is None or cw.new_since is None or year < cw.new_since:
            return False
        return cw.new_scheme not in self.years.found[year].schemes

    @property
    def found(self) -> list[int]:
        return sorted(self.years.found)

    def key_of(self, block: Block) -> str:
        """The list a block is shown by: its category if it has one, else its first key."""
        keys = [kf.key for kf in block.key_fields]
        return "category" if "category" in keys else keys[0]

    def items(self, block: Block) -> list[Item]:
        """The entries of the block's list: this configuration's, then any code an earlier
        year used that it does not know (shown by code)."""
        dim = self.key_of(block)
        known = list(self.form.items(dim))
        codes = {i.code for i in known}
        extra = sorted({c for y in self.by_key[block.key].values() for c in y if c not in codes})
        return known + [Item(c, c) for c in extra]

    def place_name(self, scheme: str, code: str) -> str:
        """A place's name on its own map: the regions of this configuration or of the one
        each year was consolidated with (`year_forms`), in that code scheme; else the
        crosswalk's old districts and communes; else the code."""
        for form in (self.form, *self.year_forms.values()):
            region = form.regions_by_code.get(code) if form else None
            if region is not None and region.scheme == scheme:
                return region.name
        name = self.crosswalk.name(scheme, code) if self.crosswalk else None
        return name or f"Mã {code}"

    def place_order(self, scheme: str, codes: set[str]) -> list[str]:
        """`codes` of `scheme` in the order their configuration lists them (the province's
        own level last, as the biểu show it), then any other by code."""
        order: dict[str, int] = {}
        for form in (self.form, *self.year_forms.values()):
            for i, r in enumerate(form.regions if form else ()):
                if r.scheme == scheme:
                    order.setdefault(r.code, i)
        return sorted(codes, key=lambda c: (order.get(c, len(order)), c))

    def kind_name(self, year: int, kind: str) -> str:
        """The name of a kind of unit as the configuration of `year` named it."""
        for form in (self.year_forms.get(self.years.found[year].form_id), self.form):
            names = {k.code: k.name for k in form.unit_kinds} if form else {}
            if kind in names:
                return names[kind]
        return kind

    def maps(self) -> list[tuple[str, list[int]]]:
        """Each region scheme of the places, with the years reported in it, oldest first."""
        out: dict[str, list[int]] = {}
        for year in self.found:
            for scheme in dict.fromkeys(s for s, _ in self.places[year]):
                out.setdefault(scheme, []).append(year)
        return sorted(out.items(), key=lambda kv: kv[1][0])

    def crosswalk_rows(self) -> list[tuple[Place, Place, str]]:
        """(old district, new unit, mark) for the old districts of the years' maps: the
        crosswalk as the review shows it; mark says "một phần" where the new unit also takes
        other districts' land or an old commune was split."""
        cw = self.crosswalk
        if cw is None:
            return []
        schemes = {s for y in self.years.found.values() for s in y.schemes} | {
            s for s, _ in self.all_places()
        }
        provinces = {p for p, s in cw.district_schemes.items() if s in schemes}
        spans: dict[str, set[str]] = {}
        for link in cw.links:
            spans.setdefault(link.new_code, set()).add(link.old_district)
        rows: dict[tuple[str, str], tuple[Place, Place, str]] = {}
        for link in cw.links:
            if link.old_province not in provinces:
                continue
            old = Place(cw.district_schemes[link.old_province], link.old_district, link.old_district_name)
            new = Place(cw.new_scheme, link.new_code, link.new_name)
            marks = []
            if len(spans[link.new_code]) > 1:
                marks.append("một phần (xã mới gồm đất của nhiều huyện cũ)")
            if link.partial:
                marks.append(f"một phần ({link.old_commune_name} chia cho nhiều xã mới)")
            key = (old.code, new.code)
            prev = rows.get(key)
            mark = "; ".join(dict.fromkeys([*(prev[2].split("; ") if prev and prev[2] else []), *marks]))
            rows[key] = (old, new, mark)
        return list(rows.values())

    def all_places(self) -> set[tuple[str, str]]:
        return {p for y in self.places.values() for p in y}


def _sums(frame: pd.DataFrame, block: Block) -> Sums:
    """A block's measures and row totals over `frame` (long detail rows of that block)."""
    by_measure = frame.groupby("measure")["value"].sum()
    out = {m.key: int(by_measure.get(m.key, 0)) for m in block.measures}
    for t in block.totals:
        out[t.key] = sum(out.get(k, 0) for k in t.sum_of)
    return {k: out.get(k, 0) for k in block.columns}


def _fits(form: Form) -> Callable[[int, str], bool]:
    """Whether a year's set was made with the configuration of that year's structure: `form`'s
    own from `[form] replaces.from_year` on (all years when it replaces none), another
    configuration's before it."""
    since = (replaces_of(form.path) or ("", 0))[1]
    return lambda year, form_id: (form_id == form.id) == (year >= since)


def build_review(form: Form, outboxes: list[Path], now: dt.datetime | None = None) -> Review:
    """The review of `[final_review]`'s years (`load_review_config`) from `outboxes`, searched
    in order for each year's set (`years.find_years`). Raises FormError for a configuration
    error; a year without a readable set is missing, never fatal."""
    config = load_review_config(form)
    years = find_years(outboxes, config.first_year, config.last_year, _fits(form))
    totals: dict[str, dict[int, Sums]] = {b: {} for b in form.blocks}
    by_key: dict[str, dict[int, dict[str, Sums]]] = {b: {} for b in form.blocks}
    places: dict[int, dict[tuple[str, str], Sums]] = {}
    hb = form.history_block
    for year, result in sorted(years.found.items()):
        detail = result.detail
        for key, block in form.blocks.items():
            rows = detail[detail["block"] == key]
            totals[key][year] = _sums(rows, block)
            dim = "category" if "category" in [kf.key for kf in block.key_fields] else block.key_fields[0].key
            by_key[key][year] = {str(code): _sums(g, block) for code, g in rows.groupby(dim) if str(code)}
        res = detail[(detail["block"] == hb.key) & (detail["region"] != "")]
        scheme_col = res["region_scheme"] if "region_scheme" in res else pd.Series("?", index=res.index)
        places[year] = {
            (str(s), str(c)): _sums(g, hb)
            for (s, c), g in res.assign(_s=scheme_col).groupby(["_s", "region"])
        }
    year_forms: dict[str, Form | None] = {}
    for result in years.found.values():
        if result.form_id != form.id and result.form_id not in year_forms:
            owner = owner_of(form, result.form_id)
            year_forms[result.form_id] = load_form(owner) if owner else None
    return Review(
        year_forms=year_forms,
        form=form,
        config=config,
        years=years,
        crosswalk=load_crosswalk(form),
        generated_at=(now or _province_now(form)).replace(microsecond=0),
        totals=totals,
        by_key=by_key,
        places=places,
    )


def _province_now(form: Form) -> dt.datetime:
    """Now as the province's wall clock (`[mail] timezone`, Việt Nam's by default), naive as
    the yearly runs' times are: a document dated by the machine's zone could say another day."""
    return dt.datetime.now(load_mail_settings(form).zone).replace(tzinfo=None)
