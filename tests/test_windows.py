"""The package on a system without Linux's calls (Windows, macOS), simulated honestly here.

- `tests/windowslike/` holds a `sitecustomize` that takes away from the package what only
  Linux offers (fcntl, resource, termios, os.killpg, os.setsid, os.fork, O_NOFOLLOW,
  O_NONBLOCK, ctypes.CDLL(None)), in every process of a run, spawned workers included. The
  main scenarios run there and give what a normal run gives.
- Windows refuses to move a folder while Excel or Word holds a file in it, and refuses to
  open a held file for writing (PermissionError, winerror 32). `_WindowsHolds` gives
  `os.rename`, `os.replace` and `os.open` that behavior for the files a test holds open,
  with the owner file Office leaves beside them; the run reports the file to close, keeps
  the new set whole, and the next run finishes the swap.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from pipeline import cli
from pipeline.app import consolidate_into
from pipeline.filler import fill
from pipeline.form import SCHEMAS_DIR, layout_json, load_form
from pipeline.outbox import atomic
from pipeline.outbox.atomic import OutboxHeld
from pipeline.outbox.kept import RECORD
from pipeline.outbox.paths import previous_dir, ready_dir, report_path, workbook_path, year_dir
from pipeline.render.feedback import PARALLEL_FROM as FEEDBACK_IN_WORKERS
from pipeline.samples import valid_data
from pipeline.system import held, portable
from pipeline.text.oserrors import HELD_ELSEWHERE
from tests.formulas import cell_content

from .clirun import run_cli
from .conftest import ROOT, template_for
from .test_run_survives import _small_inbox

WINDOWSLIKE = ROOT / "tests" / "windowslike"
# "changes": a rerun says what changed since the run before it (`run/changes.py`), which a
# first run cannot; the sets compared here are a first and a second run
VOLATILE = {"run_id", "generated_at", "mtime", "outputs", "received", "found", "changes"}
CHANGES_LINES = ("Thay đổi so với lần tổng hợp trước", "Không có gì thay đổi so với lần tổng hợp trước")
N_FILES, N_BAD = 48, 12  # above the parallel thresholds of reading (40) and feedback (8)


def _env(windowslike: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PIPELINE_SYSTEM"}
    if windowslike:
        env["PYTHONPATH"] = os.pathsep.join([str(WINDOWSLIKE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _pipeline(*args: str, windowslike: bool) -> subprocess.CompletedProcess[str]:
    return run_cli(
        *args,
        env={"PYTHONPATH": _env(windowslike).get("PYTHONPATH", "")},
        drop=("PIPELINE_SYSTEM",),
        timeout=600,
    )


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, form, layout, template_dir) -> Path:
    folder = tmp_path_factory.mktemp("windows") / "inbox"
    codes = [u.code for u in form.units]
    for i in range(N_FILES):
        code = codes[i % len(codes)]
        data = valid_data(form, code, random.Random(f"windows-{i}"), layout)
        if i % len(codes) < N_BAD:  # every file of these units is wrong: each gets feedback
            data["results"][0]["girls"] = data["results"][0]["children"] + 1 + i
        fill(template_for(template_dir, form, code), folder / f"f{i:02d}-{code}.xlsx", layout, code, data)
    return folder


def test_the_windowslike_python_lacks_what_only_linux_has():
    """The simulation holds: the package cannot import fcntl nor see the Linux flags, the
    seam falls back to its portable implementation, and every module imports."""
    probe = """
import importlib, pkgutil, sys
import pipeline, pipeline.system as system
print(system.NAME)
names = [m.name for m in pkgutil.walk_packages(pipeline.__path__, "pipeline.")]
failed = []
for name in names:
    if name == "pipeline.__main__" or name == "pipeline.system.linux":
        continue
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {exc!r}")
print(failed)
try:
    importlib.import_module("pipeline.system.linux")
    print("linux importable")
except (ImportError, AttributeError, TypeError) as exc:
    print("linux refused:", type(exc).__name__)
from pipeline.intake import inbox
print(hasattr(inbox.os, "O_NOFOLLOW"), hasattr(inbox.os, "killpg"))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=_env(True), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "portable"
    assert lines[1] == "[]", lines[1]
    assert lines[2].startswith("linux refused")
    assert lines[3] == "False False"


@pytest.mark.parametrize(
    "command",
    [
        ["form"],
        ["templates"],
        ["consolidate"],
        ["check"],
        ["samples"],
        ["new-year"],
        ["pdf"],
        ["mail", "fetch"],
    ],
)
def test_every_command_starts_in_the_windowslike_python(command):
    done = _pipeline(*command, "--help", windowslike=True)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "tùy chọn" in done.stdout


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _cells(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's values, without the lines a rerun adds under the status table."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, list[list[object]]] = {}
    try:
        for ws in wb.worksheets:
            rows = [[cell_content(c.value) for c in row] for row in ws.iter_rows()]
            while rows and all(
                v is None or (isinstance(v, str) and v.startswith(CHANGES_LINES)) for v in rows[-1]
            ):
                rows.pop()
            out[ws.title] = rows
    finally:
        wb.close()
    return out


def _same_set(a: Path, b: Path) -> None:
    names_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert names_a == names_b
    for name in names_a:
        fa, fb = a / name, b / name
        if name.endswith(".csv"):
            assert fa.read_bytes() == fb.read_bytes(), name
        elif name.endswith(RECORD):  # the record and its hidden copy: a workbook holds its time of writing
            assert json.loads(fa.read_text("utf-8")).keys() == json.loads(fb.read_text("utf-8")).keys()
        elif name.endswith(".json"):
            assert _strip(json.loads(fa.read_text("utf-8"))) == _strip(json.loads(fb.read_text("utf-8"))), (
                name
            )
        elif name.endswith(".xlsx"):
            assert _cells(fa) == _cells(fb), name


def test_main_scenarios_in_the_windowslike_python_match_a_normal_run(form, inbox, tmp_path):
    """templates, consolidate twice (worker pools started by spawn, feedback in workers),
    check: the same files and figures as a normal run on Linux."""
    normal, windows = tmp_path / "normal", tmp_path / "windows"
    for out, like in ((normal, False), (windows, True)):
        done = _pipeline("templates", "--outbox", str(out), windowslike=like)
        assert done.returncode == 0, done.stderr
    tpl_n, tpl_w = normal / "templates", windows / "templates"
    assert {p.name: p.read_bytes() for p in tpl_n.rglob("*.xlsx")} == {
        p.name: p.read_bytes() for p in tpl_w.rglob("*.xlsx")
    }

    first = _pipeline(
        "consolidate", "--inbox", str(inbox), "--outbox", str(normal), "--workers", "2", windowslike=False
    )
    assert first.returncode == 0, first.stderr
    for _ in range(2):
        run = _pipeline(
            "consolidate", "--inbox", str(inbox), "--outbox", str(windows), "--workers", "2", windowslike=True
        )
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
    _same_set(year_dir(normal, form.year), year_dir(windows, form.year))
    assert len(list((year_dir(windows, form.year) / "phan-hoi").glob("*.xlsx"))) >= FEEDBACK_IN_WORKERS
    _same_set(year_dir(windows, form.year), previous_dir(windows, form.year))  # the second run's swap

    files = sorted(str(p) for p in inbox.glob("*.xlsx"))[-10:]
    checks = [_pipeline("check", "--json", *files, windowslike=like) for like in (False, True)]
    assert [c.returncode for c in checks] == [1, 1]  # the last files have errors
    assert json.loads(checks[0].stdout) == json.loads(checks[1].stdout)


def test_an_giang_runs_in_the_windowslike_python(tmp_path):
    """brk30: An Giang's form holds a deadline not known yet (`PendingDate`), which a worker
    started by spawn received pickled and could not rebuild: the templates stopped with an
    English traceback, and consolidate hung for good once its feedback went to workers. Both
    run here in the Windows-like Python, the feedback of FEEDBACK_IN_WORKERS files or more in
    workers, and the deadline reaches the workers as itself."""
    ag = load_form(SCHEMAS_DIR / "an-giang.toml")
    assert pickle.loads(pickle.dumps(ag)).period.due_before == ag.period.due_before
    assert f"{pickle.loads(pickle.dumps(ag.period.due_before)):%d/%m/%Y}" == "cần điền"
    config = ("--config", str(ag.path))
    out = tmp_path / "out"
    made = _pipeline(*config, "templates", "--outbox", str(out), windowslike=True)
    assert made.returncode == 0, made.stderr
    assert "Traceback" not in made.stderr
    templates = sorted((out / "templates").rglob("*.xlsx"))
    assert len(templates) == len(ag.units)
    inbox = tmp_path / "inbox"
    units = [u for u in ag.units if u.kind == "commune"][: FEEDBACK_IN_WORKERS + 2]
    ag_layout = layout_json(ag)
    for unit in units:  # each with an error: each gets a feedback workbook, written in workers
        data = valid_data(ag, unit.code, random.Random(unit.code), ag_layout)
        data["results"][0]["girls"] = data["results"][0]["children"] + 1
        template = template_for(templates[0].parent, ag, unit.code)
        fill(template, inbox / f"{unit.code}.xlsx", ag_layout, unit.code, data)
    run = _pipeline(
        *config,
        "consolidate",
        "--inbox",
        str(inbox),
        "--outbox",
        str(out),
        "--workers",
        "2",
        windowslike=True,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert len(list((year_dir(out, ag.year) / "phan-hoi").glob("*.xlsx"))) == len(units)


class _WindowsHolds:
    """Files held open by another program, refused as Windows refuses them: renaming,
    replacing or deleting a held file or a folder above it, and opening it for writing
    (or, with `exclusive`, at all), raise PermissionError with winerror 32."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.held: dict[Path, bool] = {}  # path -> exclusive (reading refused too)
        self.refused: list[str] = []
        rename, replace, os_open = os.rename, os.replace, os.open

        def guard(path: os.PathLike[str] | str) -> None:
            p = Path(os.fsdecode(path)).absolute()
            for h in self.held:
                if h == p or p in h.parents:
                    self.refused.append(str(p))
                    exc = PermissionError(
                        errno.EACCES,
                        "The process cannot access the file because it is being used by another process",
                        str(p),
                    )
                    exc.winerror = 32
                    raise exc

        def fake_rename(src, dst, *args, **kwargs):  # noqa: ANN001
            guard(src)
            guard(dst)
            return rename(src, dst, *args, **kwargs)

        def fake_replace(src, dst, *args, **kwargs):  # noqa: ANN001
            guard(src)
            guard(dst)
            return replace(src, dst, *args, **kwargs)

        def fake_open(path, flags, *args, **kwargs):  # noqa: ANN001
            p = Path(os.fsdecode(path)).absolute()
            writing = flags & (os.O_WRONLY | os.O_RDWR)
            if p in self.held and (writing or self.held[p]):
                guard(p)
            return os_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "rename", fake_rename)
        monkeypatch.setattr(os, "replace", fake_replace)
        monkeypatch.setattr(os, "open", fake_open)
        monkeypatch.setattr(held, "RETRY_SECONDS", 0.01)

    def open_in_excel(self, path: Path, exclusive: bool = False) -> None:
        """Hold `path` as Excel does, with its owner file `~$name` beside it."""
        self.held[path.absolute()] = exclusive
        if not exclusive:
            (path.parent / f"~${path.name[2:]}").write_bytes(b"\x0bOfficer")

    def close(self, path: Path) -> None:
        self.held.pop(path.absolute(), None)
        (path.parent / f"~${path.name[2:]}").unlink(missing_ok=True)


@pytest.fixture
def holds(monkeypatch) -> Iterator[_WindowsHolds]:
    monkeypatch.setattr(atomic, "impl", portable)
    yield _WindowsHolds(monkeypatch)


def _run_id(outbox: Path, year: int) -> str:
    return json.loads(report_path(outbox, year).read_text("utf-8"))["run_id"]


def test_a_workbook_open_in_excel_keeps_the_new_set_whole_and_the_next_run_finishes(
    form, make_file, tmp_path, holds
):
    inbox, outbox = _small_inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False, run_id="first")
    workbook = workbook_path(outbox, form.year)
    holds.open_in_excel(workbook)
    before = {p.name: p.read_bytes() for p in year_dir(outbox, form.year).iterdir() if p.is_file()}

    with pytest.raises(OutboxHeld) as caught:
        consolidate_into(form, inbox, outbox, show_progress=False, run_id="second")
    assert holds.refused, "the simulated Windows was never asked"
    assert caught.value.files == [workbook]
    assert str(workbook) in caught.value.message and "Hãy đóng tệp đó rồi chạy lại" in caught.value.message
    assert caught.value.report is not None and caught.value.report.run_id == "second"
    assert {p.name: p.read_bytes() for p in year_dir(outbox, form.year).iterdir() if p.is_file()} == before
    ready = ready_dir(outbox, form.year)
    assert json.loads((ready / "bao-cao.json").read_text("utf-8"))["run_id"] == "second"  # kept whole
    assert (ready / workbook.name).is_file()

    holds.close(workbook)
    consolidate_into(form, inbox, outbox, show_progress=False, run_id="third")
    assert _run_id(outbox, form.year) == "third"
    assert not ready.exists()
    assert json.loads((previous_dir(outbox, form.year) / "bao-cao.json").read_text("utf-8"))["run_id"] in (
        "first",
        "second",
    )


def test_the_next_run_alone_finishes_a_held_swap(form, make_file, tmp_path, holds):
    """Between two runs the officer closes the document; the next run's start makes the
    waiting set current before it writes its own."""
    inbox, outbox = _small_inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False, run_id="first")
    document = next(year_dir(outbox, form.year).glob("*.docx"))
    holds.open_in_excel(document)
    with pytest.raises(OutboxHeld):
        consolidate_into(form, inbox, outbox, show_progress=False, run_id="second")
    holds.close(document)
    with pytest.raises(RuntimeError), atomic.output_set(outbox, form.year):  # a run that starts, then fails
        assert _run_id(outbox, form.year) == "second"  # its start finished the swap
        raise RuntimeError("the run fails after its start")
    assert _run_id(outbox, form.year) == "second"
    assert not ready_dir(outbox, form.year).exists()


def test_a_held_file_in_the_previous_set_is_named(form, make_file, tmp_path, holds):
    inbox, outbox = _small_inbox(make_file), tmp_path / "out"
    for run_id in ("first", "second"):
        consolidate_into(form, inbox, outbox, show_progress=False, run_id=run_id)
    old = workbook_path(outbox, form.year).name
    held_old = previous_dir(outbox, form.year) / old
    holds.open_in_excel(held_old)
    with pytest.raises(OutboxHeld) as caught:
        consolidate_into(form, inbox, outbox, show_progress=False, run_id="third")
    assert caught.value.files == [held_old]
    assert _run_id(outbox, form.year) == "second"


def test_the_command_prints_the_summary_and_what_to_close(form, make_file, tmp_path, holds, capsys):
    inbox, outbox = _small_inbox(make_file), tmp_path / "out"
    args = ["consolidate", "--inbox", str(inbox), "--outbox", str(outbox)]
    assert cli.main(args) == cli.EXIT_OK
    workbook = workbook_path(outbox, form.year)
    holds.open_in_excel(workbook)
    capsys.readouterr()
    assert cli.main(args) == cli.EXIT_OUTBOX
    out, err = capsys.readouterr()
    assert "Đơn vị:" in out  # the run's summary
    assert "Traceback" not in err
    assert f"'{workbook}'" in err and "đang mở" in err and "lần chạy sau sẽ hoàn tất" in err
    holds.close(workbook)
    assert cli.main(args) == cli.EXIT_OK


def test_a_unit_file_held_exclusively_is_named_and_the_run_goes_on(form, make_file, tmp_path, holds):
    inbox, outbox = _small_inbox(make_file), tmp_path / "out"
    locked = inbox / "900.xlsx"
    holds.open_in_excel(locked, exclusive=True)
    report = consolidate_into(form, inbox, outbox, show_progress=False)
    entry = next(f for f in report.manifest()["files"] if f["name"] == "900.xlsx")
    assert HELD_ELSEWHERE in json.dumps(entry, ensure_ascii=False)
    assert sorted(u.code for u in report.units if u.status == "accepted") == ["899", "SYT"]


def test_held_files_are_found_by_owner_files_and_by_refusal(tmp_path, holds):
    folder = tmp_path / "set"
    folder.mkdir()
    for name in ("tong-hop-588-2025.xlsx", "bao-cao-588-2025.docx", "chi-tiet.csv"):
        (folder / name).write_bytes(b"x")
    (folder / "~$ng-hop-588-2025.xlsx").write_bytes(b"owner")  # Office's shortened owner name
    (folder / ".~lock.chi-tiet.csv#").write_bytes(b"lo")  # LibreOffice's lock file
    holds.held[(folder / "bao-cao-588-2025.docx").absolute()] = False
    assert held.held_files(folder) == sorted(
        folder / n for n in ("tong-hop-588-2025.xlsx", "bao-cao-588-2025.docx", "chi-tiet.csv")
    )


def test_output_redirected_under_an_ansi_code_page_prints_vietnamese(make_file, tmp_path):
    """On Windows, output redirected to a file takes the ANSI code page (cp1252 here), which
    has no 'Đ' or 'ố': the command writes UTF-8 instead of failing."""
    inbox = _small_inbox(make_file)
    env = dict(_env(False), PYTHONIOENCODING="cp1252")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "consolidate",
            "--inbox",
            str(inbox),
            "--outbox",
            str(tmp_path / "o"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "Đơn vị: 28" in done.stdout.decode("utf-8")
    assert "Traceback" not in done.stderr.decode("utf-8")


@pytest.mark.parametrize("links", [True, False], ids=["hard-links", "fat-no-links"])
def test_publish_new_never_overwrites_with_or_without_hard_links(links, tmp_path, monkeypatch):
    """A FAT or exFAT memory stick has no hard links (Linux's vfat refuses link() with
    EPERM; no vfat module here to mount one): the file is copied into a file created
    exclusively instead, and an existing one is never overwritten either way."""
    if not links:

        def no_link(src, dst, *args, **kwargs):  # noqa: ANN001
            raise PermissionError(errno.EPERM, "Operation not permitted", str(src))

        monkeypatch.setattr(os, "link", no_link)
    tmp, target = tmp_path / ".cau-hinh.tmp", tmp_path / "cau-hinh-2026.toml"
    tmp.write_bytes("năm = 2026\n".encode())
    atomic.publish_new(tmp, target)
    assert target.read_bytes() == tmp.read_bytes()
    target.write_bytes(b"officer's edits")
    with pytest.raises(FileExistsError):
        atomic.publish_new(tmp, target)
    assert target.read_bytes() == b"officer's edits"


def test_what_the_officer_saves_while_a_swap_waits_is_kept(form, make_file, tmp_path, holds):
    """Excel holds the workbook, the run's set waits; the officer saves a note into the
    workbook and adds a file, then closes it: the run that finishes the swap keeps both."""
    inbox, outbox = _small_inbox(make_file), tmp_path / "out"
    consolidate_into(form, inbox, outbox, show_progress=False, run_id="first")
    workbook = workbook_path(outbox, form.year)
    holds.open_in_excel(workbook)
    with pytest.raises(OutboxHeld):
        consolidate_into(form, inbox, outbox, show_progress=False, run_id="second")
    wb = openpyxl.load_workbook(workbook)
    wb.worksheets[0]["A70"].value = "Ghi chú của cán bộ"
    wb.save(workbook)
    (year_dir(outbox, form.year) / "ghi-chu-them.txt").write_text("gọi lại cho 900", encoding="utf-8")
    holds.close(workbook)

    report = consolidate_into(form, inbox, outbox, show_progress=False, run_id="third")
    current = year_dir(outbox, form.year)
    mine = current / f"{workbook.stem}-ban-da-sua{workbook.suffix}"
    assert openpyxl.load_workbook(mine).worksheets[0]["A70"].value == "Ghi chú của cán bộ"
    assert (current / "ghi-chu-them.txt").read_text(encoding="utf-8") == "gọi lại cho 900"
    kept = {k["officer"] for k in report.outputs["kept"]}
    assert {str(mine), str(current / "ghi-chu-them.txt")} <= kept
    for _ in range(2):  # and every later run
        consolidate_into(form, inbox, outbox, show_progress=False)
    assert openpyxl.load_workbook(mine).worksheets[0]["A70"].value == "Ghi chú của cán bộ"
