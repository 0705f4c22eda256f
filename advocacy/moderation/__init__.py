"""Moderation of signers' comments: hidden until an organiser approves them."""
from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/organise")
