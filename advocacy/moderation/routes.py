from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.access import managed_campaign_or_404, require_login
from ..forms import MAX_BIG_ID, Form, parse_id
from . import bp
from .service import (
    DECISIONS,
    LISTED,
    comment_counts,
    comments,
    letter_counts,
    letters,
    moderate,
    moderate_letters,
)

bp.before_request(require_login)


def _decision() -> tuple[str, list[int]]:
    """One button per item ("approve:12") or a bulk button with ticked boxes. Ids are ASCII digits
    within the database's range; anything else is a bad request."""
    decision, _sep, one = request.form.get("one", "").partition(":")
    if decision in DECISIONS:
        ids = [parse_id(one, MAX_BIG_ID)]
    else:
        decision = request.form.get("bulk", "")
        ids = [parse_id(i, MAX_BIG_ID) for i in request.form.getlist("ids")]
    if decision not in DECISIONS or None in ids:
        abort(400)
    return decision, ids


@bp.route("/campaigns/<slug:slug>/comments", methods=["GET", "POST"])
def comments_page(slug):
    campaign = managed_campaign_or_404(slug)
    status = request.args.get("status", "pending")
    if status not in LISTED:
        abort(404)
    if request.method == "POST":
        if not Form().validate_on_submit():
            abort(400)
        decision, ids = _decision()
        changed = moderate(campaign, ids, decision, current_user)
        flash(ngettext("%(num)d comment approved.", "%(num)d comments approved.", changed)
              if decision == "approve" else
              ngettext("%(num)d comment rejected.", "%(num)d comments rejected.", changed))
        return redirect(url_for("moderation.comments_page", slug=slug, status=status))
    return render_template("moderation/comments.html", campaign=campaign, status=status,
                           comments=comments(campaign, status), counts=comment_counts(campaign))


@bp.route("/campaigns/<slug:slug>/letters", methods=["GET", "POST"])
def letters_page(slug):
    campaign = managed_campaign_or_404(slug)
    status = request.args.get("status", "pending")
    if status not in LISTED:
        abort(404)
    if request.method == "POST":
        if not Form().validate_on_submit():
            abort(400)
        decision, ids = _decision()
        changed = moderate_letters(campaign, ids, decision, current_user)
        flash(ngettext("%(num)d letter approved.", "%(num)d letters approved.", changed)
              if decision == "approve" else
              ngettext("%(num)d letter rejected.", "%(num)d letters rejected.", changed))
        return redirect(url_for("moderation.letters_page", slug=slug, status=status))
    return render_template("moderation/letters.html", campaign=campaign, status=status,
                           letters=letters(campaign, status), counts=letter_counts(campaign))
