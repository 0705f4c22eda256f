import io

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.access import managed_campaign_or_404, require_login
from ..campaigns.service import public_campaign_or_404
from ..signatures.counting import signature_count
from ..signatures.forms import clean_source
from ..spreadsheets import UTF8_BOM, csv_writer, neutralise
from . import bp, open_data, organise_bp
from .cards import card_png
from .forms import ThresholdForm
from .sharing import campaign_link
from .sources import set_district_threshold

organise_bp.before_request(require_login)

# The widget is the one page other sites may frame; every other page keeps frame-ancestors 'none'.
WIDGET_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
              "form-action 'none'; frame-ancestors *; base-uri 'none'; object-src 'none'")
CARD_MAX_AGE = 600
OPEN_DATA_MAX_AGE = 300
WIDGET_MAX_AGE = 60


def _public(response, max_age: int):
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/campaigns/<slug:slug>/card.png")
def card(slug):
    """The link-preview picture (og:image). ?locale=es draws it in Spanish; ?n= (the count bucket on
    the page) only makes its address change with the count, so preview caches refetch it."""
    campaign = public_campaign_or_404(slug)
    locale = request.args.get("locale", "en")
    if locale not in current_app.config["LANGUAGES"]:
        locale = "en"
    png = card_png(campaign, signature_count(campaign.id), locale)
    return _public(current_app.response_class(png, mimetype="image/png"), CARD_MAX_AGE)


@bp.get("/campaigns/<slug:slug>/widget")
def widget(slug):
    """A small page for partners' sites (in an iframe): the count, the goal bar and a sign button
    opening the campaign page in a new tab with the partner's ?source= (default "widget")."""
    campaign = public_campaign_or_404(slug)
    count = signature_count(campaign.id)
    source = clean_source(request.args.get("source")) or "widget"
    response = current_app.make_response(render_template(
        "growth/widget.html", campaign=campaign, count=count,
        percent=min(100, round(100 * count / campaign.goal)) if campaign.goal else 0,
        sign_url=campaign_link(campaign, source)))
    response.headers["Content-Security-Policy"] = WIDGET_CSP
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return _public(response, WIDGET_MAX_AGE)


def _by() -> str:
    by = request.args.get("by", "total")
    if by not in open_data.BY_CHOICES:
        abort(400)
    return by


@bp.get("/campaigns/<slug:slug>/counts.json")
def counts_json(slug):
    campaign = public_campaign_or_404(slug)
    by = _by()
    body = {"campaign": campaign.slug, "by": by, "interval": "hour", "timezone": "UTC",
            "generated_at": open_data.generated_at(),
            "description": "Confirmed signatures per hour (UTC) by the time they were confirmed; signatures "
                           "removed or invalidated since are not counted. Hours with none are omitted.",
            "counts": open_data.as_records(campaign.id, by)}
    response = current_app.response_class(current_app.json.dumps(body), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _public(response, OPEN_DATA_MAX_AGE)


@bp.get("/campaigns/<slug:slug>/counts.csv")
def counts_csv(slug):
    campaign = public_campaign_or_404(slug)
    by = _by()
    columns = ("hour", "state", "confirmed") if by == "state" else ("hour", "confirmed", "cumulative")
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv_writer(out)
    writer.writerow(columns)
    writer.writerows([neutralise(record[c]) for c in columns] for record in open_data.as_records(campaign.id, by))
    name = f"{campaign.slug}-counts{'-by-state' if by == 'state' else ''}.csv"
    response = current_app.response_class(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _public(response, OPEN_DATA_MAX_AGE)


@organise_bp.route("/campaigns/<slug:slug>/district-threshold", methods=["GET", "POST"])
def district_threshold(slug):
    campaign = managed_campaign_or_404(slug)
    form = ThresholdForm(obj=campaign)
    if form.validate_on_submit():
        set_district_threshold(campaign, form.district_threshold.data, current_user)
        flash(_("District threshold saved."))
        return redirect(url_for("organise.dashboard", slug=slug) + "#growth-heading", code=303)
    status = 422 if form.errors else 200
    return render_template("growth/threshold.html", campaign=campaign, form=form), status
