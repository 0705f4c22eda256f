"""The public pages a supporter sees: the campaign list, a campaign with its sign form, the
confirm and remove pages. Each view gathers what the page shows from the feature services."""
from flask import Blueprint

bp = Blueprint("public", __name__)
