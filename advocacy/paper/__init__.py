"""Paper sheets: a printable bilingual sign-up sheet per campaign, and the organiser's form to type
a filled-in sheet in (confirmed signatures with source "paper", audited, counted, and a notice mail
with a removal link to every signer who gave an email)."""
from flask import Blueprint

bp = Blueprint("paper", __name__, url_prefix="/organise")
