from flask import render_template
from flask_login import current_user

from ..accounts.service import managed_campaigns
from ..signatures.counting import signature_counts
from . import bp
from .access import managed_campaign_or_404, require_login
from .panels import panels_for
from .service import dashboard_summary

bp.before_request(require_login)


@bp.get("/")
def index():
    campaigns = managed_campaigns(current_user)
    counts = signature_counts(c.id for c in campaigns)
    return render_template("organise/index.html", campaigns=campaigns, counts=counts)


@bp.get("/campaigns/<slug:slug>")
def dashboard(slug):
    campaign = managed_campaign_or_404(slug)
    return render_template("organise/dashboard.html", campaign=campaign, summary=dashboard_summary(campaign),
                           panels=panels_for(campaign))
