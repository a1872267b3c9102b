"""Saved messages (.eml) and archives (.zip) in the inbox, opened in memory into submissions.

A unit's report reaches the inbox as a plain file, as an attachment of a message the officer
saved (Thunderbird, webmail, or `mail fetch`), or as a member of a `.zip`. Each becomes a
`Submission` (`submission.py`) that knows its origin (which message or archive, the arrival
time and sender of the message) and how to find its bytes again (`locator`, `locate.py`),
so nothing is ever extracted to disk and the inbox stays untouched. Containers are
untrusted like every file: the limits of `[limits]` bound their size, number of entries,
uncompressed size and ratio; an archive inside an archive is refused (one level of nesting:
a `.zip` attached to a message); member paths that would escape a folder are refused.

`expand.py` turns an inbox entry into its submissions; `entries.py` lists a message's
attachments and an archive's members; `message.py` parses messages, `zip_members.py` reads
archive members; `entry_kind.py` says what an entry's bytes are when its name says
otherwise.
"""
