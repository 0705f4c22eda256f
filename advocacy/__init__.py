"""advocacy: an open-source petition platform."""
import importlib
import logging

from flask import Blueprint, Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from .config import INSTANCE_DIR, config_from_env
from .extensions import babel, csrf, db, limiter, login_manager, migrate, select_locale


class SlugConverter(BaseConverter):
    """Lower-case words and hyphens: keeps /campaigns/<slug>.json distinct from /campaigns/<slug>."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def create_app(config=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or config_from_env())
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: export a long random SECRET_KEY (only `make run`, with "
                           "ADVOCACY_ENV=development, uses a development key; see README, Configuration).")
    app.url_map.converters["slug"] = SlugConverter
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    configure_logging(app)
    return app


def register_extensions(app):
    from . import models  # noqa: F401 - every model known to Alembic and the session

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=select_locale)
    if hops := int(app.config.get("PROXY_FIX_X_FOR") or 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


# One package per feature; each defines its Blueprint(s) in __init__.py and its views in routes.py.
FEATURES = ("campaigns", "signatures", "accounts", "organise", "moderation", "fraud", "updates",
            "donations", "delivery")


def register_blueprints(app):
    for feature in FEATURES:
        package = importlib.import_module(f"{__name__}.{feature}")
        importlib.import_module(f"{__name__}.{feature}.routes")  # attaches the views to the blueprints
        for blueprint in vars(package).values():
            if isinstance(blueprint, Blueprint):
                app.register_blueprint(blueprint)


ERROR_PAGES = {
    400: (_l("Sorry, there is a problem with that request"), _l("Please go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"),
          _l("If you think you should, ask an administrator of your group.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    405: (_l("Sorry, there is a problem with that request"), _l("Please go back, reload the page and try again.")),
    413: (_l("Sorry, there is a problem with that request"), _l("Please go back, reload the page and try again.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes and try again.")),
    500: (_l("Sorry, something went wrong on our side"), _l("Please try again in a few minutes.")),
}


def register_errors(app):
    def page(code):
        def handler(error):
            if code == 500:
                db.session.rollback()
            title, message = ERROR_PAGES[code]
            reason = error.description if isinstance(error, CSRFError) else None
            return render_template("errors/error.html", title=title, message=message, reason=reason), code
        return handler

    for code in ERROR_PAGES:
        app.register_error_handler(code, page(code))
    app.register_error_handler(CSRFError, page(400))


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def _is_organiser_path(path: str) -> bool:
    """Every organiser page and the account pages (sign-in, resets, invitations) are under /organise."""
    return path == "/organise" or path.startswith("/organise/")


def register_security_headers(app):
    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if _is_organiser_path(request.path):
            # Signed-in pages and sign-in forms stay out of browser and shared caches (back button, proxies).
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.after_request
    def remember_language(response):
        """A visitor who picks a language with ?lang= keeps it on the following pages and forms."""
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"]:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                                secure=app.config["SESSION_COOKIE_SECURE"])
        return response


def register_template_helpers(app):
    from flask_babel import get_locale

    @app.context_processor
    def inject_globals():
        return {"organisation_name": app.config["ORGANISATION_NAME"], "current_locale": str(get_locale())}

    @app.template_filter("number")
    def format_number(value):
        return f"{int(value or 0):,}"


def register_cli(app):
    from .cli import advocacy_cli

    app.cli.add_command(advocacy_cli)


def configure_logging(app):
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
