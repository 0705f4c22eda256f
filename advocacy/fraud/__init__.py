"""Fraud tools: suspicious patterns per campaign and undoable invalidation of signatures."""
from flask import Blueprint

bp = Blueprint("fraud", __name__, url_prefix="/organise")
