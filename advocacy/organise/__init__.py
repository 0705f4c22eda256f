"""The organisers' side: dashboard, campaign editing, moderation, fraud tools."""
from flask import Blueprint

bp = Blueprint("organise", __name__, url_prefix="/organise")
