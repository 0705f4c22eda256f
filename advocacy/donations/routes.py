import io

from flask import Response, current_app, jsonify, redirect, render_template, request, stream_with_context
from flask_babel import get_locale
from flask_login import current_user

from ..accounts.access import managed_campaign_or_404, require_login
from ..campaigns.service import public_campaign_or_404
from ..extensions import csrf, limiter
from ..forms import has_control_characters
from ..spreadsheets import UTF8_BOM, XLSX_MIMETYPE, csv_writer, neutralise, xlsx_chunks
from . import bp, organise_bp, service, webhooks
from .forms import DonateForm
from .service import DonationError, donations_enabled

organise_bp.before_request(require_login)


def _unavailable(campaign):
    return render_template("donations/unavailable.html", campaign=campaign), 404


@bp.route("/campaigns/<slug:slug>/donate", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["DONATE_RATE_LIMIT_PER_IP"], methods=["POST"])
def donate(slug):
    campaign = public_campaign_or_404(slug)
    if not donations_enabled():
        return _unavailable(campaign)
    form = DonateForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("donations/donate.html", campaign=campaign, form=form), status
    signature = service.signature_from_ref(form.ref.data, campaign)
    donation = service.start_donation(campaign, form.amount_cents, signature, locale=str(get_locale() or "en"))
    try:
        checkout_url = service.create_checkout(donation)
    except DonationError:
        return render_template("donations/donate.html", campaign=campaign, form=form, stripe_failed=True), 503
    return redirect(checkout_url, code=303)


@bp.get("/campaigns/<slug:slug>/donate/thanks")
def thanks(slug):
    campaign = public_campaign_or_404(slug)
    if not donations_enabled():
        return _unavailable(campaign)
    session_id = request.args.get("session_id", "")[:255]
    # Stripe's ids are plain text; a NUL would fail in PostgreSQL, so such a link is simply unknown.
    view = None if has_control_characters(session_id) else service.donation_for_session(campaign, session_id)
    if view is None:
        return render_template("donations/unknown.html", campaign=campaign), 404
    return render_template("donations/thanks.html", campaign=campaign, donation=view.donation)


@bp.get("/campaigns/<slug:slug>/donate/cancelled")
def cancelled(slug):
    campaign = public_campaign_or_404(slug)
    if not donations_enabled():
        return _unavailable(campaign)
    return render_template("donations/cancelled.html", campaign=campaign)


@bp.post("/stripe/webhook")
@limiter.exempt
@csrf.exempt
def stripe_webhook():
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        return jsonify(error="webhooks are not configured"), 503
    try:
        outcome = webhooks.receive(request.get_data(), request.headers.get("Stripe-Signature"), secret)
    except webhooks.BadSignature:
        return jsonify(error="invalid signature"), 400
    except webhooks.BadEvent as error:
        return jsonify(error=f"malformed event: {error}"), 400
    return jsonify(received=True, outcome=outcome)


# --- organisers ----------------------------------------------------------------------------

def _csv_lines(campaign):
    buffer = io.StringIO()
    writer = csv_writer(buffer)

    def line(row):
        writer.writerow([neutralise(v) for v in row])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield UTF8_BOM + line(service.EXPORT_COLUMNS)
    for row in service.export_rows(campaign):
        yield line(row)


@organise_bp.get("/campaigns/<slug:slug>/donations.csv")
def export_csv(slug):
    campaign = managed_campaign_or_404(slug)
    service.record_export(campaign, current_user)
    return Response(stream_with_context(_csv_lines(campaign)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{campaign.slug}-donations.csv"',
                             "Cache-Control": "no-store"})


@organise_bp.get("/campaigns/<slug:slug>/donations.xlsx")
def export_xlsx(slug):
    """The same ledger for spreadsheets: amounts as numbers, times as dates (UTC), text as text cells.
    The workbook is written row by row to a temporary file while the body streams (constant memory)."""
    campaign = managed_campaign_or_404(slug)
    service.record_export(campaign, current_user, "xlsx")
    chunks = xlsx_chunks("Donations", service.EXPORT_COLUMNS, service.export_values(campaign),
                         {"created_at": 20, "paid_at": 20, "refunded_at": 20, "donor_email": 28,
                          "checkout_session_id": 30, "payment_intent_id": 30})
    return Response(stream_with_context(chunks), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{campaign.slug}-donations.xlsx"',
                             "Cache-Control": "no-store"})
