"""advocacy: an open-source petition platform."""
import logging
from datetime import date
from decimal import Decimal

from flask import Flask, render_template, request
from flask_babel import format_currency, format_date, format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, IntegerConverter

from .config import INSTANCE_DIR, config_from_env
from .extensions import babel, csrf, db, limiter, login_manager, migrate, select_locale
from .flask_parts import CookieSessions, Request
from .forms import MAX_ID


class SlugConverter(BaseConverter):
    """Lower-case words and hyphens: keeps /campaigns/<slug>.json distinct from /campaigns/<slug>."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits within the database's integer range, else no match
    (404), so a huge number in a URL never reaches the database (PostgreSQL and SQLite overflow)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(config=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or config_from_env())
    app.request_class = Request
    app.session_interface = CookieSessions()
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: export a long random SECRET_KEY (only `make run`, with "
                           "ADVOCACY_ENV=development, uses a development key; see README, Configuration).")
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["int"] = IdConverter
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    configure_logging(app)
    register_request_log(app)
    wrap_wsgi(app)
    return app


def register_extensions(app):
    from . import models  # noqa: F401 - every model known to Alembic and the session
    from .accounts.service import load_user

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):  # SQLite's pools take no size
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                                                   "pool_size": app.config["DATABASE_POOL_SIZE"],
                                                   "max_overflow": app.config["DATABASE_MAX_OVERFLOW"]}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=select_locale)


def wrap_wsgi(app):
    """Around the app: the shared cache of public answers (advocacy/shared_cache.py), then, when the
    app sits behind proxies, ProxyFix (so the cache keys on the scheme and host the visitor used)."""
    from .shared_cache import SharedCache

    app.shared_cache = SharedCache(app.wsgi_app, ttl=lambda: app.config["PUBLIC_PAGE_CACHE_SECONDS"],
                                   log_requests=lambda: app.config.get("REQUEST_LOG_JSON"))
    app.wsgi_app = app.shared_cache
    if hops := int(app.config.get("PROXY_FIX_X_FOR") or 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_blueprints(app):
    """Every blueprint, named here. Importing a blueprint from its routes module attaches its views."""
    from .accounts.routes import bp as accounts
    from .delivery.routes import bp as delivery
    from .delivery.routes import exports_bp as delivery_exports
    from .donations.routes import bp as donations
    from .donations.routes import organise_bp as donations_organise
    from .fraud.routes import bp as fraud
    from .growth.routes import bp as growth
    from .growth.routes import organise_bp as growth_organise
    from .health import bp as health
    from .moderation.routes import bp as moderation
    from .organise.routes import bp as organise
    from .paper.routes import bp as paper
    from .privacy.routes import bp as privacy
    from .public.routes import bp as public
    from .updates.routes import bp as updates
    from .updates.routes import public_bp as updates_public

    for blueprint in (public, accounts, organise, moderation, fraud, updates, updates_public, donations,
                      donations_organise, delivery, delivery_exports, privacy, growth, growth_organise, paper):
        app.register_blueprint(blueprint)
    app.register_blueprint(health)  # GET /healthz for load balancers (advocacy/health.py)

    # Browsers and feed readers still ask for /favicon.ico without reading the page's <link rel="icon">.
    def favicon():
        return app.send_static_file("favicon.svg"), 200, {"Cache-Control": "public, max-age=86400"}

    app.add_url_rule("/favicon.ico", "favicon", favicon)


ERROR_PAGES = {
    400: (_l("Sorry, there is a problem with that request"), _l("Please go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"),
          _l("If you think you should, ask an administrator of your group.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    405: (_l("Sorry, there is a problem with that request"), _l("Please go back, reload the page and try again.")),
    413: (_l("Sorry, there is a problem with that request"), _l("Please go back, reload the page and try again.")),
    429: (_l("Too many attempts"),
          _l("We received far more requests from your connection than people make. Please try again later.")),
    500: (_l("Sorry, something went wrong on our side"), _l("Please try again in a few minutes.")),
}


def register_errors(app):
    def page(code):
        def handler(error):
            if code == 500:
                db.session.rollback()
            title, message = ERROR_PAGES[code]
            reason = error.description if isinstance(error, CSRFError) or code == 429 else None
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
        if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
            # Only a page whose policy allows framing (the growth widget) goes without it.
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

    @app.template_filter("localised")
    def localised_campaign(campaign):
        """`{% set text = campaign|localised %}`: its title, ask, summary and background in the page's
        language where written, else English (`text.lang_attr("title")` marks which)."""
        from .campaigns.service import campaign_text

        return campaign_text(campaign, str(get_locale()))

    @app.template_filter("number")
    def format_number(value):
        """A whole number in the page's language: 12,345 in English, 12.345 in Spanish."""
        return format_decimal(int(value or 0))

    @app.template_filter("dateformat_iso")
    def format_iso_date(value):
        """An ISO date or time ("2026-11-24...", as the public JSON gives them) as a date in the page's language."""
        return format_date(date.fromisoformat(str(value)[:10]), "long")

    @app.template_filter("money")
    def format_money(cents, currency="usd"):
        return format_currency(Decimal(int(cents or 0)) / 100, currency.upper())


def register_cli(app):
    from .cli import advocacy_cli

    app.cli.add_command(advocacy_cli)


def configure_logging(app):
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_request_log(app):
    """With REQUEST_LOG_JSON, one JSON line per request on the "advocacy.request" logger. The route
    template is logged, never the path (confirm and remove links carry tokens in it)."""
    import json
    import time

    from flask import g

    def start():
        g.request_started = time.perf_counter()

    # First of all before_request hooks, so a request refused early (429) is timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, start)

    @app.after_request
    def log_request(response):
        request.environ["advocacy.endpoint"] = request.endpoint  # for the shared cache's own log lines
        if app.config.get("REQUEST_LOG_JSON"):
            started = g.get("request_started")
            logging.getLogger("advocacy.request").info(json.dumps({
                "endpoint": request.endpoint, "route": request.url_rule.rule if request.url_rule else None,
                "method": request.method, "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            }))
        return response
