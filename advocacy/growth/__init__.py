"""Growth: share links, the link-preview card, the embeddable widget, ?source= codes per signer
and where to push (the dashboard panel), and the hourly counts as open data.

Two blueprints: `bp` for public pages (card, widget, counts) and `organise_bp` under /organise
(the district threshold form; login required, campaign managers only).
"""
from flask import Blueprint

bp = Blueprint("growth", __name__)
organise_bp = Blueprint("growth_organise", __name__, url_prefix="/organise")
