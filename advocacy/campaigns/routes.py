from flask import jsonify, render_template

from ..signatures.counting import signature_count
from ..signatures.forms import SignForm
from ..signatures.service import recent_public_comments
from . import bp
from .service import (
    campaign_summary,
    open_campaigns,
    progress_percent,
    public_campaign_or_404,
    render_markdown,
)


@bp.get("/")
def home():
    return render_template("campaigns/home.html", campaigns=open_campaigns(), progress=progress_percent)


def render_campaign(campaign, form=None, status=200):
    count = signature_count(campaign.id)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        background_html=render_markdown(campaign.background),
        count=count,
        percent=progress_percent(count, campaign.goal),
        form=form or SignForm(),
        comments=recent_public_comments(campaign),
    ), status


@bp.get("/campaigns/<slug:slug>")
def show(slug):
    return render_campaign(public_campaign_or_404(slug))


@bp.get("/campaigns/<slug:slug>.json")
def show_json(slug):
    from ..delivery.service import public_tallies

    campaign = public_campaign_or_404(slug)
    response = jsonify(campaign_summary(campaign) | public_tallies(campaign))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=5"
    return response
