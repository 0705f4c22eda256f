from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.access import managed_campaign_or_404, require_login
from . import bp
from .forms import DEFAULT_ROWS, MAX_ROWS, SheetForm
from .service import PaperSigner, SheetRefused, email_status, enter_sheet, problems_with, sheet_pdf

bp.before_request(require_login)


@bp.get("/campaigns/<slug:slug>/sheet.pdf")
def sheet(slug):
    campaign = managed_campaign_or_404(slug)
    paper = request.args.get("paper", "a4")
    pdf = sheet_pdf(campaign, paper if paper in ("a4", "letter") else "a4")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{campaign.slug}-sheet.pdf"'})


def _row_count() -> int:
    try:
        return max(DEFAULT_ROWS, min(MAX_ROWS, int(request.args.get("rows", DEFAULT_ROWS))))
    except ValueError:
        return DEFAULT_ROWS


@bp.route("/campaigns/<slug:slug>/paper", methods=["GET", "POST"])
def enter(slug):
    """One page per sheet: empty rows to type into, submitted together. Nothing is saved unless
    every filled row is right; otherwise the page comes back (422) with every row as typed and
    each problem next to its row."""
    campaign = managed_campaign_or_404(slug)
    form = SheetForm()
    if request.method == "GET":
        form = SheetForm(formdata=None, locale=str(get_locale()) if str(get_locale()) == "es" else "en")
        while len(form.rows) < _row_count():
            form.rows.append_entry()
    status = 200
    if request.method == "POST":
        status = 422
        valid = form.validate()
        filled = form.filled_rows()
        # The lines typed right so far, so duplicates show with every other problem in one go.
        signers = {n: PaperSigner(row.full_name.data, row.postal_code.data, row.email.data or "",
                                  bool(row.keep_updated.data)) for n, row in filled if not row.errors}
        if _posted_rows() > MAX_ROWS:  # WTForms would drop the lines past the limit without a word
            form.form_errors.append(_("A sheet has at most %(num)d lines: save the rest as another sheet",
                                      num=MAX_ROWS))
        elif not filled:
            form.form_errors.append(_("The sheet is empty: type at least one signer"))
        elif not valid:
            _show_problems(form, problems_with(campaign, signers))
        else:
            try:
                ids = enter_sheet(campaign, current_user, signers, form.locale.data)
            except SheetRefused as refused:
                if not refused.problems:
                    form.form_errors.append(_("This campaign is not taking signatures any more."))
                _show_problems(form, refused.problems)
            else:
                flash(_("%(num)d signatures from the paper sheet are counted.", num=len(ids)))
                return redirect(url_for("paper.enter", slug=slug))
    return render_template("paper/enter.html", campaign=campaign, form=form, failed=status == 422), status


def _posted_rows() -> int:
    indices = {key.split("-")[1] for key in request.form if key.startswith("rows-") and key.count("-") == 2}
    return len(indices)


def _show_problems(form: SheetForm, problems: dict) -> None:
    for number, problem in problems.items():
        row = form.rows[number - 1].form  # shown next to the field it is about
        (row.email if row.email.data else row.full_name).errors.append(str(problem))


@bp.get("/campaigns/<slug:slug>/paper/check")
def check_email(slug):
    """The as-you-type duplicate check of the entry form's script: {"problem": text or null}."""
    campaign = managed_campaign_or_404(slug)
    email = request.args.get("email", "").strip()
    problem = email_status(campaign, email) if "@" in email and len(email) <= 254 else None
    return jsonify(problem=str(problem) if problem else None)
