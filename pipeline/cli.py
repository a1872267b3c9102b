"""Command line: a thin skin over the library. Messages are Vietnamese.

Exit codes (README, "Exit codes"): 0 done; 1 with --strict when a file was rejected, not
a report or not read, or a unit is missing, and for `check` when a file has errors; 2 for
usage or configuration errors; 3 when the outbox cannot be written (full disk, read-only,
no permission); 4 when another run holds the outbox; 130 when interrupted (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import uuid
from pathlib import Path

from . import argparse_vi
from .form import DEFAULT_FORM, Form, FormError, layout_json, load_form, pending_fields, pending_warning
from .mail.cli import add_mail_parser, refresh_after_run, run_mail
from .newyear import as_typed, outboxes_of, own_copy, period_over, plan_next_year, write_next_year
from .outbox.atomic import OutboxBusy, OutboxHeld, OutboxUnwritable, current_set_note
from .outbox.paths import templates_dir
from .text.command import MAKE_MARK, command_name

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_OUTBOX, EXIT_BUSY, EXIT_INTERRUPTED = 3, 4, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with a hint
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Lỗi: {message}\nGõ '{self.prog} --help' để xem hướng dẫn.\n")
        raise SystemExit(EXIT_USAGE)


def _integer(text: str) -> int:
    return int(text)


_integer.__name__ = "một số nguyên"  # argparse names the expected type by it


_OUTBOX_HELP = "thư mục kết quả (mặc định: [paths] outbox của cấu hình, ví dụ outbox hoặc outbox-an-giang)"


def build_parser() -> argparse.ArgumentParser:
    argparse_vi.install()  # argparse's own words in Vietnamese, for every subparser
    p = _Parser(
        prog=command_name(),
        description="Tổng hợp báo cáo kết quả thực hiện Quyết định 588/QĐ-TTg.",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_FORM,
        metavar="TỆP",
        help=f"tệp cấu hình biểu mẫu (mặc định: {DEFAULT_FORM.relative_to(DEFAULT_FORM.parent.parent)})",
    )
    sub = p.add_subparsers(
        dest="command", required=True, parser_class=_Parser, title="các lệnh", metavar="LỆNH"
    )

    f = sub.add_parser("form", help="in bố cục biểu mẫu (ô nhập liệu, danh mục)")
    f.add_argument("--json", action="store_true", help="in dưới dạng JSON cho chương trình khác")

    t = sub.add_parser("templates", help="tạo mẫu trống cho từng đơn vị")
    t.add_argument("--outbox", type=Path, metavar="THƯ_MỤC", help=_OUTBOX_HELP)

    c = sub.add_parser("consolidate", help="kiểm tra và tổng hợp các tệp trong inbox")
    c.add_argument(
        "--inbox",
        type=Path,
        default=Path("inbox"),
        metavar="THƯ_MỤC",
        help="thư mục tệp nhận được (mặc định: inbox)",
    )
    c.add_argument("--outbox", type=Path, metavar="THƯ_MỤC", help=_OUTBOX_HELP)
    c.add_argument("--archive", type=Path, metavar="THƯ_MỤC", help="thư mục chứa kết quả các năm trước")
    c.add_argument("--json", action="store_true", help="in báo cáo dưới dạng JSON")
    c.add_argument(
        "--strict", action="store_true", help="thoát mã 1 nếu có tệp bị từ chối hoặc đơn vị chưa gửi"
    )
    c.add_argument(
        "--workers", type=_integer, metavar="SỐ", help="số tiến trình đọc tệp (mặc định: số lõi CPU)"
    )
    c.add_argument("--year", type=_integer, metavar="NĂM", help="năm báo cáo (mặc định: theo cấu hình)")

    k = sub.add_parser("check", help="kiểm tra riêng từng tệp, không tổng hợp")
    k.add_argument("files", nargs="+", type=Path, metavar="TỆP", help="các tệp cần kiểm tra")
    k.add_argument("--json", action="store_true", help="in kết quả dưới dạng JSON")

    d = sub.add_parser(
        "pdf", help="in báo cáo (Word) và sáu biểu tổng hợp ra một tệp PDF để ký (cần LibreOffice)"
    )
    d.add_argument("--outbox", type=Path, metavar="THƯ_MỤC", help=_OUTBOX_HELP)
    d.add_argument("--year", type=_integer, metavar="NĂM", help="năm báo cáo (mặc định: theo cấu hình)")

    s = sub.add_parser("samples", help="tạo lại hộp thư mẫu trong examples/inbox")
    s.add_argument(
        "--out", type=Path, default=Path("examples/inbox"), metavar="THƯ_MỤC", help="thư mục ghi tệp mẫu"
    )

    n = sub.add_parser("new-year", help="chuẩn bị cấu hình cho năm báo cáo tiếp theo")
    n.add_argument(
        "--out", type=Path, metavar="TỆP", help="tệp cấu hình mới (mặc định: <tên cấu hình>-<năm mới>.toml)"
    )
    n.add_argument("--yes", action="store_true", help="ghi tệp không cần hỏi xác nhận (dùng trong kịch bản)")

    r = sub.add_parser(
        "tong-ket", help="lập bảng tổng hợp và dự thảo báo cáo tổng kết cả giai đoạn từ kết quả các năm"
    )
    r.add_argument(
        "--outbox",
        type=Path,
        action="append",
        metavar="THƯ_MỤC",
        help="thư mục kết quả chứa các năm (lặp lại cho mỗi cấu hình, ví dụ --outbox outbox-an-giang "
        "--outbox outbox; mặc định: [paths] outbox của cấu hình và của cấu hình nó thay thế)",
    )
    r.add_argument(
        "--out",
        type=Path,
        metavar="THƯ_MỤC",
        help="nơi ghi tệp tổng kết (mặc định: <--outbox đầu tiên>/tong-ket)",
    )

    add_mail_parser(sub, _Parser)
    return p


def _streams_speak_vietnamese() -> None:
    """Make stdout and stderr able to print Vietnamese wherever they go: a Windows console
    is UTF-8 already, but output redirected to a file or a pipe takes the ANSI code page
    (cp1252, cp1258), which cannot encode every letter. Such a stream is switched to UTF-8
    (what Notepad and Excel read); a character it still cannot take is replaced, never a
    crash."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    _streams_speak_vietnamese()
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGINT, _stop_once)
    try:
        overrides = {"period": {"year": args.year}} if getattr(args, "year", None) else None
        form = load_form(args.config, overrides)
    except FormError as exc:
        sys.stderr.write(f"Lỗi cấu hình: {exc}\n")
        return EXIT_USAGE
    if hasattr(args, "outbox") and not args.outbox:  # the configuration's own folder
        args.outbox = outboxes_of(form) if args.command == "tong-ket" else form.outbox
    warning = period_over(form, dt.date.today(), command_name(), getattr(args, "year", None))
    if warning and args.command not in ("new-year", "tong-ket"):  # the review is after the period
        sys.stderr.write(warning + "\n")
    handler = {
        "form": _form,
        "templates": _templates,
        "consolidate": _consolidate,
        "check": _check,
        "samples": _samples,
        "mail": run_mail,
        "new-year": _new_year,
        "pdf": _pdf,
        "tong-ket": _final_review,
    }[args.command]
    try:
        return handler(form, args)
    except KeyboardInterrupt:
        sys.stderr.write("\nĐã dừng theo yêu cầu; các tệp kết quả cũ vẫn nguyên vẹn.\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return EXIT_OK


def _form(form, args) -> int:
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


def _templates(form, args) -> int:
    from .render.template import TemplatesOfAnotherForm, write_templates

    out = templates_dir(args.outbox, form.year)
    try:
        paths = write_templates(form, out)
    except TemplatesOfAnotherForm as exc:
        _say_err(f"Lỗi: {exc}")
        return EXIT_USAGE
    print(f"Đã tạo {len(paths)} mẫu báo cáo năm {form.year} trong {out}/")
    warn_pending(form)
    return EXIT_OK


def warn_pending(form: Form) -> None:
    """Say which settings are still "cần điền" (`form.pending_warning`), on stderr."""
    warning = pending_warning(form)
    if warning:
        _say_err(warning)


def _stop_once(_signum, _frame) -> None:
    """The first Ctrl-C (or SIGTERM) stops the run; any further one while it stops is
    ignored, so an impatient second Ctrl-C cannot break the orderly stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _say_err(text: str) -> None:
    from .text.safetext import for_terminal

    sys.stderr.write(for_terminal(text) + "\n")


def _consolidate(form, args) -> int:
    from .app import consolidate_into
    from .render.summary import print_summary
    from .run.result import report_json

    if not args.inbox.is_dir():
        what = "không phải là thư mục" if args.inbox.exists() else "không tồn tại"
        _say_err(f"Lỗi: thư mục tệp nhận được '{args.inbox}' {what}. Kiểm tra lại --inbox.")
        return EXIT_USAGE
    if args.workers is not None and args.workers < 1:
        sys.stderr.write("Lỗi: --workers phải từ 1 trở lên.\n")
        return EXIT_USAGE
    if args.archive is not None and not args.archive.is_dir():
        _say_err(
            f"Cảnh báo: không có thư mục --archive '{args.archive}'; "
            "bảng so sánh với các năm trước sẽ trống. Kiểm tra lại đường dẫn."
        )
    run_id = uuid.uuid4().hex
    signal.signal(signal.SIGTERM, _stop_once)  # a closed session stops like Ctrl-C
    try:
        report = consolidate_into(
            form,
            args.inbox,
            args.outbox,
            workers=args.workers,
            show_progress=not args.json,
            # earlier years: --archive, else this outbox, then the outbox of the configuration
            # this one replaced (An Giang's 2025 compared with Kiên Giang's 2024)
            archive=args.archive if args.archive is not None else [args.outbox, *outboxes_of(form)[1:]],
            run_id=run_id,
        )
    except OutboxBusy as exc:
        _say_err(str(exc))
        return EXIT_BUSY
    except OutboxUnwritable as exc:
        _say_err(f"Lỗi: {exc.message} {current_set_note(args.outbox, form.year, run_id)}")
        return EXIT_OUTBOX
    except OutboxHeld as exc:
        if exc.report is not None and not args.json:
            print_summary(exc.report)
        _say_err(f"Chưa xong: {exc.message} {current_set_note(args.outbox, form.year, run_id)}")
        return EXIT_OUTBOX
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        _say_err(f"Đã dừng theo yêu cầu. {current_set_note(args.outbox, form.year, run_id)}")
        return EXIT_INTERRUPTED
    except FormError as exc:  # e.g. the report's wording names a figure that does not exist
        _say_err(f"Lỗi cấu hình: {exc}")
        return EXIT_USAGE
    if args.json:
        print(report_json(report))
    else:
        print_summary(report)
    refresh_after_run(form, args.outbox, quiet=args.json)  # letters describe the current set
    if args.strict and report.strict_failures:
        return EXIT_FINDINGS
    return EXIT_OK


def _check(form: Form, args: argparse.Namespace) -> int:
    from .app import check_report
    from .render.summary import print_check

    missing = [p for p in args.files if not p.is_file()]
    if missing:
        for p in missing:
            if p.is_dir():
                _say_err(
                    f"Lỗi: '{p}' là một thư mục. Hãy chỉ tên các tệp cần kiểm tra (ví dụ '{p}/*.xlsx'), "
                    f"hoặc tổng hợp cả thư mục bằng: {_consolidate_command(form, p)}"
                )
            else:
                _say_err(f"Lỗi: không tìm thấy tệp '{p}'.")
        return EXIT_USAGE
    result = check_report(form, args.files)
    if args.json:
        print(result.to_json())
    else:
        print_check(result.parsed, result.skipped)
    return EXIT_FINDINGS if result.failed else EXIT_OK


def _consolidate_command(form: Form, inbox: Path) -> str:
    """The command that consolidates the folder `inbox` with `form`, as the officer types it
    (make under make, else the console command with the configuration it was given)."""
    folder = f'"{inbox}"' if any(c.isspace() or c in "()&;'$" for c in str(inbox)) else str(inbox)
    if os.environ.get(MAKE_MARK):
        return f"make consolidate INBOX={folder} CONFIG={as_typed(form.path)}"
    config = "" if form.path.resolve() == DEFAULT_FORM.resolve() else f" --config {as_typed(form.path)}"
    return f"{command_name()}{config} consolidate --inbox {folder}"


def _samples(form, args) -> int:
    from .samples import write_samples

    paths = write_samples(form, args.out)
    print(f"Đã tạo {len(paths)} tệp mẫu trong {args.out}/")
    return EXIT_OK


def _new_year(form, args) -> int:
    source = own_copy(form.path, Path.cwd())
    if source != form.path:
        print(f"Đã chép cấu hình cài sẵn vào {as_typed(source.parent)} để anh/chị giữ và sửa được.")
    try:
        plan = plan_next_year(source, args.out)
    except FormError as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return EXIT_USAGE
    print(f"Cấu hình năm {form.year + 1}, từ {as_typed(form.path)}, sẽ được ghi vào {as_typed(plan.target)}:")
    for c in plan.changes:
        print(f"  {c.label}: {c.old} -> {c.new}")
    print(
        "Các phần khác giữ nguyên (tên cơ quan, danh sách đơn vị, địa bàn, nội dung hỗ trợ); "
        "hãy mở tệp mới để kiểm tra lại nếu có thay đổi."
    )
    if plan.target.exists():
        sys.stderr.write(
            f"Lỗi: tệp {plan.target} đã có; chương trình không ghi đè. Xóa tệp đó hoặc chọn tên khác bằng --out.\n"
        )
        return EXIT_USAGE
    if not args.yes:
        if not sys.stdin.isatty():
            sys.stderr.write("Chưa ghi gì: thêm --yes để ghi mà không cần hỏi.\n")
            return EXIT_FINDINGS
        answer = input("Ghi tệp cấu hình mới? (c/k): ").strip().casefold()
        if answer not in ("c", "có", "co", "y", "yes"):
            print("Chưa ghi gì.")
            return EXIT_FINDINGS
    try:
        new = write_next_year(plan)
    except FileExistsError:
        sys.stderr.write(f"Lỗi: tệp {plan.target} đã có; chương trình không ghi đè.\n")
        return EXIT_USAGE
    except FormError as exc:
        sys.stderr.write(f"Lỗi: cấu hình mới không hợp lệ, chưa ghi: {exc}\n")
        return EXIT_USAGE
    print(
        f"Đã ghi {as_typed(plan.target)}. Tạo mẫu năm {new.year}: "
        f"{command_name()} --config {as_typed(plan.target)} templates (hoặc make templates CONFIG={as_typed(plan.target)})"
    )
    return EXIT_OK


def _pdf(form, args) -> int:
    from .outbox.paths import document_path
    from .render.pdf import PdfError, pdf_document, write_pdf

    try:
        path = write_pdf(form, args.outbox)
    except PdfError as exc:
        sys.stderr.write(f"Lỗi: {exc}\n")
        return EXIT_USAGE
    doc = pdf_document(form, args.outbox)
    if doc != document_path(args.outbox, form.year, form.programme_info.prefix):  # a kept copy, not the draft
        print(f"Báo cáo in trong PDF là bản anh/chị đã hoàn thiện: {doc} (không phải bản dự thảo mới).")
    else:
        print(f"Báo cáo in trong PDF là bản dự thảo: {doc}.")
    print(f"Đã tạo tệp PDF (báo cáo và các biểu B01-B06) để in và ký: {path}")
    return EXIT_OK


def _final_review(form, args) -> int:
    from .review import NoResultsError, write_review
    from .review.workbook import missing_lines

    outboxes = args.outbox or [Path("outbox")]
    out = args.out or outboxes[0] / "tong-ket"
    try:
        done = write_review(form, outboxes, out, f"python -m pipeline --config {form.path}")
    except NoResultsError as exc:
        _say_err(f"Lỗi: {exc}")
        return EXIT_USAGE
    except FormError as exc:
        _say_err(f"Lỗi cấu hình: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        _say_err(f"Lỗi: không ghi được vào {out}: {exc}")
        return EXIT_OUTBOX
    cfg = done.review.config
    print(
        f"Tổng kết {cfg.first_year}-{cfg.last_year}: số liệu các năm {', '.join(map(str, done.review.found)) or 'không có'}."
    )
    for line in missing_lines(done.review):
        _say_err(f"Cảnh báo: {line}")
    for line in done.review.years.chosen.values():
        _say_err(f"Lưu ý: {line}.")
    print(f"Bảng tổng hợp: {done.workbook}")
    print(f"Dự thảo báo cáo tổng kết (Word): {done.document}")
    for path in done.kept:
        print(f"Giữ bản trước (không xóa): {path}")
    pending = [k for k in pending_fields(form.path, leave_out=()) if k.startswith("final_review.")]
    if pending:
        _say_err(
            f"Lưu ý: mục [final_review] của {form.path.name} còn {len(pending)} chỗ «cần điền» "
            f"({', '.join(pending)}); dự thảo ghi «cần điền» ở các chỗ đó."
        )
    return EXIT_OK
