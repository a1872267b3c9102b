"""A unit listed by the configuration's list file (An Giang's 102 communes, `units_csv`) gets
its addresses, contact and phone from a `[[units]]` entry with its code alone, as the
configuration's comment and the README tell the officer (brk14 F1: such an entry stopped
every command with an English traceback, `KeyError: 'name'`, and a full entry with
"Mã đơn vị trùng lặp" naming no code). An entry that names no listed unit, or a code given
twice, stops the command with a Vietnamese message naming the code."""

from __future__ import annotations

import shutil
from pathlib import Path

import idna
import pytest

from pipeline.form import SCHEMAS_DIR, FormError, load_form
from pipeline.form.load import _completed
from pipeline.intake.mail_settings import load_mail_settings

from .clirun import run_cli

COMMUNE = "30790"  # Xã Hòa Điền, from reference/an-giang-communes-2025-07.csv


def _config(tmp_path: Path, added: str) -> Path:
    """A copy of the shipped An Giang configuration (and the files it names) with `added`
    appended, as the officer adds an entry at the end of the file."""
    folder = tmp_path / "cau-hinh"
    shutil.copytree(SCHEMAS_DIR, folder)
    path = folder / "an-giang.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + added, encoding="utf-8")
    return path


def test_a_communes_addresses_given_with_its_code_alone(tmp_path):
    shipped = load_form(SCHEMAS_DIR / "an-giang.toml").units_by_code[COMMUNE]
    assert shipped.emails == ()
    path = _config(
        tmp_path,
        f'[[units]]\ncode = "{COMMUNE}"\nemails = ["ubnd.hoadien@example.gov.vn"]\ncontact = "Chị Lan"\n',
    )
    form = load_form(path)
    unit = form.units_by_code[COMMUNE]
    assert unit.emails == ("ubnd.hoadien@example.gov.vn",)
    assert unit.contact == "Chị Lan"
    # the rest as the list file gives it, and the list as long as before
    assert (unit.name, unit.kind, unit.region, unit.scheme) == (
        shipped.name,
        shipped.kind,
        shipped.region,
        shipped.scheme,
    )
    assert len(form.units) == len(load_form(SCHEMAS_DIR / "an-giang.toml").units)


def test_a_full_entry_of_a_listed_commune_completes_it(tmp_path):
    path = _config(
        tmp_path,
        f'[[units]]\ncode = "{COMMUNE}"\nname = "UBND Xã Hòa Điền"\nkind = "commune"\n'
        f'region = "{COMMUNE}"\nemails = ["a@example.gov.vn"]\n',
    )
    assert load_form(path).units_by_code[COMMUNE].emails == ("a@example.gov.vn",)


@pytest.mark.parametrize(
    ("added", "said"),
    [
        ('[[units]]\ncode = "99999"\nemails = ["x@example.gov.vn"]\n', "'99999'"),
        (f'[[units]]\ncode = "{COMMUNE}"\n[[units]]\ncode = "{COMMUNE}"\n', f"'{COMMUNE}' khai hai lần"),
        # a key typed otherwise is never ignored without a word (brk15: "email")
        (f'[[units]]\ncode = "{COMMUNE}"\nemail = ["a@example.gov.vn"]\n', "có mục không dùng: email"),
        # an address no letter reaches (brk15: no domain suffix), a space, two in one string
        (f'[[units]]\ncode = "{COMMUNE}"\nemails = ["x@angiang"]\n', f"'{COMMUNE}': địa chỉ thư 'x@angiang'"),
        (f'[[units]]\ncode = "{COMMUNE}"\nemails = ["ubnd hoadien@ag.gov.vn"]\n', "'ubnd hoadien@ag.gov.vn'"),
        (f'[[units]]\ncode = "{COMMUNE}"\nemails = ["a@ag.gov.vn b@ag.gov.vn"]\n', "không gửi tới được"),
        (f'[[units]]\ncode = "{COMMUNE}"\nemails = ["ubnd.hoadien.ag.gov.vn"]\n', "một dấu @"),
        # Vietnamese letters before "@": a draft's To: header encoded it into another mailbox (brk16)
        (
            f'[[units]]\ncode = "{COMMUNE}"\nemails = ["ubnd.hòađiền@angiang.gov.vn"]\n',
            "không dấu tiếng Việt",
        ),
    ],
    ids=["unknown-code", "twice", "key-typo", "no-suffix", "space", "two-in-one", "no-at", "accented"],
)
def test_a_wrong_entry_stops_every_command_in_vietnamese_naming_the_code(tmp_path, added, said):
    path = _config(tmp_path, added)
    with pytest.raises(FormError, match=said):
        load_form(path)
    done = run_cli("--config", str(path), "templates", "--outbox", str(tmp_path / "out"))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert said in done.stderr + done.stdout, (done.stdout, done.stderr)


def test_inline_entries_complete_listed_ones_in_order():
    listed = [{"code": "1", "name": "A"}, {"code": "2", "name": "B"}]
    got = _completed(listed, [{"code": "2", "emails": ["b@x"]}, {"code": "3", "name": "C"}], "units")
    assert got == [
        {"code": "1", "name": "A"},
        {"code": "2", "name": "B", "emails": ["b@x"]},
        {"code": "3", "name": "C"},
    ]
    assert listed[1] == {"code": "2", "name": "B"}  # the list read is not changed


def test_addresses_in_a_list_file_are_checked_too_and_good_ones_kept(tmp_path):
    """The `emails` column of a units CSV (';' or ',' between addresses) is checked as the
    TOML list is; addresses with a Vietnamese domain or capitals are kept, lower-cased."""
    path = _config(
        tmp_path,
        f'[[units]]\ncode = "{COMMUNE}"\nemails = "VanPhong@HoaDien.AnGiang.gov.vn; ubnd@sở.vn"\n',
    )
    # a domain in Vietnamese letters kept as mail servers write it (IDNA)
    assert load_form(path).units_by_code[COMMUNE].emails == (
        "vanphong@hoadien.angiang.gov.vn",
        "ubnd@" + idna.encode("sở.vn").decode("ascii"),
    )
    bad = _config(tmp_path / "bad", f'[[units]]\ncode = "{COMMUNE}"\nemails = "a@ag.gov.vn, b@localhost"\n')
    with pytest.raises(FormError, match="'b@localhost'"):
        load_form(bad)


def test_an_address_as_a_mail_program_copies_it_is_read_as_the_address(tmp_path):
    """brk16 F8: "Văn phòng UBND <vp.hoadien@angiang.gov.vn>", copied from a mail program,
    was refused; it is the address in the angle brackets."""
    path = _config(
        tmp_path, f'[[units]]\ncode = "{COMMUNE}"\nemails = ["Văn phòng UBND <VP.HoaDien@angiang.gov.vn>"]\n'
    )
    assert load_form(path).units_by_code[COMMUNE].emails == ("vp.hoadien@angiang.gov.vn",)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Sở Y tế <syt@angiang.gov.vn>", "syt@angiang.gov.vn"),
        ("TongHop@SYT.AnGiang.gov.vn", "tonghop@syt.angiang.gov.vn"),
    ],
)
def test_the_offices_own_address_is_read_as_the_address(tmp_path, typed, kept):
    """brk16 F6: a display name before the office's address stopped `mail drafts` with a
    Python traceback (ValueError: Invalid addr_spec)."""
    path = _config(tmp_path, "")
    text = path.read_text(encoding="utf-8")
    assert text.count('address = ""\n') == 1
    path.write_text(text.replace('address = ""\n', f'address = "{typed}"\n'), encoding="utf-8")
    assert load_mail_settings(load_form(path)).address == kept


def test_an_office_address_no_letter_leaves_from_stops_the_mail_commands_in_vietnamese(tmp_path):
    """brk16 F6: "syt@angiang", refused for a unit, became every letter's From."""
    path = _config(tmp_path, "")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('address = ""\n', 'address = "syt@angiang"\n'), encoding="utf-8")
    with pytest.raises(FormError, match="'syt@angiang'"):
        load_mail_settings(load_form(path))
    done = run_cli("--config", str(path), "mail", "drafts", "--outbox", str(tmp_path / "out"))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert "[mail] address 'syt@angiang'" in done.stderr + done.stdout, (done.stdout, done.stderr)
