"""Year-over-year sheet: this year against the previous one, and programme-to-date totals.

A comparison is of like with like: while either year lacks some unit (this year's figures
are preliminary, or last year's were never complete), it is made over the units with
figures in both years, and says how many (`YearBasis`); a unit without figures in a year
is "chưa có số liệu" for that year, never a fall of 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from ..form import a1
from ..form.crosswalk import Group
from ..run.result import Report
from .style import Styles, page_setup


def _previous_sums(frame: pd.DataFrame, block: str, dim: str, measure: str) -> dict[str, int]:
    sub = frame[(frame["block"] == block) & (frame["measure"] == measure)]
    return {str(k): int(v) for k, v in sub.groupby(dim)["value"].sum().items()}


def _year_totals(frame: pd.DataFrame, block: str, head: str, values: tuple[str, ...]) -> tuple[int, int]:
    res = frame[frame["block"] == block]
    n = int(res.loc[res["measure"] == head, "value"].sum())
    v = int(res.loc[res["measure"].isin(values), "value"].sum())
    return n, v


def programme_years(report: Report) -> list[tuple[int, int, int]]:
    """(year, children supported, value of support in VND) for every earlier year found and
    this one, oldest first: the rows of the programme-to-date table. A year on another map
    (`History.other_maps`) counts with its own figures on its own map: a sum of what each
    year reported, never a comparison of places (`year_basis` says which map)."""
    form = report.form
    block = form.history_block
    head, values = block.headcount, block.value_measures
    per_year = [(y, *_year_totals(f, block.key, head, values)) for y, f in report.history.all_years().items()]
    per_year.append(
        (
            form.year,
            report.totals.of(block.key, head),
            sum(report.totals.of(block.key, v) for v in values),
        )
    )
    return per_year


def to_date_end(report: Report) -> int:
    """The last year of the programme-to-date sum: this year, or the programme's last
    (`[form] last_year`) when this year is after it (a 2026 report: the sum stops at 2025)."""
    last = report.form.last_year
    return report.form.year if last is None else min(report.form.year, last)


def to_date_years(report: Report) -> list[tuple[int, int, int]]:
    """`programme_years` up to `to_date_end`: the rows of the programme-to-date sum."""
    end = to_date_end(report)
    return [row for row in programme_years(report) if row[0] <= end]


def missing_years(report: Report) -> list[int]:
    """The programme's years before this one (from `[form] first_year` to `to_date_end`)
    with no result found (`History.all_years`): a comparison with an older year, or a sum
    to date, leaves them out, and says so (brk34)."""
    found = report.history.all_years()
    end = min(report.form.year - 1, to_date_end(report))
    return [y for y in range(report.form.first_year, end + 1) if y not in found]


def after_programme(report: Report) -> str | None:
    """Why this year is not in the programme-to-date sum (Vietnamese), None when it is: the
    programme ended before it (brk34 F9: a 2026 report added 2026 to the 2019 - 2025 sum)."""
    form = report.form
    if to_date_end(report) == form.year:
        return None
    return f"Đề án kết thúc năm {form.last_year}: số liệu năm {form.year} không cộng vào lũy kế của Đề án."


def missing_words(years: list[int]) -> str:
    """Years as users read them: "2024", "2019, 2020 và 2022"."""
    shown = [str(y) for y in years]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} và {shown[-1]}"


def units_counted(report: Report, year: int) -> tuple[int, int] | None:
    """(units with an accepted report, units listed) of `year`: this year's registry, or the
    list an earlier year's run wrote (`History.units`); None when that year left none."""
    if year == report.form.year:
        return sum(u.file is not None for u in report.units), len(report.units)
    listed = report.history.units.get(year)
    if listed is None:
        return None
    return sum(ok for ok, _ in listed.values()), len(listed)


def schemes_of(report: Report, year: int) -> tuple[str, ...]:
    """The ids of the code schemes `year`'s figures were reported in ("kg-huyen-2021",
    "kg-so-2019"): this configuration's for this year, else those its run recorded."""
    form = report.form
    return form.schemes if year == form.year else report.history.schemes.get(year, ())


def year_schemes(report: Report, year: int) -> str:
    """The code schemes `year`'s figures were reported in, as users read them (their labels,
    "; " between: "mã huyện, thành phố của tỉnh Kiên Giang trước 01/7/2025; …");
    "chưa rõ hệ mã" when unknown."""
    return report.form.schemes_text(schemes_of(report, year))


def scheme_ids(report: Report, year: int) -> str:
    """The ids of `year`'s code schemes, ", " between (a column that keeps them beside the
    labels, to trace a figure to the CSV and bao-cao.json); "?" when unknown."""
    return ", ".join(schemes_of(report, year)) or "?"


SCHEME_ID_HEAD = "Ký hiệu hệ mã"
"""The heading of a column that keeps scheme ids beside the labels (traceability); every
other text of the sheet names a scheme by its label."""


def year_basis(report: Report, year: int) -> str:
    """On what map `year`'s figures were reported (Vietnamese): the map of this year, or
    another one, with the code schemes."""
    form = report.form
    same = year == form.year or year in report.history.years
    where = f"cùng địa giới với năm {form.year}" if same else f"địa giới khác năm {form.year}"
    return f"{where}: {year_schemes(report, year)}"


def same_map_previous(report: Report) -> bool:
    """Whether the latest earlier year is on this configuration's map (compared code for
    code); False when it is on another map (compared only through the crosswalk) or absent."""
    hist = report.history
    years = hist.all_years()
    return bool(years) and max(years) in hist.years


NO_FIGURES = "chưa có số liệu"


@dataclass(frozen=True)
class YearBasis:
    """On which units this year is compared with `prev_year` (on the same map): unit codes
    counted this year (`now`: accepted), those with figures in `prev_year` (`before`: any
    code of the year's detail), the registry's size (`expected`)."""

    prev_year: int
    expected: int
    now: frozenset[str]
    before: frozenset[str]
    registry: frozenset[str]

    @property
    def common(self) -> frozenset[str]:
        """The units with figures in both years: what a comparison is made on."""
        return self.now & self.before

    @property
    def whole(self) -> bool:
        """Both years hold every unit of the registry and no other: the province's totals
        compare as they are."""
        return self.now == self.before == self.registry

    @property
    def prev_counted(self) -> int:
        """How many of the registry's units have figures in `prev_year`."""
        return len(self.before & self.registry)


def comparison_basis(report: Report) -> YearBasis | None:
    """The basis of comparing this year with the latest earlier year on this map (`History.
    previous`); None without one."""
    prev = report.history.previous
    if prev is None:
        return None
    registry = frozenset(u.code for u in report.units)
    now = frozenset(u.code for u in report.units if u.file is not None)
    before = frozenset(str(c) for c in prev.loc[prev["unit_scheme"].isin(report.form.schemes), "unit_code"])
    if "?" in set(prev["unit_scheme"]):  # figures of units no longer placed: not the same set
        before |= {"?"}
    return YearBasis(int(report.history.previous_year or 0), len(registry), now, before, registry)


def _units_frame(frame: pd.DataFrame, units: frozenset[str]) -> pd.DataFrame:
    """The rows of a long detail frame (this year's `Detail.long` or an earlier year's) of
    `units`, matched code for code within this configuration's schemes."""
    return frame[frame["unit_code"].astype(str).isin(units)]


def compared_totals(report: Report, basis: YearBasis) -> tuple[tuple[int, int], tuple[int, int]]:
    """((children, value) of `basis.prev_year`, (children, value) of this year), both over
    the units of `basis.common` only (persons, VND)."""
    block = report.form.history_block
    head, values = block.headcount, block.value_measures
    prev = report.history.previous
    before = _units_frame(prev[prev["unit_scheme"].isin(report.form.schemes)], basis.common)
    now = _units_frame(report.detail.long(report.form), basis.common)
    return _year_totals(before, block.key, head, values), _year_totals(now, block.key, head, values)


def write_yoy(ws: Worksheet, st: Styles, report: Report) -> None:
    """The sheet «So sánh các năm»: the latest earlier year against this one, on the basis
    each comparison states, then the programme to date."""
    ws.set_column(0, 0, 36)
    ws.set_column(1, 9, 16)
    if same_map_previous(report):
        r = _same_map(ws, st, report)
    else:
        r = _across_maps(ws, st, report)
    _to_date(ws, st, report, r)


_HEADS = ("Số trẻ em", "Giá trị")


def _pair_heads(prev_year: int, year: int) -> list[str]:
    out = []
    for what in _HEADS:
        out += [f"{what} {prev_year}", f"{what} {year}", "Chênh lệch", "Tỉ lệ (%)"]
    return out


def _head_row(ws: Worksheet, st: Styles, r: int, heads: list[str]) -> int:
    for c, text in enumerate(heads):
        ws.write_string(r, c, text, st.head)
    ws.set_row(r, 32)
    return r + 1


def _pairs(ws: Worksheet, st: Styles, r: int, c: int, pairs: tuple[tuple[int, int], ...]) -> None:
    """Before, now, the change (formula) and its % (formula, "-" without a base), per pair."""
    for a, b in pairs:
        ws.write_number(r, c, a, st.num)
        ws.write_number(r, c + 1, b, st.num)
        was_at, now_at = a1(r, c), a1(r, c + 1)
        ws.write_formula(r, c + 2, f"={now_at}-{was_at}", st.num, b - a)
        if a:
            ws.write_formula(r, c + 3, f"=({now_at}-{was_at})/{was_at}*100", st.pct, (b - a) / a * 100)
        else:
            ws.write_string(r, c + 3, "-", st.cell_center)
        c += 4


def _same_map(ws: Worksheet, st: Styles, report: Report) -> int:
    """This year against the latest earlier year on the same map: by category and by region,
    code for code. Returns the next free row."""
    form = report.form
    hist = report.history
    prev_year = hist.previous_year
    prev = hist.previous
    block = form.history_block
    head = block.headcount
    values = block.value_measures
    if "region_scheme" in prev.columns:  # a region is matched only within its own scheme
        prev = prev[prev["region_scheme"].isin(["", *form.schemes])]
    basis = comparison_basis(report)
    assert basis is not None  # a previous year on this map
    this_year = report.detail.long(form)
    if not basis.whole:  # like with like: the units with figures in both years
        prev = _units_frame(prev[prev["unit_scheme"].isin(form.schemes)], basis.common)
        this_year = _units_frame(this_year, basis.common)
    ws.write_string(0, 0, f"SO SÁNH NĂM {form.year} VỚI NĂM {prev_year}", st.h2)
    ws.write_string(
        1,
        0,
        "Số trẻ em được hỗ trợ (người) và giá trị hỗ trợ (đồng); chênh lệch bằng số và %."
        + _not_last_year(report, prev_year),
    )
    ws.write_string(
        2,
        0,
        f"Cơ sở so sánh: hai năm cùng địa giới hành chính và cùng hệ mã ({form.schemes_text(form.schemes)}); "
        "so sánh theo từng nội dung hỗ trợ và từng địa bàn"
        + ("." if basis.whole else f", chỉ trên {_common_words(basis, form.year)}."),
        st.note,
    )
    r = 3
    for dim, items, label in (
        ("category", form.categories, "Nội dung hỗ trợ"),
        ("region", form.regions, "Địa bàn"),
    ):
        now = report.totals.by(block.key, dim) if basis.whole else _sums_by(this_year, block, dim)
        before_n = _previous_sums(prev, block.key, dim, head)
        before_v: dict[str, int] = {}
        for v in values:
            for k, x in _previous_sums(prev, block.key, dim, v).items():
                before_v[k] = before_v.get(k, 0) + x
        notes = {} if basis.whole or dim != "region" else _left_out(report, basis)
        r = _head_row(ws, st, r, [label, *_pair_heads(prev_year, form.year), *(["Ghi chú"] if notes else [])])
        for item in items:
            sums = now.get((item.code,), {})
            n_now = sums.get(head, 0)
            v_now = sum(sums.get(v, 0) for v in values)
            ws.write_string(r, 0, item.name, st.cell)
            _pairs(ws, st, r, 1, ((before_n.get(item.code, 0), n_now), (before_v.get(item.code, 0), v_now)))
            if item.code in notes:
                ws.write_string(r, 9, notes[item.code], st.cell)
            r += 1
        if notes:
            ws.set_column(9, 9, 48)
        r += 2
    return _by_unit(ws, st, report, basis, r)


def _not_last_year(report: Report, prev_year: int) -> str:
    """ " Chưa có kết quả tổng hợp năm 2024: so sánh với năm 2023, …" when the year compared
    with is not the one before this (its result not found); "" otherwise."""
    year = report.form.year
    if prev_year == year - 1:
        return ""
    return (
        f" Chưa có kết quả tổng hợp năm {year - 1}: so sánh với năm {prev_year}, năm gần nhất có kết quả, "
        "không phải năm liền trước."
    )


def _common_words(basis: YearBasis, year: int) -> str:
    """The units a comparison is made on, in words: "1 đơn vị có số liệu được chấp nhận ở
    cả hai năm (năm 2025: 1/28 đơn vị, năm 2024: 25/28 đơn vị)"."""
    return (
        f"{len(basis.common)} đơn vị có số liệu được chấp nhận ở cả hai năm (năm {year}: "
        f"{len(basis.now)}/{basis.expected} đơn vị, năm {basis.prev_year}: {basis.prev_counted}/"
        f"{basis.expected} đơn vị)"
    )


def _left_out(report: Report, basis: YearBasis) -> dict[str, str]:
    """Region code -> why its own unit (`Unit.region`) is not in the comparison: it has no
    figures in one year or both ("chưa có số liệu năm …"), so the region's row compares only
    the other units' figures there."""
    out = {}
    for unit in report.form.units:
        if unit.region is None or unit.code in basis.common:
            continue
        pairs = ((basis.prev_year, basis.before), (report.form.year, basis.now))
        years = [str(y) for y, held in pairs if unit.code not in held]
        out[unit.region] = (
            f"{unit.name} chưa có số liệu năm {' và '.join(years)}: không tính vào so sánh "
            "(dòng này chỉ gồm số liệu của các đơn vị có ở cả hai năm)"
        )
    return out


def _sums_by(frame: pd.DataFrame, block, dim: str) -> dict[tuple[str], dict[str, int]]:
    """{(code of `dim`,): {measure: sum}} of a long detail frame: `Totals.by` over its rows."""
    out: dict[tuple[str], dict[str, int]] = {}
    for m in block.value_measures + (block.headcount,):
        for code, v in _previous_sums(frame, block.key, dim, m).items():
            out.setdefault((code,), {})[m] = v
    return out


def _by_unit(ws: Worksheet, st: Styles, report: Report, basis: YearBasis, r: int) -> int:
    """One row per unit of the registry: its figures of both years, the change and its %
    only when it has figures in both ("chưa có số liệu" for a year without). Returns the
    next free row."""
    form = report.form
    block = form.history_block
    head, values = block.headcount, block.value_measures
    prev = report.history.previous
    prev = prev[prev["unit_scheme"].isin(form.schemes)]
    this_year = report.detail.long(form)
    ws.write_string(
        r - 1,
        0,
        f"Theo đơn vị báo cáo: đơn vị chưa có báo cáo được chấp nhận trong năm ghi «{NO_FIGURES}», "
        "không tính tăng, giảm.",
        st.note,
    )
    r = _head_row(ws, st, r, ["Đơn vị báo cáo", *_pair_heads(basis.prev_year, form.year)])
    for u in report.units:
        ws.write_string(r, 0, f"{u.name} ({u.code})", st.cell)
        one = frozenset({u.code})
        was = (
            _year_totals(_units_frame(prev, one), block.key, head, values) if u.code in basis.before else None
        )
        now = (
            _year_totals(_units_frame(this_year, one), block.key, head, values)
            if u.code in basis.now
            else None
        )
        if was is not None and now is not None:
            _pairs(ws, st, r, 1, ((was[0], now[0]), (was[1], now[1])))
        else:
            for k in range(2):
                c = 1 + 4 * k
                for at, fig in ((c, was), (c + 1, now)):
                    if fig is None:
                        ws.write_string(r, at, NO_FIGURES, st.cell_center)
                    else:
                        ws.write_number(r, at, fig[k], st.num)
                ws.write_string(r, c + 2, "-", st.cell_center)
                ws.write_string(r, c + 3, "-", st.cell_center)
        r += 1
    return r + 2


def _across_maps(ws: Worksheet, st: Styles, report: Report) -> int:
    """This year against the latest earlier year on another map (before the 2025 reforms):
    by category and by group of places over the land both cover, through the crosswalk;
    the province as each year reported it, said not to be the same land; and every code
    both years use for different places, shown apart. Returns the next free row."""
    form, hist = report.form, report.history
    prev_year = max(hist.other_maps)
    prev = hist.other_maps[prev_year]
    block = form.history_block
    head, values = block.headcount, block.value_measures
    theirs = hist.schemes.get(prev_year, ())
    ws.write_string(0, 0, f"SO SÁNH NĂM {form.year} VỚI NĂM {prev_year}", st.h2)
    ws.write_string(
        1,
        0,
        (f"{lead} " if (lead := _not_last_year(report, prev_year).strip()) else "")
        + f"Năm {prev_year} báo cáo theo địa giới cũ ({form.schemes_text(theirs)}), năm {form.year} theo địa "
        f"giới mới ({form.schemes_text(form.schemes)}). Mã số của hai năm không so khớp trực tiếp với nhau (nhiều mã "
        "cũ được dùng lại cho nơi khác); chỉ so sánh trên cùng địa bàn, qua bảng chuyển đổi.",
        st.note,
    )
    r = 3
    cw = hist.crosswalk
    old_scheme = next((s for s in theirs if cw and s in cw.old_schemes), "")
    groups = cw.groups(old_scheme) if cw and old_scheme else []
    prev_res = prev[prev["block"] == block.key]
    if groups:
        lacking = {id(g): _lacking(report, g, prev_year, old_scheme) for g in groups}
        covered = [g for g in groups if not lacking[id(g)]]
        old_codes = {p.code for g in covered for p in g.old}
        new_codes = {p.code for g in covered for p in g.new}
        before = prev_res[(prev_res["region_scheme"] == old_scheme) & prev_res["region"].isin(old_codes)]
        now = report.totals.by(block.key, "region", "category")
        ws.write_string(r, 0, "1. Theo nội dung hỗ trợ, trên cùng địa bàn", st.h2)
        whole = len(covered) == len(groups)
        ws.write_string(
            r + 1,
            0,
            f"Cơ sở so sánh: {len(old_codes)} địa bàn năm {prev_year} ({form.scheme_label(old_scheme)}) tương "
            f"ứng với {len(new_codes)} xã, phường, đặc khu năm {form.year} ({form.scheme_label(cw.new_scheme)}) "
            "theo bảng chuyển "
            f"đổi {cw.file.name}"
            + (
                ""
                if whole
                else f", tức {len(covered)}/{len(groups)} nhóm địa bàn có báo cáo được chấp nhận của mọi "
                "đơn vị trên địa bàn và mọi sở, ban, ngành ở cả hai năm (các nhóm còn thiếu báo cáo không "
                "tính: xem mục 2)"
            )
            + "; không gồm số liệu cấp tỉnh không phân theo địa bàn và các địa bàn ngoài "
            "bảng chuyển đổi (xem mục 3).",
            st.note,
        )
        r = _head_row(ws, st, r + 2, ["Nội dung hỗ trợ", *_pair_heads(prev_year, form.year)])
        if not covered:
            ws.write_string(r, 0, "Chưa so sánh: chưa có nhóm địa bàn nào đủ báo cáo ở cả hai năm.", st.cell)
            r += 1
        for item in form.categories if covered else ():
            sub = before[before["category"] == item.code]
            n0 = int(sub.loc[sub["measure"] == head, "value"].sum())
            v0 = int(sub.loc[sub["measure"].isin(values), "value"].sum())
            rows = [s for (reg, cat), s in now.items() if cat == item.code and reg in new_codes]
            n1 = sum(s.get(head, 0) for s in rows)
            v1 = sum(s.get(v, 0) for s in rows for v in values)
            ws.write_string(r, 0, item.name, st.cell)
            _pairs(ws, st, r, 1, ((n0, n1), (v0, v1)))
            r += 1
        r += 1
        ws.write_string(r, 0, "2. Theo địa bàn tương ứng trước và sau ngày 01/7/2025", st.h2)
        ws.write_string(
            r + 1,
            0,
            "Cơ sở so sánh: mỗi dòng là một nhóm địa bàn cũ và nhóm xã, phường, đặc khu mới trên cùng phần "
            "đất (theo bảng chuyển đổi; xã chia một phần được ghi rõ).",
            st.note,
        )
        by_region = report.totals.by(block.key, "region")
        r = _head_row(
            ws,
            st,
            r + 2,
            [
                f"Địa bàn trước 01/7/2025 ({form.scheme_label(old_scheme)})",
                *_pair_heads(prev_year, form.year),
                f"Địa bàn từ 01/7/2025 ({form.scheme_label(cw.new_scheme)})",
                *([] if whole else ["Ghi chú"]),
            ],
        )
        ws.set_column(9, 10, 60)
        grouped = prev_res[prev_res["region_scheme"] == old_scheme]
        for g in groups:
            olds = {p.code for p in g.old}
            sub = grouped[grouped["region"].isin(olds)]
            n0 = int(sub.loc[sub["measure"] == head, "value"].sum())
            v0 = int(sub.loc[sub["measure"].isin(values), "value"].sum())
            sums = [by_region.get((p.code,), {}) for p in g.new]
            n1 = sum(s.get(head, 0) for s in sums)
            v1 = sum(s.get(v, 0) for s in sums for v in values)
            ws.write_string(r, 0, "; ".join(f"{p.name} ({p.code})" for p in g.old), st.cell)
            if lacking[id(g)]:  # figures as reported, no change: not the whole land in a year
                _uncompared(ws, st, r, 1, ((n0, n1), (v0, v1)))
                ws.write_string(r, 10, lacking[id(g)], st.cell)
            else:
                _pairs(ws, st, r, 1, ((n0, n1), (v0, v1)))
            split = f" (có xã chia một phần: {'; '.join(g.split)})" if g.split else ""
            ws.write_string(r, 9, "; ".join(f"{p.name} ({p.code})" for p in g.new) + split, st.cell)
            r += 1
        r += 1
    else:
        ws.write_string(
            r,
            0,
            f"Cấu hình không có bảng chuyển đổi từ {form.schemes_text(theirs)} sang "
            f"{form.schemes_text(form.schemes)} ([history] crosswalk): không so sánh theo nội dung và địa bàn "
            "được.",
            st.coverage,
        )
        r += 2
    r = _province_as_reported(ws, st, report, prev_year, prev, r)
    return _shown_apart(ws, st, report, prev_year, r)


def _lacking(report: Report, group: Group, prev_year: int, old_scheme: str) -> str:
    """Why a group of places of the crosswalk is not compared (Vietnamese), "" when it is:
    some unit that reports on its land has no accepted report in a year, so one year's
    figures there are only part of the land's and a fall to 0 would be no fall (brk32). Those
    units are, this year, the units whose own region is one of its new places and every unit
    of no region of its own (a department reports on any place); in `prev_year`, the old
    units whose code is one of its old places and the units of that year's other schemes
    (its departments), as that year's run listed them (`History.units`) (brk34)."""
    news = {p.code for p in group.new}
    form = report.form
    own = [u for u in report.units if form.units_by_code[u.code].region in news]
    anywhere = [u for u in report.units if form.units_by_code[u.code].region is None]
    olds = {p.code for p in group.old}
    listed = report.history.units.get(prev_year, {})
    old_own = [v for key, v in listed.items() if key[0] == old_scheme and key[1] in olds]
    old_anywhere = [v for key, v in listed.items() if key[0] != old_scheme]
    said = []
    for year, units, departments in (
        (prev_year, old_own, old_anywhere),
        (
            form.year,
            [(u.file is not None, u.name) for u in own],
            [(u.file is not None, u.name) for u in anywhere],
        ),
    ):
        for of, what in ((units, "đơn vị trên địa bàn"), (departments, "sở, ban, ngành")):
            names = [name for ok, name in of if not ok]
            if names:
                said.append(
                    f"năm {year} còn {len(names)}/{len(of)} {what} chưa có báo cáo được chấp nhận "
                    f"({', '.join(names)})"
                )
    return f"Chưa so sánh: {'; '.join(said)}." if said else ""


def _uncompared(ws: Worksheet, st: Styles, r: int, c: int, pairs: tuple[tuple[int, int], ...]) -> None:
    """Before and now as reported, with no change nor % ("-"): one of them is not the whole land's."""
    for a, b in pairs:
        ws.write_number(r, c, a, st.num)
        ws.write_number(r, c + 1, b, st.num)
        ws.write_string(r, c + 2, "-", st.cell_center)
        ws.write_string(r, c + 3, "-", st.cell_center)
        c += 4


def _province_as_reported(
    ws: Worksheet, st: Styles, report: Report, prev_year: int, prev: pd.DataFrame, r: int
) -> int:
    """Each block's headline as each year reported it for its whole province, said to be two
    different lands; and the figures not given by place (the province level) of each year."""
    form = report.form
    ws.write_string(r, 0, "3. Toàn tỉnh theo báo cáo của từng năm (không cùng địa bàn)", st.h2)
    ws.write_string(
        r + 1,
        0,
        f"Cơ sở: số liệu mỗi năm là của toàn tỉnh theo địa giới của năm đó (năm {prev_year}: "
        f"{year_schemes(report, prev_year)}; năm {form.year}: {year_schemes(report, form.year)}); "
        "chênh lệch giữa hai cột không phải là tăng, giảm trên cùng một địa bàn.",
        st.note,
    )
    ids_head = f"{SCHEME_ID_HEAD} (năm {prev_year} | năm {form.year})"
    r = _head_row(ws, st, r + 2, ["Chỉ tiêu", f"Năm {prev_year}", f"Năm {form.year}", ids_head])
    rows = []
    for block in form.blocks.values():
        main = block.headcount if block.history else block.main_total
        keys = [main] if main in [m.key for m in block.measures] else list(_sum_of(block, main))
        sub = prev[(prev["block"] == block.key) & prev["measure"].isin(keys)]
        unit = block.measure(keys[0]).unit
        rows.append(
            (
                f"{block.title.capitalize()} ({unit})",
                int(sub["value"].sum()),
                report.totals.of(block.key, main),
            )
        )
    provincial = [x for x in form.regions if x.level == "province"]
    hb = form.history_block
    for level in provincial:
        prov_prev = prev[
            (prev["block"] == hb.key) & (prev["region"] == level.code) & (prev["measure"] == hb.headcount)
        ]
        prov_now = report.totals.by(hb.key, "region").get((level.code,), {}).get(hb.headcount, 0)
        schemes = sorted(set(prov_prev["region_scheme"])) or ["?"]
        rows.append(
            (
                f"Trẻ em hỗ trợ cấp tỉnh, không phân theo địa bàn (mã {level.code}: năm {prev_year} theo "
                f"{form.schemes_text(schemes)}, năm {form.year} theo {form.scheme_label(level.scheme)}; hai tỉnh "
                "khác nhau)",
                int(prov_prev["value"].sum()),
                prov_now,
            )
        )
    for label, a, b in rows:
        ws.write_string(r, 0, label, st.cell)
        ws.write_number(r, 1, a, st.num)
        ws.write_number(r, 2, b, st.num)
        ws.write_string(
            r,
            3,
            f"{scheme_ids(report, prev_year)} | {scheme_ids(report, form.year)}",
            st.cell,
        )
        r += 1
    return r + 2


def _sum_of(block, key: str) -> tuple[str, ...]:
    return next((t.sum_of for t in block.totals if t.key == key), (key,))


def reused_codes(report: Report, prev_year: int) -> list[tuple[str, str, str, str, str]]:
    """Every code both years use for different places: (code, last year's scheme and name,
    this year's scheme and name), units and regions both years reported, then the new
    units whose code was an old commune's (from the crosswalk). Never matched by the number."""
    form = report.form
    prev = report.history.all_years()[prev_year]
    out: dict[tuple[str, str, str], tuple[str, str, str, str, str]] = {}
    units = prev.drop_duplicates(["unit_scheme", "unit_code"])
    for code, scheme, name in zip(units["unit_code"], units["unit_scheme"], units["unit_name"], strict=True):
        unit = form.units_by_code.get(code)
        if unit is not None and unit.scheme != scheme:
            out[(code, scheme, unit.scheme)] = (code, scheme, name, unit.scheme, unit.name)
    regions = prev[prev["region"] != ""].drop_duplicates(["region_scheme", "region"])
    cw = report.history.crosswalk
    for code, scheme in zip(regions["region"], regions["region_scheme"], strict=True):
        region = form.regions_by_code.get(code)
        if region is not None and region.scheme != scheme:
            old = (cw.name(scheme, code) if cw else None) or (
                "Cấp tỉnh (theo địa giới cũ)" if region.level == "province" else "?"
            )
            out[(code, scheme, region.scheme)] = (code, scheme, old, region.scheme, region.name)
    if cw is not None:
        for r in cw.reused(set(report.history.schemes.get(prev_year, ()))):
            if not r.identical:
                out.setdefault(
                    (r.new.code, r.old.scheme, r.new.scheme),
                    (r.new.code, r.old.scheme, r.old.name, r.new.scheme, r.new.name),
                )
    return list(out.values())


def _shown_apart(ws: Worksheet, st: Styles, report: Report, prev_year: int, r: int) -> int:
    """Every code both years use for other places or units (`reused_codes`), one a row."""
    ws.write_string(r, 0, "4. Mã số trùng nhau nhưng chỉ nơi khác nhau (không so sánh theo mã)", st.h2)
    ws.write_string(
        r + 1,
        0,
        "Cơ sở: một mã chỉ có nghĩa trong hệ mã của nó; các mã dưới đây có ở cả hai hệ mã nhưng chỉ hai nơi "
        "(hoặc hai đơn vị) khác nhau, nên số liệu của chúng không được đặt cạnh nhau.",
        st.note,
    )
    heads = ["Mã số", "Hệ mã cũ", "Tên theo hệ mã cũ", "Hệ mã mới", "Tên theo hệ mã mới"]
    r = _head_row(ws, st, r + 2, [*heads, f"{SCHEME_ID_HEAD} cũ", f"{SCHEME_ID_HEAD} mới"])
    form = report.form
    for code, old, old_name, new, new_name in reused_codes(report, prev_year):
        shown = (code, form.scheme_label(old), old_name, form.scheme_label(new), new_name, old, new)
        for c, text in enumerate(shown):
            ws.write_string(r, c, text, st.cell)
        r += 1
    return r + 2


def _to_date(ws: Worksheet, st: Styles, report: Report, r: int) -> None:
    """Programme to date: each year's own figures on its own map, then their sum."""
    hist = report.history
    end = to_date_end(report)
    ws.write_string(r, 0, f"LŨY KẾ TỪ NĂM {min([*hist.all_years(), end])} ĐẾN NĂM {end}", st.h2)
    ws.write_string(
        r + 1,
        0,
        "Cơ sở: cộng số liệu mỗi năm đã báo cáo theo địa giới của chính năm đó (cột Địa bàn, hệ mã).",
        st.note,
    )
    r += 2
    heads = [
        "Năm",
        "Số trẻ em (người)",
        "Giá trị hỗ trợ (đồng)",
        "Địa bàn, hệ mã",
        SCHEME_ID_HEAD,
        "Đơn vị có báo cáo được chấp nhận",
    ]
    for c, text in enumerate(heads):
        ws.write_string(r, c, text, st.head)
    r += 1
    first = r
    per_year = to_date_years(report)
    for year, n, v in per_year:
        ws.write_string(r, 0, str(year), st.cell_center)
        ws.write_number(r, 1, n, st.num)
        ws.write_number(r, 2, v, st.num)
        ws.write_string(r, 3, year_basis(report, year), st.cell)
        ws.write_string(r, 4, scheme_ids(report, year), st.cell)
        counted = units_counted(report, year)
        ws.write_string(r, 5, "chưa rõ" if counted is None else f"{counted[0]}/{counted[1]}", st.cell_center)
        r += 1
    ws.write_string(r, 0, "Lũy kế", st.total_label)
    tot_n = sum(n for _, n, _ in per_year)
    tot_v = sum(v for _, _, v in per_year)
    ws.write_formula(r, 1, f"=SUM(B{first + 1}:B{r})", st.num_bold, tot_n)
    ws.write_formula(r, 2, f"=SUM(C{first + 1}:C{r})", st.num_bold, tot_v)
    missing, after = missing_years(report), after_programme(report)
    notes = [after] if after else []
    if missing:
        gap = (
            f"Lũy kế chưa gồm năm {missing_words(missing)} (chưa có kết quả tổng hợp trong thư mục kết quả)."
        )
        notes.insert(0, gap)
    for i, note in enumerate(notes, 1):
        ws.write_string(r + i, 0, note, st.coverage)
    page_setup(ws, repeat=(3, 3))
