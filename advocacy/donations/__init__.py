"""Donations: Stripe Checkout, verified webhooks and the donation ledger."""
from flask import Blueprint

bp = Blueprint("donations", __name__)
# Organiser pages (totals are a dashboard panel; the CSV export lives here).
organise_bp = Blueprint("donations_organise", __name__, url_prefix="/organise")
