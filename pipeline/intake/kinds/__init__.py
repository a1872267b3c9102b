"""What kind of file a submission is, known by its bytes and its name.

`filekind.py` says what a kind is (`FileKind`), `catalogue.py` declares every kind once
(the one list of suffixes and format names), and the families are recognised each in its
own module: zip packages (`zip_package.py`), compound files (`compound.py`) and files known
by their start, text among them (`head.py`); `detect.py` decides which, from a file's
bytes.

This package sits in intake/, below reading, so that what arrives can be sorted before any
reader is imported; it holds data only and imports nothing of the package (olefile, for
compound files only, when one is met).
"""
