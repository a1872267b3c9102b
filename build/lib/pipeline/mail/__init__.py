"""The `mail` commands: reading the office mailbox (IMAP) and the replies to the units
(drafts, SMTP). The [mail] settings (`mail_settings.py`) and what a message says about its
arrival and sender (`message_headers.py`) lie below, with the readers that use them. Parsing and building messages is done by the standard library's `email` package."""
