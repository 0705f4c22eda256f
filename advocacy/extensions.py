"""Extensions created unbound; `create_app` binds them with init_app."""
from functools import lru_cache

from babel import Locale
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

# Named constraints so Alembic migrations are reproducible on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()


def select_locale() -> Locale:
    """?lang=, else the lang cookie, else the browser's Accept-Language, else BABEL_DEFAULT_LOCALE."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen not in languages:
        chosen = _best_language(request.headers.get("Accept-Language", ""), tuple(languages))
    # Never None: Flask-Babel would then parse the default locale again on every such request.
    return _parsed_locale(chosen or current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=256)
def _best_language(header: str, languages: tuple[str, ...]) -> str | None:
    """The best of `languages` for an Accept-Language header (what request.accept_languages would
    choose), worked out once per distinct header: browsers send a few of them, again and again."""
    return parse_accept_header(header, LanguageAccept).best_match(languages)


@lru_cache(maxsize=16)
def _parsed_locale(code: str) -> Locale:
    """Flask-Babel would parse the chosen code again on every request; it takes a Locale as it is."""
    return Locale.parse(code)


babel = Babel()
