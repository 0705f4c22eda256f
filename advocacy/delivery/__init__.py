"""Delivery to lawmakers: tallies by state and district, exports, packets, the map.

Two blueprints: `bp` for public pages (verification, the map) and `exports_bp` under /organise
for organisers' exports (login required, campaign managers only).
"""
from flask import Blueprint

bp = Blueprint("delivery", __name__)
exports_bp = Blueprint("exports", __name__, url_prefix="/organise")
