"""Old places to new ones: the crosswalk that makes years on two maps comparable.

On 01/7/2025 districts were abolished and Kiên Giang merged into An Giang (Nghị quyết
202/2025/QH15, 1654/NQ-UBTVQH15); the statistics office kept old commune codes for the new
units, so a code alone no longer names one place. Figures of a year on the old map are
compared with figures on the new map only through this table (the configuration's
`[history] crosswalk`, a CSV of the shipped `schemas/reference/`): each old commune, its old
district, and the new unit it went to ("chia (một phần)" where it was split between several).

The comparable territory is a *group*: old districts (or communes) and new units joined by
the table, closed under it (a new unit formed from two districts joins both; a split commune
joins every new unit it went to). Within a group, the old figures and the new figures cover
the same land; between groups, nothing is compared.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Form, FormError
from .reference import noted_csv

PARTIAL = "một phần"
"""How the table marks a commune split between several new units ("chia (một phần)")."""
KEPT = "giữ nguyên"
"""How the table marks a commune that became a new unit unchanged."""
REFORM = "01/7/2025"
"""The day the table's old districts were abolished and its new units began (Nghị quyết
202/2025/QH15, 1654/NQ-UBTVQH15), as messages write it."""


@dataclass(frozen=True)
class Link:
    """One row of the table: an old commune (in its district) and the new unit it went to."""

    old_province: str
    old_district: str
    old_district_name: str
    old_commune: str
    old_commune_name: str
    change: str
    new_code: str
    new_name: str
    old_province_name: str = ""

    @property
    def partial(self) -> bool:
        """The old commune was split: only part of it went to this new unit."""
        return PARTIAL in self.change


@dataclass(frozen=True)
class Place:
    """A code within its scheme, with its name."""

    scheme: str
    code: str
    name: str


@dataclass(frozen=True)
class Group:
    """Old places and new units covering the same land (see the module's docstring)."""

    old: tuple[Place, ...]
    new: tuple[Place, ...]
    split: tuple[str, ...]  # names of old communes split between new units ("một phần")

    @property
    def basis(self) -> str:
        """In Vietnamese, on what land this group's two years are compared."""
        old = "; ".join(p.name for p in self.old)
        new = "; ".join(p.name for p in self.new)
        text = f"{old} (trước {REFORM}) = {new} (từ {REFORM})"
        if self.split:
            text += f"; có xã chia một phần: {'; '.join(self.split)}"
        return text


@dataclass(frozen=True)
class FormerDistrict:
    """An old district (or district-level city, town) of one old province and the new units
    on its land (wholly or in part), in the table's order."""

    province: str  # the old province's name ("Tỉnh Kiên Giang")
    name: str  # "Huyện Gò Quao"
    new: tuple[str, ...]  # names of the new units ("Xã Gò Quao", "Xã Vĩnh Tuy", ...)


@dataclass(frozen=True)
class FormerCommune:
    """An old commune (ward, town) in its old district and province, and the new units it
    went to (several when it was split), in the table's order."""

    province: str  # "Tỉnh Kiên Giang"
    district: str  # "Huyện Vĩnh Thuận"
    name: str  # "Thị trấn Vĩnh Thuận"
    new: tuple[str, ...]  # ("Xã Vĩnh Phong",)
    new_codes: tuple[str, ...] = ()  # their codes, in the same order ("30928",)


@dataclass(frozen=True)
class Reused:
    """A new unit's code that was an old commune's code: the same number, another land."""

    new: Place
    old: Place  # the old commune that had the code
    identical: bool  # the old commune became the new unit unchanged (same land)


@dataclass(frozen=True)
class Crosswalk:
    """The configuration's crosswalk (`load_crosswalk`)."""

    file: Path
    new_scheme: str  # the scheme of the new units' codes ("ag-xa-2025")
    district_schemes: dict[str, str]  # old province code -> the scheme of its district codes
    commune_schemes: dict[str, str]  # old province code -> the scheme of its commune codes
    links: tuple[Link, ...]
    new_since: int | None = None  # the first reporting year on the new map (`[history] new_since`)

    @property
    def old_schemes(self) -> set[str]:
        """Every scheme of old codes the table translates."""
        return {*self.district_schemes.values(), *self.commune_schemes.values()}

    def _old(self, link: Link, scheme: str) -> Place | None:
        """The old place of `link` in `scheme` (its district or its commune), None if neither."""
        if self.district_schemes.get(link.old_province) == scheme:
            return Place(scheme, link.old_district, link.old_district_name)
        if self.commune_schemes.get(link.old_province) == scheme:
            return Place(scheme, link.old_commune, link.old_commune_name)
        return None

    def name(self, scheme: str, code: str) -> str | None:
        """The name of an old district or commune, or a new unit, by its scheme and code."""
        for link in self.links:
            if scheme == self.new_scheme and link.new_code == code:
                return link.new_name
            old = self._old(link, scheme)
            if old is not None and old.code == code:
                return old.name
        return None

    def groups(self, old_scheme: str) -> list[Group]:
        """The comparable groups between the old places of `old_scheme` and the new units, in
        the table's order; [] when the table has no codes of that scheme."""
        pairs = [(old, link) for link in self.links if (old := self._old(link, old_scheme)) is not None]
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def find(x: tuple[str, str]) -> tuple[str, str]:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for old, link in pairs:
            parent[find(("old", old.code))] = find(("new", link.new_code))
        members: dict[tuple[str, str], tuple[dict[str, Place], dict[str, Place], dict[str, None]]] = {}
        for old, link in pairs:
            olds, news, split = members.setdefault(find(("old", old.code)), ({}, {}, {}))
            olds.setdefault(old.code, old)
            news.setdefault(link.new_code, Place(self.new_scheme, link.new_code, link.new_name))
            if link.partial:
                split[link.old_commune_name] = None
        return [Group(tuple(o.values()), tuple(n.values()), tuple(s)) for o, n, s in members.values()]

    def former_districts(self) -> tuple[FormerDistrict, ...]:
        """Every old district of the table with the new units on its land, in the table's
        order (two old provinces may each have had a district of the same name)."""
        found: dict[tuple[str, str], tuple[str, dict[str, None]]] = {}
        for link in self.links:
            _, news = found.setdefault((link.old_province, link.old_district), (link.old_district_name, {}))
            news[link.new_name] = None
        names = {link.old_province: link.old_province_name for link in self.links}
        return tuple(
            FormerDistrict(names[province], name, tuple(news))
            for (province, _), (name, news) in found.items()
        )

    def former_communes(self) -> tuple[FormerCommune, ...]:
        """Every old commune of the table with the new units it went to, in the table's order
        (the same name may be an old commune of several districts)."""
        found: dict[tuple[str, str], tuple[Link, dict[str, str]]] = {}
        for link in self.links:
            _, news = found.setdefault((link.old_province, link.old_commune), (link, {}))
            news.setdefault(link.new_name, link.new_code)
        return tuple(
            FormerCommune(
                link.old_province_name,
                link.old_district_name,
                link.old_commune_name,
                tuple(news),
                tuple(news.values()),
            )
            for link, news in found.values()
        )

    def successors(self, code: str) -> tuple[Link, ...]:
        """The links of the old commune whose code is `code` (one per new unit it went to,
        in the table's order); () when the table has no old commune of that code."""
        return tuple(link for link in self.links if link.old_commune == code)

    def provinces(self, schemes: set[str]) -> set[str]:
        """The old provinces whose district or commune codes are in `schemes`."""
        both = [*self.district_schemes.items(), *self.commune_schemes.items()]
        return {province for province, scheme in both if scheme in schemes}

    def reused(self, schemes: set[str] | None = None) -> list[Reused]:
        """Every new unit whose code was an old commune's code, with that commune (in the
        table's order): shown apart, never matched by the number. With `schemes`, only the
        old communes of the provinces whose codes are in those schemes (`provinces`)."""
        provinces = self.provinces(schemes) if schemes is not None else None
        by_new: dict[str, list[Link]] = {}
        for link in self.links:
            by_new.setdefault(link.new_code, []).append(link)
        out = []
        for link in self.links:
            scheme = self.commune_schemes.get(link.old_province, "")
            if link.old_commune not in by_new or not scheme:
                continue
            if provinces is not None and link.old_province not in provinces:
                continue
            into = by_new[link.old_commune]
            new = Place(self.new_scheme, link.old_commune, into[0].new_name)
            same = len(into) == 1 and into[0].old_commune == link.old_commune and not into[0].partial
            out.append(Reused(new, Place(scheme, link.old_commune, link.old_commune_name), same))
        return list({r.new.code: r for r in out}.values())


def load_crosswalk(form: Form) -> Crosswalk | None:
    """The crosswalk the configuration names (`[history] crosswalk`, a CSV next to it, with
    `new_scheme`, `district_schemes` and `commune_schemes`), None when it names none.

    Raises FormError when the table or its file is not as described."""
    cached = form.memo.get("crosswalk", False)
    if cached is not False:
        return cached
    try:
        raw = tomllib.loads(form.path.read_text(encoding="utf-8")).get("history", {})
    except (OSError, tomllib.TOMLDecodeError):
        raw = {}  # loading the form said why already
    form.memo["crosswalk"] = found = _crosswalk(form.path, raw) if raw.get("crosswalk") else None
    return found


def _crosswalk(config: Path, raw: dict[str, Any]) -> Crosswalk:
    path = config.parent / str(raw["crosswalk"])
    try:
        rows = noted_csv(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise FormError(f"Không đọc được bảng chuyển đổi {path} (khai ở [history] crosswalk)") from exc
    try:
        links = tuple(
            Link(
                r["old_province_code"],
                r["old_district_code"],
                r["old_district_name"],
                r["old_commune_code"],
                r["old_commune_name"],
                r["change"],
                r["new_commune_code"],
                r["new_commune_name"],
                r.get("old_province_name") or "",
            )
            for r in rows
        )
    except KeyError as exc:
        raise FormError(f"Bảng chuyển đổi {path.name} thiếu cột {exc}") from exc
    new_scheme = str(raw.get("new_scheme", ""))
    if not new_scheme or not links:
        raise FormError(f"[history] crosswalk: cần new_scheme và bảng {path.name} có dữ liệu")
    return Crosswalk(
        path,
        new_scheme,
        {str(k): str(v) for k, v in raw.get("district_schemes", {}).items()},
        {str(k): str(v) for k, v in raw.get("commune_schemes", {}).items()},
        links,
        int(raw["new_since"]) if "new_since" in raw else None,
    )
