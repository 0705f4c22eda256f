from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.access import managed_campaign_or_404, require_login
from ..extensions import csrf
from . import bp, public_bp, service
from .forms import ResponseForm, UpdateForm
from .service import (
    STANCE_LABELS,
    UnknownMember,
    UnsubscribeError,
    audience_choices,
    post_update,
    record_response,
    responding_members,
    responses_for,
    signature_for_unsubscribe,
    updates_for,
)

bp.before_request(require_login)


@bp.route("/campaigns/<slug:slug>/updates", methods=["GET", "POST"])
def post_update_page(slug):
    campaign = managed_campaign_or_404(slug)
    form = UpdateForm().set_audiences(audience_choices(campaign))
    if form.validate_on_submit():
        update = post_update(campaign, form.title.data, form.body.data, current_user, form.translations(),
                             form.audience.data or None)
        flash(ngettext("Update posted; mailing %(num)d signer.",
                       "Update posted; mailing %(num)d signers.", update.fanout_total))
        return redirect(url_for("updates.post_update_page", slug=slug))
    return render_template("updates/post.html", campaign=campaign, form=form, updates=updates_for(campaign)), \
        422 if form.errors else 200


@bp.route("/campaigns/<slug:slug>/responses", methods=["GET", "POST"])
def responses_page(slug):
    """Record a member's response; it is mailed to the signers that member represents."""
    campaign = managed_campaign_or_404(slug)
    form = ResponseForm().set_choices(responding_members(campaign), STANCE_LABELS)
    if form.validate_on_submit():
        try:
            _response, update = record_response(campaign, form.member.data, form.responded_on.data, form.stance.data,
                                                form.quote.data, form.link.data, current_user)
        except UnknownMember:
            form.member.errors.append(_("Choose the member who answered"))
        else:
            flash(ngettext("Response recorded; mailing %(num)d signer they represent.",
                           "Response recorded; mailing %(num)d signers they represent.", update.fanout_total))
            return redirect(url_for("updates.responses_page", slug=slug), code=303)
    return render_template("updates/responses.html", campaign=campaign, form=form, responses=responses_for(campaign),
                           stance_labels=STANCE_LABELS), 422 if form.errors else 200


@public_bp.errorhandler(UnsubscribeError)
def unsubscribe_problem(_error):
    return render_template("signatures/problem.html", reason="invalid_link", campaign=None), 404


@public_bp.get("/updates/unsubscribe/<token>")
def unsubscribe_page(token):
    signature = signature_for_unsubscribe(token)
    return render_template("updates/unsubscribe.html", signature=signature, campaign=signature.campaign,
                           done=False)


@public_bp.post("/updates/unsubscribe/<token>")
@csrf.exempt  # the link's token is the secret; mail providers post here (RFC 8058) with no CSRF token
def unsubscribe(token):
    signature = service.unsubscribe(token)
    if request.form.get("List-Unsubscribe") == "One-Click":  # the provider's one-click, not a person
        return "Unsubscribed.\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    return render_template("updates/unsubscribe.html", signature=signature, campaign=signature.campaign,
                           done=True)
