"""Settings read from environment variables.

Secrets have no default: the app refuses to start without SECRET_KEY unless ADVOCACY_ENV=development
is set explicitly, as `make run` does. With ADVOCACY_ENV unset the settings are production's.
SQLite under instance/ is the embedded default so `make run` works alone.
"""
import os
from pathlib import Path

import argon2.profiles

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(default):
    url = os.environ.get("DATABASE_URL") or default
    # Heroku-style URLs and plain postgresql:// both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # argon2 parameters of organisers' password hashes: None is argon2-cffi's default (RFC 9106, low
    # memory: 64 MiB, about 0.15 s a hash on this project's 2-core machine). Not read from the
    # environment: only the test suite lowers it. A hash made with other parameters is made again
    # at its owner's next sign-in.
    PASSWORD_HASH_PARAMETERS = None
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'advocacy.sqlite'}")
    # No pre-ping round trip on every checkout (a third of a signature's round trips): a connection
    # the server dropped fails one request, and SQLAlchemy then discards every older pooled
    # connection; pool_recycle retires connections before server or firewall idle timeouts.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": _env_bool("DATABASE_POOL_PRE_PING", False),
                                 "pool_recycle": _env_int("DATABASE_POOL_RECYCLE_SECONDS", 1800)}
    # Connections each process keeps open (PostgreSQL), and how many more it may open for a moment:
    # the signing slots (SIGNING_SLOTS) and room for uncached pages; cached pages, most of a
    # surge's reads, use none. A pool smaller than what runs at once closes the connection of
    # every request over it: a new PostgreSQL backend, and every prepared statement prepared
    # again, for each (measured: 200 new connections in 20 s of signing with 5 for 8 threads).
    DATABASE_POOL_SIZE = _env_int("DATABASE_POOL_SIZE", 10)
    DATABASE_MAX_OVERFLOW = _env_int("DATABASE_MAX_OVERFLOW", 5)
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # The port `make run` serves on (PORT=, default 5000); without PUBLIC_BASE_URL, links in mail point there.
    PORT = _env_int("PORT", 5000)
    PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{PORT}").rstrip("/")
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME") or "Advocacy for Working Parents"

    SMTP_HOST = os.environ.get("SMTP_HOST") or None
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME") or None
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", False)
    SMTP_TIMEOUT = _env_int("SMTP_TIMEOUT", 15)
    MAIL_FROM = os.environ.get("MAIL_FROM") or "Advocacy <no-reply@localhost>"
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 12)
    # While the CPUs are contended (a surge on a machine the worker shares with the app servers),
    # mail work takes at most this percentage of the worker's time (advocacy.pacing); 100: never yields.
    MAIL_SURGE_SHARE_PERCENT = _env_int("MAIL_SURGE_SHARE_PERCENT", 10)
    # Mail headers and deliverability (README, "Mail that arrives"). Message-IDs use MAIL_DOMAIN
    # (default: MAIL_FROM's domain). Bounces go to a per-message return path (VERP) built on
    # MAIL_RETURN_PATH (default bounces@BOUNCE_DOMAIN); unset, bounces go to MAIL_FROM and are not read.
    MAIL_DOMAIN = os.environ.get("MAIL_DOMAIN") or None
    BOUNCE_DOMAIN = os.environ.get("BOUNCE_DOMAIN") or None
    MAIL_RETURN_PATH = os.environ.get("MAIL_RETURN_PATH") or None
    # `flask advocacy bounce-server` listens here for bounces, complaints and unsubscribe mails.
    BOUNCE_SERVER_HOST = os.environ.get("BOUNCE_SERVER_HOST") or "127.0.0.1"
    BOUNCE_SERVER_PORT = _env_int("BOUNCE_SERVER_PORT", 2525)
    # Does the relay carry addresses with non-ASCII characters before the @? auto (ask it), on, off.
    SMTP_UTF8 = os.environ.get("SMTP_UTF8") or "auto"
    # Optional DKIM signing, for relays that do not sign: a PEM private key file, selector, domain.
    DKIM_PRIVATE_KEY = os.environ.get("DKIM_PRIVATE_KEY") or None
    DKIM_SELECTOR = os.environ.get("DKIM_SELECTOR") or None
    DKIM_DOMAIN = os.environ.get("DKIM_DOMAIN") or None
    # Communicating with Congress (letters to House offices): off unless CWC_API_URL is set.
    CWC_API_URL = os.environ.get("CWC_API_URL") or None
    CWC_API_KEY = os.environ.get("CWC_API_KEY") or None
    CWC_DELIVERY_AGENT = os.environ.get("CWC_DELIVERY_AGENT") or None  # default: ORGANISATION_NAME
    CWC_ACK_EMAIL = os.environ.get("CWC_ACK_EMAIL") or "cwc@localhost.localdomain"
    CWC_CONTACT_NAME = os.environ.get("CWC_CONTACT_NAME") or "Delivery contact"
    CWC_CONTACT_EMAIL = os.environ.get("CWC_CONTACT_EMAIL") or "cwc@localhost.localdomain"
    CWC_CONTACT_PHONE = os.environ.get("CWC_CONTACT_PHONE") or "202-555-0100"
    CWC_TOPIC = os.environ.get("CWC_TOPIC") or "Labor and Employment"  # a Library of Congress topic
    CWC_TIMEOUT = _env_int("CWC_TIMEOUT", 20)
    CWC_MAX_ATTEMPTS = _env_int("CWC_MAX_ATTEMPTS", 8)

    CONFIRM_TOKEN_DAYS = 7
    REMOVE_TOKEN_DAYS = 365
    CLOSED_CONFIRM_GRACE_HOURS = 24
    INVITE_TOKEN_DAYS = _env_int("INVITE_TOKEN_DAYS", 7)
    RESET_TOKEN_MINUTES = _env_int("RESET_TOKEN_MINUTES", 60)
    UPDATE_UNSUBSCRIBE_TOKEN_DAYS = 365

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or None
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or None
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or None
    DONATION_MIN_CENTS = _env_int("DONATION_MIN_CENTS", 100)
    # Letters go through Congress's Communicating with Congress channel: signers are then asked for
    # their street address and salutation with a letter (the channel requires them). Follows CWC_API_URL
    # unless set explicitly.
    CWC_ENABLED = _env_bool("CWC_ENABLED", bool(CWC_API_URL))
    DONATION_MAX_CENTS = _env_int("DONATION_MAX_CENTS", 1_000_000)
    DONATE_RATE_LIMIT_PER_IP = os.environ.get("DONATE_RATE_LIMIT_PER_IP") or "10 per minute;60 per hour"

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # Signing: over the soft limit a signature is stored and held for review (never lost); only
    # floods far beyond human rates are refused with 429 (README, "Rate limits").
    SIGN_SOFT_LIMIT_PER_IP = os.environ.get("SIGN_SOFT_LIMIT_PER_IP") or "20 per minute;200 per hour"
    SIGN_RATE_LIMIT_PER_IP = os.environ.get("SIGN_RATE_LIMIT_PER_IP") or "120 per minute;2000 per hour"
    SIGN_RATE_LIMIT_PER_EMAIL = os.environ.get("SIGN_RATE_LIMIT_PER_EMAIL") or "30 per hour"
    # A sign form sent sooner than this after its page was rendered is held as "too_fast" (0: off).
    # The time is the render's, and cached pages are older, so a person is never judged faster
    # than they were (README, "Bots"; advocacy/bots/service.py explains the bound).
    SIGN_MIN_FILL_SECONDS = float(os.environ.get("SIGN_MIN_FILL_SECONDS") or 3)
    LOGIN_RATE_LIMIT_PER_IP = os.environ.get("LOGIN_RATE_LIMIT_PER_IP") or "10 per minute;100 per day"
    # Failed sign-ins per (client IP, account): an attacker elsewhere cannot use up the owner's allowance.
    # LOGIN_RATE_LIMIT_PER_EMAIL is the setting's former name, still read.
    LOGIN_RATE_LIMIT_PER_IP_AND_EMAIL = (os.environ.get("LOGIN_RATE_LIMIT_PER_IP_AND_EMAIL")
                                         or os.environ.get("LOGIN_RATE_LIMIT_PER_EMAIL") or "5 per minute;30 per day")
    RESET_RATE_LIMIT_PER_IP = os.environ.get("RESET_RATE_LIMIT_PER_IP") or "5 per minute;50 per day"
    RESET_RATE_LIMIT_PER_EMAIL = os.environ.get("RESET_RATE_LIMIT_PER_EMAIL") or "3 per hour"

    # Public campaign pages and JSON: rendered at most once per PUBLIC_PAGE_CACHE_SECONDS per process,
    # and cacheable by a CDN for PUBLIC_PAGE_MAX_AGE (s-maxage, plus 30 s stale-while-revalidate).
    # A count seen from the app is at most PUBLIC_PAGE_CACHE_SECONDS old.
    PUBLIC_PAGE_CACHE_SECONDS = float(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS") or 2)
    PUBLIC_PAGE_MAX_AGE = _env_int("PUBLIC_PAGE_MAX_AGE", 5)
    # The sign form's campaign (title, dates) is read at most once per this many seconds per process;
    # whether it accepts signatures is checked inside the INSERT, so closing stops signing at once.
    CAMPAIGN_CACHE_SECONDS = float(os.environ.get("CAMPAIGN_CACHE_SECONDS") or 5)
    # Signatures and confirmations one app process works on at once (0: no limit); the others wait
    # up to SIGNING_SLOT_WAIT_SECONDS, then get 503 "press again" (advocacy/public/admission.py).
    SIGNING_SLOTS = _env_int("SIGNING_SLOTS", 4)
    SIGNING_SLOT_WAIT_SECONDS = float(os.environ.get("SIGNING_SLOT_WAIT_SECONDS") or 15)

    # Growth (advocacy/growth): the hourly counts (open data and the page's chart) are recomputed at
    # most once per OPEN_DATA_CACHE_SECONDS per process; link-preview cards (PNG) are kept on disk here.
    OPEN_DATA_CACHE_SECONDS = float(os.environ.get("OPEN_DATA_CACHE_SECONDS") or 60)
    CARD_CACHE_DIR = os.environ.get("CARD_CACHE_DIR") or str(INSTANCE_DIR / "cards")

    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ["en", "es"]

    WTF_CSRF_TIME_LIMIT = None  # a supporter may leave the form open for hours on a slow phone
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # Trusted reverse proxies in front of the app; 0 ignores X-Forwarded-* (a visitor could forge them).
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024

    # Personal data lifetime (advocacy/privacy, README "Personal data"): signers' names, emails,
    # comments, towns, full ZIPs and IP hashes, and donors' emails, are anonymised this many days
    # after their campaign was delivered or closed (counts stay). 183 days: about six months.
    PERSONAL_DATA_RETENTION_DAYS = _env_int("PERSONAL_DATA_RETENTION_DAYS", 183)
    ANONYMISE_BATCH_SIZE = _env_int("ANONYMISE_BATCH_SIZE", 500)
    # The mailed link to see and erase one's own data.
    PRIVACY_TOKEN_HOURS = _env_int("PRIVACY_TOKEN_HOURS", 24)
    PRIVACY_RATE_LIMIT_PER_IP = os.environ.get("PRIVACY_RATE_LIMIT_PER_IP") or "5 per minute;50 per day"
    PRIVACY_RATE_LIMIT_PER_EMAIL = os.environ.get("PRIVACY_RATE_LIMIT_PER_EMAIL") or "3 per hour"

    # Operations (README, Deployment): one JSON line per request on the "advocacy.request" logger
    # (endpoint, route, method, status, duration_ms; never the path, which may hold a link token).
    REQUEST_LOG_JSON = _env_bool("REQUEST_LOG_JSON", False)


class DevelopmentConfig(Config):
    """Only with an explicit ADVOCACY_ENV=development (`make run`, `make worker`): a public key is fine
    on 127.0.0.1, nowhere else."""

    SECRET_KEY = Config.SECRET_KEY or "dev-only-insecure-key-change-me"


class TestConfig(Config):
    """For the test suite (`create_app(TestConfig)`); not selectable with ADVOCACY_ENV, its key is public."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # TestConfig only; production refuses to start without one.  # nosec B105
    # A test's accounts guard nothing, and hundreds of tests sign an organiser in: 0.1 ms a hash, not 0.15 s.
    PASSWORD_HASH_PARAMETERS = argon2.profiles.CHEAPEST
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SIGN_SOFT_LIMIT_PER_IP = "100000 per minute"  # tests that need the hold set their own
    SIGN_MIN_FILL_SECONDS = 0  # tests sign right after loading the page; bot tests set their own
    PUBLIC_PAGE_CACHE_SECONDS = 0  # tests read counts right after changing them
    OPEN_DATA_CACHE_SECONDS = 0
    CAMPAIGN_CACHE_SECONDS = 0  # tests edit campaigns and sign at once
    PROXY_FIX_X_FOR = 0
    PUBLIC_BASE_URL = "http://localhost"
    SMTP_HOST = None
    STRIPE_SECRET_KEY = None
    STRIPE_WEBHOOK_SECRET = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig}


def config_from_env():
    """ADVOCACY_ENV unset means production: a server started without thinking has no public key."""
    name = os.environ.get("ADVOCACY_ENV") or "production"
    if name not in CONFIGS:
        raise RuntimeError(f"ADVOCACY_ENV={name!r} is not known: use production, or development for `make run`.")
    return CONFIGS[name]
