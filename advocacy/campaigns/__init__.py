"""Campaigns: the model, public pages and the JSON view."""
from flask import Blueprint

bp = Blueprint("campaigns", __name__)
