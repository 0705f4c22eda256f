"""The signer's own data: ask for a link, see what is stored, download it, delete it."""
import json

from flask import Response, current_app, render_template, request

from ..extensions import limiter
from ..signatures.identity import canonical_email
from . import bp
from .forms import AccessRequestForm, EraseForm
from .service import erase, live_token, request_access, stored_data


def _privacy_email_key():
    return "privacy:" + canonical_email(request.form.get("email", ""))


@bp.route("", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PRIVACY_RATE_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PRIVACY_RATE_LIMIT_PER_EMAIL"], methods=["POST"],
               key_func=_privacy_email_key)
def request_page():
    form = AccessRequestForm()
    if form.validate_on_submit():
        request_access(form.email.data)
        # The same page whether or not the address has signed anything.
        return render_template("privacy/sent.html", email=form.email.data)
    return render_template("privacy/request.html", form=form,
                           retention_days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"]), \
        422 if form.errors else 200


def _link_problem():
    return render_template("privacy/link_problem.html"), 410


@bp.get("/<token>")
def data_page(token):
    access = live_token(token)
    if access is None:
        return _link_problem()
    return render_template("privacy/data.html", data=stored_data(access), token=token, form=EraseForm())


@bp.get("/<token>/data.json")
def data_download(token):
    access = live_token(token)
    if access is None:
        return _link_problem()
    body = json.dumps(stored_data(access), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"', "Cache-Control": "no-store"})


@bp.post("/<token>/erase")
@limiter.limit(lambda: current_app.config["PRIVACY_RATE_LIMIT_PER_IP"])
def erase_data(token):
    form = EraseForm()
    if not form.validate_on_submit():
        return _link_problem() if live_token(token) is None else (render_template(
            "privacy/data.html", data=stored_data(live_token(token)), token=token, form=form), 400)
    done = erase(token)
    if done is None:
        return _link_problem()
    return render_template("privacy/erased.html", erasure=done)
