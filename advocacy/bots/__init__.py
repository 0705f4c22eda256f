"""Telling scripts from people on the public sign form: a honeypot field, a minimum fill time and
the list of disposable-mail domains. Nothing here refuses anyone: the signature service stores a
suspect signature with a hold reason, and organisers review it on the fraud page."""
