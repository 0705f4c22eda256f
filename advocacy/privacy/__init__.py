"""Personal data: its lifetime (anonymised after the campaign ends) and the signer's own access and erasure.

It composes signatures and donations (both hold a signer's data), so it sits in the composition layer.
"""
from flask import Blueprint

# Public pages reached from the site footer and from mailed links: no login.
bp = Blueprint("privacy", __name__, url_prefix="/privacy")
