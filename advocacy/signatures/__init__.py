"""Signatures: signing, confirmation, removal and counting (services; the pages are in advocacy.public)."""
