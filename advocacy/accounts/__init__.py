"""Organiser accounts: users, roles, campaign membership, login."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/organise")
