"""Signatures: signing, confirmation, removal and counting."""
from flask import Blueprint

bp = Blueprint("signatures", __name__)
