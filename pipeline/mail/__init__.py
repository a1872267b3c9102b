"""Reports by email: reading the office mailbox (IMAP), the settings of the [mail] section,
what a message says about its arrival and sender, and the replies to the units (drafts,
SMTP). Parsing and building messages is done by the standard library's `email` package."""
