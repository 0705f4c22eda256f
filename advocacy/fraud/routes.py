from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.access import managed_campaign_or_404, require_login
from ..forms import Form
from ..signatures.models import HOLD_REASONS
from . import bp
from .forms import InvalidateForm
from .service import (
    FraudError,
    batches,
    disposable_list,
    held_counts,
    held_samples,
    invalidate,
    patterns,
    preview,
    release,
    undo,
)

bp.before_request(require_login)


@bp.get("/campaigns/<slug:slug>/fraud")
def patterns_page(slug):
    campaign = managed_campaign_or_404(slug)
    form = InvalidateForm(formdata=None, meta={"csrf": False})
    return render_template("fraud/patterns.html", campaign=campaign, patterns=patterns(campaign), form=form,
                           batches=batches(campaign), held=held_counts(campaign),
                           held_samples=held_samples(campaign), disposable_list=disposable_list())


@bp.route("/campaigns/<slug:slug>/fraud/invalidate", methods=["GET", "POST"])
def invalidate_page(slug):
    """GET: the number the filters match, and a button to go ahead. POST: invalidate exactly that."""
    campaign = managed_campaign_or_404(slug)
    posting = request.method == "POST"
    form = InvalidateForm(formdata=request.form if posting else request.args, meta={"csrf": posting})
    counts = None
    if form.validate():
        filters = form.filters()
        if not filters:
            form.email_domain.errors.append(_("Choose at least one filter"))
        elif posting:
            try:
                expected = int(form.expected.data)
            except (TypeError, ValueError):
                abort(400)
            try:
                batch = invalidate(campaign, filters, current_user, expected=expected)
            except FraudError:
                flash(_("The number of matching signatures changed since you looked. Check it again."))
            else:
                flash(_("%(num)d signatures invalidated. You can undo this below.", num=batch.affected))
                return redirect(url_for("fraud.patterns_page", slug=slug))
        if filters:
            counts = preview(campaign, filters)
            form.expected.data = counts["total"]
    elif posting and form.csrf_token.errors:
        abort(400)
    return render_template("fraud/invalidate.html", campaign=campaign, form=form, counts=counts), \
        422 if form.errors else 200


@bp.post("/campaigns/<slug:slug>/fraud/batches/<int:batch_id>/undo")
def undo_batch(slug, batch_id):
    campaign = managed_campaign_or_404(slug)
    if not Form().validate_on_submit():
        abort(400)
    try:
        restored = undo(campaign, batch_id, current_user)
    except FraudError:
        flash(_("This invalidation was already undone."))
    else:
        flash(_("Invalidation undone: %(num)d signatures restored.", num=restored))
    return redirect(url_for("fraud.patterns_page", slug=slug))


@bp.post("/campaigns/<slug:slug>/fraud/held/<reason>/release")
def release_held(slug, reason):
    campaign = managed_campaign_or_404(slug)
    if reason not in HOLD_REASONS:
        abort(404)
    if not Form().validate_on_submit():
        abort(400)
    released = release(campaign, reason, current_user)
    flash(_("%(num)d held signatures released.", num=released))
    return redirect(url_for("fraud.patterns_page", slug=slug))
