from flask import current_app, redirect, render_template, request, url_for
from flask_babel import get_locale

from ..campaigns.routes import render_campaign
from ..campaigns.service import public_campaign_or_404
from ..extensions import limiter
from . import bp, service
from .forms import SignForm
from .identity import canonical_email
from .service import SignatureError, SignerDetails

PROBLEM_STATUS = {"invalid_link": 404, "expired_link": 410, "closed": 410}


@bp.app_errorhandler(SignatureError)
def signature_problem(error: SignatureError):
    return render_template("signatures/problem.html", reason=error.reason, campaign=error.campaign), \
        PROBLEM_STATUS.get(error.reason, 400)


def _email_key():
    return "sign-email:" + canonical_email(request.form.get("email", ""))


@bp.post("/campaigns/<slug:slug>/sign")
@limiter.limit(lambda: current_app.config["SIGN_RATE_LIMIT_PER_IP"])
@limiter.limit(lambda: current_app.config["SIGN_RATE_LIMIT_PER_EMAIL"], key_func=_email_key)
def sign_campaign(slug):
    campaign = public_campaign_or_404(slug)
    if not campaign.accepts_signatures():
        raise SignatureError("closed", campaign)
    form = SignForm()
    if not form.validate_on_submit():
        return render_campaign(campaign, form=form, status=422)
    service.sign(campaign, SignerDetails(
        full_name=form.full_name.data, email=form.email.data, postal_code=form.postal_code.data,
        comment=form.comment.data, show_name=form.show_name.data, keep_updated=form.keep_updated.data,
        share_email=form.share_email.data, locale=str(get_locale() or "en"), ip=request.remote_addr,
    ))
    return redirect(url_for("signatures.check_email", slug=campaign.slug), code=303)


@bp.get("/campaigns/<slug:slug>/check-your-email")
def check_email(slug):
    return render_template("signatures/check_email.html", campaign=public_campaign_or_404(slug))


@bp.get("/signatures/confirm/<token>")
def confirm_page(token):
    signature = service.signature_for_token(token, "confirm")
    return render_template("signatures/confirm.html", signature=signature, campaign=signature.campaign)


@bp.post("/signatures/confirm/<token>")
def confirm(token):
    signature, _newly = service.confirm(token)
    return render_template("signatures/confirmed.html", signature=signature, campaign=signature.campaign,
                           remove_url=service.removal_link(signature))


@bp.get("/signatures/remove/<token>")
def remove_page(token):
    signature = service.signature_for_token(token, "remove")
    return render_template("signatures/remove.html", signature=signature, campaign=signature.campaign)


@bp.post("/signatures/remove/<token>")
def remove(token):
    signature = service.remove(token)
    return render_template("signatures/removed.html", signature=signature, campaign=signature.campaign)
