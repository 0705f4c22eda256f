"""Campaign updates: organisers post news, mailed to signers who asked for it."""
from flask import Blueprint

bp = Blueprint("updates", __name__, url_prefix="/organise")
# Pages reached from mailed links: no login.
public_bp = Blueprint("updates_public", __name__)
