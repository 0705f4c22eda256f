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


def _queue_page(slug, endpoint: str, template: str, listed, counted, decide, said):
    """A moderation queue's page: the items with `status` (GET), or a decision on some of them
    (POST, then back to the same tab). `said(decision, n)` is the message after a decision."""
    campaign = managed_campaign_or_404(slug)
    status = request.args.get("status", "pending")
    if status not in LISTED:
        abort(404)
    if request.method == "POST":
        if not Form().validate_on_submit():
            abort(400)
        decision, ids = _decision()
        flash(said(decision, decide(campaign, ids, decision, current_user)))
        return redirect(url_for(endpoint, slug=slug, status=status))
    return render_template(template, campaign=campaign, status=status, page_endpoint=endpoint,
                           items=listed(campaign, status), counts=counted(campaign))


@bp.route("/campaigns/<slug:slug>/comments", methods=["GET", "POST"])
def comments_page(slug):
    return _queue_page(slug, "moderation.comments_page", "moderation/comments.html", comments, comment_counts,
                       moderate, lambda decision, n: (
                           ngettext("%(num)d comment approved.", "%(num)d comments approved.", n)
                           if decision == "approve" else
                           ngettext("%(num)d comment rejected.", "%(num)d comments rejected.", n)))


@bp.route("/campaigns/<slug:slug>/letters", methods=["GET", "POST"])
def letters_page(slug):
    return _queue_page(slug, "moderation.letters_page", "moderation/letters.html", letters, letter_counts,
                       moderate_letters, lambda decision, n: (
                           ngettext("%(num)d letter approved.", "%(num)d letters approved.", n)
                           if decision == "approve" else
                           ngettext("%(num)d letter rejected.", "%(num)d letters rejected.", n)))
