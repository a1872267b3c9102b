"""Cross-cell rules, checked once per schema on the stacked records of every file.

The pandera schemas are built from the form definition. Each check carries a rule code
(`error=`); failures are mapped back to the file, sheet and cell they came from and
turned into findings with a Vietnamese message that gives the values found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa

from . import findings as fd
from . import nearest
from .emptiness import empty_block_findings
from .extract import Parsed
from .findings import Finding
from .form import Block, Form, Item, norm_text
from .plausible import plausibility_warnings
from .rowrules import PANDERA, block_rules


@dataclass
class Stack:
    """The records of one kind from every file, with where each came from."""

    frame: pd.DataFrame
    sheet: str
    column_cell: Callable[[str, int], str]  # (column, sheet row) -> cell address


# ----- schemas -----------------------------------------------------------------------------
def info_schema(form: Form) -> pa.DataFrameSchema:
    names = {u.code: norm_text(u.name) for u in form.units}

    def name_matches(df: pd.DataFrame) -> pd.Series:
        known = df["unit_code"].map(names)
        given = df["unit_name"].map(lambda v: norm_text(v) if isinstance(v, str) else v)
        close = [
            _unit_read_as(form, c, g) is not None
            for c, g in zip(df["unit_code"], df["unit_name"], strict=True)
        ]
        return known.isna() | given.isna() | (known == given) | pd.Series(close, index=df.index)

    req = "REQUIRED_MISSING"
    return pa.DataFrameSchema(
        {
            "unit_code": pa.Column(object, pa.Check.isin([u.code for u in form.units], error="UNIT_UNKNOWN")),
            "unit_name": pa.Column(object),
            "year": pa.Column("Int64", pa.Check.eq(form.year, error="YEAR_MISMATCH")),
            **{
                f.key: pa.Column(object, nullable=not f.required)
                for f in form.info_fields
                if f.key in ("preparer", "report_date")
            },
            "activities": pa.Column("Int64", pa.Check.ge(0, error="NUMBER_NEGATIVE"), nullable=True),
        },
        checks=[pa.Check(name_matches, error="UNIT_MISMATCH:unit_name")],
        name=req,
    )


def _unit_read_as(form: Form, code: Any, typed: Any) -> str | None:
    """The registry name of unit `code` when `typed` differs from it but is close to it."""
    unit = form.units_by_code.get(code) if isinstance(code, str) else None
    if unit is None or not isinstance(typed, str) or norm_text(typed) == norm_text(unit.name):
        return None
    return unit.name if nearest.match((Item(unit.code, unit.name),), typed).code else None


def unit_name_findings(form: Form, candidates: Iterable[Parsed]) -> None:
    """A unit name typed close to the registry's (accents, abbreviations): read as it, warned."""
    field = form.info_field("unit_name")
    for p in candidates:
        typed = (p.info_row or {}).get("unit_name")
        name = _unit_read_as(form, (p.info_row or {}).get("unit_code"), typed)
        if name:
            message = nearest.read_as_message(field.label, typed, nearest.Match(p.unit_code, name))
            p.findings.append(
                fd.make(
                    "NAME_READ_AS",
                    message,
                    file=p.name,
                    unit=p.unit_code or "",
                    sheet=form.sheets["info"],
                    cell=field.cell,
                    value=typed,
                )
            )


def block_schema(form: Form, block: Block) -> pa.DataFrameSchema:
    columns: dict[str, pa.Column] = {}
    for kf in block.key_fields:
        code = {"region": "REGION_UNKNOWN", "category": "CATEGORY_UNKNOWN"}.get(kf.key, "LAYOUT_CHANGED")
        columns[kf.key] = pa.Column(object, pa.Check.isin([i.code for i in form.items(kf.key)], error=code))
    for m in block.measures:
        columns[m.key] = pa.Column("Int64", pa.Check.ge(0, error="NUMBER_NEGATIVE"), nullable=True)
    checks = [
        pa.Check(rule.check(), error=rule.pandera_error)
        for rule in block_rules(form, block)
        if rule.checked_by == PANDERA
    ]
    keys = ["file_id", *(kf.key for kf in block.key_fields)]
    return pa.DataFrameSchema(
        columns, checks=checks, unique=keys, report_duplicates="exclude_first", name=block.key
    )


def totals_schema() -> pa.DataFrameSchema:
    def within(df: pd.DataFrame) -> pd.Series:
        return (df["resources"] == 0) | (df["support"] <= df["resources"])

    return pa.DataFrameSchema(
        {"support": pa.Column("int64"), "resources": pa.Column("int64")},
        checks=[pa.Check(within, error="SUPPORT_EXCEEDS_RESOURCES:support")],
        name="totals",
    )


# ----- stacking ---------------------------------------------------------------------------
def stack_info(form: Form, files: Iterable[Parsed]) -> Stack:
    rows = [{"file_id": p.file_id, **p.info_row} for p in files if p.info_row is not None]
    cols = ["file_id", *(f.key for f in form.info_fields)]
    frame = pd.DataFrame(rows, columns=cols)
    for f in form.info_fields:
        if f.type in ("count", "year"):
            frame[f.key] = frame[f.key].astype("Int64")
        else:
            frame[f.key] = frame[f.key].astype(object)
    frame["row"] = 0
    cells = {f.key: f.cell for f in form.info_fields}
    return Stack(frame, form.sheets["info"], lambda col, _row: cells.get(col, ""))


def stack_block(form: Form, block: Block, files: Iterable[Parsed]) -> Stack:
    rows = [{"file_id": p.file_id, **rec} for p in files for rec in p.rows.get(block.key, ())]
    keys = [kf.key for kf in block.key_fields]
    measures = [m.key for m in block.measures]
    frame = pd.DataFrame(rows, columns=["file_id", "row", *keys, *measures, "own_region"])
    for m in measures:
        frame[m] = frame[m].astype("Int64")
    for key in [*keys, "own_region"]:  # pandas 3 would infer its string dtype; the schema says object
        frame[key] = frame[key].astype(object)
    frame["file_id"] = frame["file_id"].astype("int64")
    columns = {kf.key: kf.column for kf in block.key_fields}
    columns.update({m.key: block.measure_column(m.key) for m in block.measures})
    return Stack(frame, block.sheet, lambda col, row: f"{columns[col]}{row}" if col in columns else "")


# ----- running and mapping back --------------------------------------------------------------
def warm_up() -> None:
    """Have pandera register its pandas back-ends (and import their modules) ahead of time."""
    pa.DataFrameSchema.register_default_backends(pd.DataFrame)


def run_schema(schema: pa.DataFrameSchema, stack: Stack) -> pd.DataFrame:
    """Validate a stack once (lazy) and return its failure cases, possibly empty."""
    if stack.frame.empty:
        return pd.DataFrame(columns=["column", "check", "failure_case", "index"])
    try:
        schema.validate(stack.frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return err.failure_cases
    return pd.DataFrame(columns=["column", "check", "failure_case", "index"])


def findings_from_failures(
    form: Form,
    failures: pd.DataFrame,
    stack: Stack,
    files: dict[int, Parsed],
    block: Block | None,
) -> list[tuple[int, Finding]]:
    """Turn pandera failure cases into located findings, one per rule and cell."""
    out: list[tuple[int, Finding]] = []
    seen: set[tuple[int, str, str]] = set()
    frame = stack.frame
    if not failures.empty:  # a frame-wide check ("CODE:column…") fails once per column of a row
        wide = failures["check"].astype(str).str.contains(":", regex=False)
        failures = failures[~wide | ~failures.duplicated(["index", "check"])]
    for rec in failures.itertuples(index=False):
        index = rec.index
        if index is None or (isinstance(index, float) and index != index):
            continue
        parts = str(rec.check).split(":")
        code = parts[0]
        column = str(rec.column)
        if code == "not_nullable":
            code = "REQUIRED_MISSING"
        elif code == "multiple_fields_uniqueness":
            code = "ROW_DUPLICATE"
            column = block.key_fields[0].key if block else column
        elif len(parts) > 1:
            column = parts[1]  # the column a frame-wide check is about
        if code not in fd.RULES:
            continue  # a dtype/coercion failure already reported by the parser
        row = frame.loc[index]
        file_id = int(row["file_id"])
        sheet_row = int(row["row"])
        cell = stack.column_cell(column, sheet_row)
        parsed = files[file_id]
        if (stack.sheet, cell) in parsed.flagged_cells:
            continue  # the parser already reported what is wrong with this cell
        if len(parts) > 1 and _row_flagged(parsed, stack, sheet_row):
            continue  # a cross-field rule over a row with an unreadable cell says nothing useful
        key = (file_id, code, cell)
        if key in seen:
            continue
        seen.add(key)
        value = row.get(column) if column in row.index else rec.failure_case
        message = _message(form, block, code, parts, row, column, value)
        if code == "ROW_DUPLICATE" and block is not None:
            keys = [kf.key for kf in block.key_fields]
            same = (frame["file_id"] == file_id) & (frame[keys] == row[keys]).all(axis=1)
            message = message.replace("một dòng phía trên", f"dòng {int(frame.loc[same, 'row'].min())}")
        out.append(
            (
                file_id,
                fd.make(
                    code,
                    message,
                    file=parsed.name,
                    unit=parsed.unit_code or "",
                    sheet=stack.sheet,
                    cell=cell,
                    value=str(_plain(value)) if column == "year" else _plain(value),
                ),
            )
        )
    return out


def _row_flagged(parsed: Parsed, stack: Stack, row: int) -> bool:
    suffix = str(row)
    return any(
        sheet == stack.sheet and cell[len(cell.rstrip("0123456789")) :] == suffix
        for sheet, cell in parsed.flagged_cells
    )


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "item"):
        return value.item()
    return value


def _message(
    form: Form,
    block: Block | None,
    code: str,
    parts: list[str],
    row: pd.Series,
    column: str,
    value: Any,
) -> str:
    v = fd.show(_plain(value))
    if block is None:  # the info sheet
        label = form.info_field(column).label if column in {f.key for f in form.info_fields} else column
        code_value = _plain(row.get("unit_code"))
        return {
            "REQUIRED_MISSING": f"chưa điền '{label}'; đây là thông tin bắt buộc",
            "UNIT_UNKNOWN": f"mã đơn vị '{v}' không có trong danh sách đơn vị báo cáo; "
            "hãy dùng mẫu đúng của đơn vị mình",
            "UNIT_MISMATCH": f"tên đơn vị '{v}' không khớp với mã {code_value} "
            f"({form.units_by_code[code_value].name if code_value in form.units_by_code else '?'})",
            "YEAR_MISMATCH": f"năm báo cáo là {_plain(value)}, nhưng đang tổng hợp năm {form.year}; "
            f"hãy dùng mẫu năm {form.year}",
            "NUMBER_NEGATIVE": f"'{label}' là {v}, phải lớn hơn hoặc bằng 0",
        }.get(code, f"{fd.RULES[code].title} (giá trị: {v})")
    name = {m.key: m.name for m in block.measures}
    items = {kf.key: {i.code: i.name for i in form.items(kf.key)} for kf in block.key_fields}

    def named(key: str) -> str:
        code_ = _plain(row.get(key))
        return items.get(key, {}).get(code_, str(code_))

    if code == "NUMBER_NEGATIVE":
        return f"{name[column].capitalize()} là {v}, phải lớn hơn hoặc bằng 0"
    if code in ("REGION_UNKNOWN", "CATEGORY_UNKNOWN"):
        near = nearest.choices_text(nearest.read_as(form, column, str(_plain(value))).choices)
        what = "địa bàn" if code == "REGION_UNKNOWN" else "nội dung hỗ trợ"
        return f"{what} '{v}' không có trong danh sách{near}; hãy chọn từ danh sách"
    if code == "MEASURE_AT_MOST":
        other = parts[2]
        return (
            f"{name[column].capitalize()} ({v}) lớn hơn {name[other]} "
            f"({fd.show(_plain(row[other]))}); số 'trong đó' không được lớn hơn tổng số"
        )
    if code == "MEASURE_AT_LEAST":
        other = parts[2]
        return (
            f"{name[column].capitalize()} ({v}) nhỏ hơn {name[other]} "
            f"({fd.show(_plain(row[other]))}); mỗi trẻ em được tính ít nhất một lượt"
        )
    if code == "VALUE_MISSING":
        head = block.headcount
        return (
            f"có {fd.show(_plain(row[head]))} trẻ em được hỗ trợ nhưng giá trị hỗ trợ bằng 0 "
            "hoặc để trống; hãy ghi giá trị (quy ra tiền)"
        )
    if code == "CHILDREN_MISSING":
        total = sum(int(_plain(row[k]) or 0) for k in block.value_measures)
        return (
            f"có giá trị hỗ trợ {fd.show(total)} đồng nhưng số trẻ em bằng 0 hoặc để trống; "
            "hãy ghi số trẻ em được hỗ trợ"
        )
    if code == "REGION_NOT_OWN":
        return (
            f"đơn vị chỉ báo cáo cho địa bàn của mình "
            f"({items['region'].get(_plain(row['own_region']), '?')}), không cho '{named('region')}'"
        )
    if code == "ROW_DUPLICATE":
        keys = " - ".join(named(kf.key) for kf in block.key_fields)
        return f"'{keys}' đã được ghi ở một dòng phía trên; mỗi cặp chỉ ghi một dòng, hãy gộp lại"
    return f"{fd.RULES[code].title} (giá trị: {v})"


def validate_all(form: Form, parsed: list[Parsed]) -> None:
    """Run every schema once over all files; append the findings to each file."""
    files = {p.file_id: p for p in parsed}
    candidates = [p for p in parsed if p.info_row is not None]
    results: list[tuple[int, Finding]] = []
    info = stack_info(form, candidates)
    results += findings_from_failures(form, run_schema(info_schema(form), info), info, files, None)
    for block in form.blocks.values():
        st = stack_block(form, block, candidates)
        results += findings_from_failures(form, run_schema(block_schema(form, block), st), st, files, block)
    results += _support_vs_resources(form, candidates, files)
    for file_id, finding in results:
        files[file_id].findings.append(finding)
    empty_block_findings(form, candidates)
    unit_name_findings(form, candidates)
    plausibility_warnings(form, candidates)


def _support_vs_resources(
    form: Form, candidates: list[Parsed], files: dict[int, Parsed]
) -> list[tuple[int, Finding]]:
    res_block = form.blocks["results"]
    src_block = form.blocks["resources"]
    rows = []
    for p in candidates:
        if "results" not in p.rows:
            continue
        support = sum(int(r.get(k) or 0) for r in p.rows["results"] for k in res_block.value_measures)
        resources = sum(
            int(r.get(m.key) or 0) for r in p.rows.get("resources", ()) for m in src_block.measures
        )
        rows.append({"file_id": p.file_id, "support": support, "resources": resources})
    frame = pd.DataFrame(rows, columns=["file_id", "support", "resources"]).astype("int64")
    failures = run_schema(totals_schema(), Stack(frame, "", lambda c, r: ""))
    out: list[tuple[int, Finding]] = []
    for index in sorted(set(failures["index"].dropna().astype(int))):
        rec = frame.loc[index]
        p = files[int(rec["file_id"])]
        unit = form.units_by_code.get(p.unit_code or "")
        total_col = src_block.total_column(src_block.totals[0].key) if src_block.totals else "C"
        cell = f"{total_col}{form.total_row(src_block, unit)}"
        out.append(
            (
                p.file_id,
                fd.make(
                    "SUPPORT_EXCEEDS_RESOURCES",
                    f"tổng giá trị hỗ trợ ({fd.show(int(rec['support']))} đồng) lớn hơn tổng "
                    f"nguồn lực đã vận động ({fd.show(int(rec['resources']))} đồng); "
                    "hãy kiểm tra lại hai trang",
                    file=p.name,
                    unit=p.unit_code or "",
                    sheet=src_block.sheet,
                    cell=cell,
                    value=int(rec["support"]),
                ),
            )
        )
    return out
