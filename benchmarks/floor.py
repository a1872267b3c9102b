"""The floor: python-calamine reads every cell of every sheet, and nothing else (bench.py).

    python benchmarks/floor.py INBOX

One process, files in order; prints the number of files and cells as JSON. A file
python-calamine cannot open (the sample inbox's letter) is skipped and counted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import python_calamine as pc


def main(inbox: Path) -> int:
    files = cells = skipped = 0
    for path in sorted(p for p in inbox.iterdir() if p.is_file()):
        try:
            wb = pc.CalamineWorkbook.from_path(str(path))
        except pc.CalamineError:
            skipped += 1
            continue
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(map(len, rows))
        wb.close()
        files += 1
    print(json.dumps({"files": files, "cells": cells, "skipped": skipped}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
