from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from ..accounts.access import managed_campaign_or_404, require_login
from . import bp
from .service import DECISIONS, LISTED, comment_counts, comments, moderate

bp.before_request(require_login)


@bp.route("/campaigns/<slug:slug>/comments", methods=["GET", "POST"])
def comments_page(slug):
    campaign = managed_campaign_or_404(slug)
    status = request.args.get("status", "pending")
    if status not in LISTED:
        abort(404)
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        # One button per comment ("approve:12") or a bulk button with ticked boxes.
        decision, _sep, one = request.form.get("one", "").partition(":")
        if decision in DECISIONS and one.isdigit():
            ids = [int(one)]
        else:
            decision = request.form.get("bulk", "")
            ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
        if decision not in DECISIONS:
            abort(400)
        changed = moderate(campaign, ids, decision, current_user)
        flash(ngettext("%(num)d comment approved.", "%(num)d comments approved.", changed)
              if decision == "approve" else
              ngettext("%(num)d comment rejected.", "%(num)d comments rejected.", changed))
        return redirect(url_for("moderation.comments_page", slug=slug, status=status))
    return render_template("moderation/comments.html", campaign=campaign, status=status,
                           comments=comments(campaign, status), counts=comment_counts(campaign))
