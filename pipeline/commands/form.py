"""`form`: the form's layout (input cells, lists), as text or JSON."""

from __future__ import annotations

import argparse
import json

from ..form import Form, layout_json
from . import EXIT_OK


def command(form: Form, args: argparse.Namespace) -> int:
    """Print the layout of `form` (`--json`: the whole form JSON)."""
    layout = layout_json(form)
    if args.json:
        print(json.dumps(layout, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"Biểu mẫu {form.id}, phiên bản {form.version}, năm {form.year}")
    print(
        f"Đơn vị báo cáo: {len(form.units)}; địa bàn: {len(form.regions)}; "
        f"nội dung hỗ trợ: {len(form.categories)}; nguồn lực: {len(form.sources)}"
    )
    for f in layout["info"]:
        print(f"  {f['sheet']}!{f['cell']:<5} {f['label']}")
    print("Dùng --json để xem đầy đủ vị trí các ô nhập liệu.")
    return EXIT_OK
