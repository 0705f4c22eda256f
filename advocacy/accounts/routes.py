import time
from urllib.parse import unquote, urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from ..signatures.identity import canonical_email
from . import bp
from .forms import LoginForm, ResetRequestForm, SetPasswordForm
from .service import authenticate, live_account_token, request_reset, sign_out_everywhere, use_account_token


def _login_email_key():
    """Failed sign-ins are counted per client address *and* account: someone who knows an organiser's
    email can use up only their own address's attempts, never lock the organiser out from afar."""
    return f"login:{get_remote_address()}:{canonical_email(request.form.get('email', ''))}"


def _failed_login(response) -> bool:
    return response.status_code != 302


# For a while after setting a password from a mailed link, that browser may sign in to that account
# whatever the login limits say: the link proved who they are, so a lockout must not outlast it.
PASSWORD_SET_GRACE_SECONDS = 15 * 60


def _password_just_set():
    marker = session.get("password_set")
    email = request.form.get("email", "").strip().lower()
    return bool(marker and email and marker.get("email") == email and marker.get("until", 0) > time.time())


def _safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, however a browser reads it; the dashboard otherwise.

    Browsers drop tabs and newlines, strip leading spaces and control characters, and read a
    backslash as a slash, so `/<TAB>/evil.example` or `/\\evil.example` would lead off the site:
    such targets are refused outright, as is anything with a scheme or a host, or whose path
    (even percent-decoded) starts with two slashes.
    """
    fallback = url_for("organise.index")
    if not target or len(target) > 2048:
        return fallback
    decoded = unquote(target)  # checked too, in case a proxy or a later redirect decodes it
    if " " in target or any(char == "\\" or ord(char) < 0x20 or ord(char) == 0x7F for char in target + decoded):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or decoded.startswith("//"):
        return fallback
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP"], methods=["POST"],
               exempt_when=_password_just_set)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP_AND_EMAIL"], methods=["POST"],
               key_func=_login_email_key, deduct_when=_failed_login, exempt_when=_password_just_set)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("organise.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            session.pop("password_set", None)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Email address or password is not right"))
        return render_template("accounts/login.html", form=form), 422
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    sign_out_everywhere(current_user)  # every copy of the session cookie, in any browser, stops working
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("accounts.login"))


def _reset_email_key():
    return "reset:" + canonical_email(request.form.get("email", ""))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT_PER_EMAIL"], methods=["POST"],
               key_func=_reset_email_key)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        # The same page whether or not the address has an account.
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form), 422 if form.errors else 200


def _set_password_page(token: str, purpose: str):
    if live_account_token(token, purpose) is None:
        return render_template("accounts/link_problem.html", purpose=purpose), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = use_account_token(token, purpose, form.password.data)
        if user is None:
            return render_template("accounts/link_problem.html", purpose=purpose), 410
        logout_user()
        session["password_set"] = {"email": user.email, "until": time.time() + PASSWORD_SET_GRACE_SECONDS}
        flash(_("Your password is set. Sign in with it now."))
        return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form, purpose=purpose), \
        422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT_PER_IP"], methods=["POST"])
def reset_password(token):
    return _set_password_page(token, "reset")


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT_PER_IP"], methods=["POST"])
def invite_accept(token):
    return _set_password_page(token, "invite")
