"""The naive baseline: what one would write first with pandas and pandera (used by bench.py).

    python benchmarks/naive.py INBOX

For each file, `pandas.read_excel(engine="openpyxl")` of the sheets we need and one pandera
validation of its results rows (measures >= 0, girls <= children); then `pd.concat` of the
valid files and group-by sums. Prints a JSON summary on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import pandera.pandas as pa  # noqa: E402

from pipeline.form import col_index, load_form  # noqa: E402


def main(inbox: Path) -> int:
    form = load_form()
    results = form.blocks["results"]
    resources = form.blocks["resources"]
    measures = [m.key for m in results.measures]
    res_cols = {"region": 1, "category": 2} | {m: col_index(results.measure_column(m)) for m in measures}
    src_measures = [m.key for m in resources.measures]
    src_cols = {"source": 1} | {m: col_index(resources.measure_column(m)) for m in src_measures}
    sheets = [form.sheets["info"], results.sheet, resources.sheet, form.sheets["needs"]]
    unit_row, unit_col = form.info_field("unit_code").row - 1, col_index(form.info_field("unit_code").column)

    schema = pa.DataFrameSchema(
        {
            "region": pa.Column(str),
            "category": pa.Column(str),
            **{m: pa.Column(float, pa.Check.ge(0), nullable=True, coerce=True) for m in measures},
        },
        checks=[
            pa.Check(
                lambda df: df["girls"].fillna(0) <= df["children"].fillna(0),
                error="girls <= children",
            )
        ],
    )

    def block_rows(
        frame: pd.DataFrame, first_row: int, cols: dict[str, int], keys: list[str]
    ) -> pd.DataFrame:
        body = frame.iloc[first_row - 1 :]
        end = body.index[body[0].astype(str).str.strip() == "Tổng cộng"]
        if len(end):
            body = body.loc[: end[0] - 1]
        out = pd.DataFrame({k: body[c] if c in body else None for k, c in cols.items()})
        return out.dropna(how="all", subset=keys)

    valid_results, valid_resources = [], []
    invalid = 0
    paths = sorted(p for p in inbox.iterdir() if p.suffix == ".xlsx")
    for path in paths:
        book = pd.read_excel(path, sheet_name=sheets, header=None, engine="openpyxl")
        unit = book[form.sheets["info"]].iat[unit_row, unit_col]
        rows = block_rows(book[results.sheet], results.first_row, res_cols, measures)
        try:
            rows = schema.validate(rows, lazy=True)
        except pa.errors.SchemaErrors:
            invalid += 1
            continue
        rows["unit"] = unit
        valid_results.append(rows)
        src = block_rows(book[resources.sheet], resources.first_row, src_cols, src_measures)
        src["unit"] = unit
        valid_resources.append(src)

    by_place = pd.concat(valid_results).groupby(["region", "category"])[measures].sum()
    by_source = pd.concat(valid_resources).groupby("source")[src_measures].sum()
    summary = {
        "files": len(paths),
        "invalid": invalid,
        "groups": len(by_place),
        "totals": {f"results.{k}": int(v) for k, v in by_place.sum().items()}
        | {f"resources.{k}": int(v) for k, v in by_source.sum().items()},
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
