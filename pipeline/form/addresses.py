"""E-mail addresses the officer types into the configuration: the units' (`[[units]] emails`,
or a units list file's column) and the office's own (`[mail] address`).

Checked by email-validator's syntax rules (RFC 5322 and RFC 5321 as mail servers take them;
no DNS query): a domain with a dot and a suffix ("x@angiang" is refused), no space, one "@",
and an ASCII local part: letters sent with smtplib carry no SMTPUTF8, and a draft's To:
header would encode such an address into another mailbox (brk16). A domain in Vietnamese
letters is kept in its ASCII form (IDNA, "xn--…"), as mail servers write it.
"""

from __future__ import annotations

import re

_DISPLAYED = re.compile(r"^[^<>]*<([^<>]+)>$")
"""An address as a mail program copies it: "Văn phòng UBND <vp.hoadien@angiang.gov.vn>"."""

ADDRESS_FORM = (
    "Một địa chỉ có dạng ten@ten-mien.gov.vn: một dấu @, phần trước @ không dấu tiếng Việt, "
    "phần sau @ là tên miền đủ phần đuôi (có dấu chấm, như .gov.vn, .vn, .com), không có dấu cách"
)
"""What an address looks like, as messages about one say it."""


def mail_address(text: str) -> str | None:
    """The address `text` gives ("vp@so.gov.vn", or "Văn phòng <vp@so.gov.vn>" as a mail
    program copies it), lower-cased, its domain in ASCII; None when mail cannot reach it by
    the rules above."""
    # imported here: 40 ms that a configuration without addresses never pays
    from email_validator import EmailNotValidError, validate_email

    shown = _DISPLAYED.match(text.strip())
    address = (shown.group(1) if shown else text).strip()
    try:
        found = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return (found.ascii_email or found.normalized).lower()


def comparable(address: str) -> str:
    """`address` as two spellings of one mailbox compare equal: lower-cased, its domain in
    ASCII (IDNA 2008 with UTS 46 mapping, the `idna` library email-validator uses: "vp@hàtiên.vn"
    and "vp@xn--htin-0na6d.vn" are one address; RFC 6532 lets a mail program send the
    first in a From: header); unchanged but lower-cased when it is no address or its
    domain no IDNA name. Never raises."""
    import idna  # imported here, as email-validator above

    local, at, domain = address.strip().lower().rpartition("@")
    if not at or domain.isascii():
        return address.strip().lower()
    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except (idna.IDNAError, UnicodeError):
        return address.strip().lower()
