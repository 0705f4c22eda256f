"""Bot traps on the sign form and the disposable-mail domain list.

Minimum fill time, and why it is measured this way: the campaign page is cached and identical for
every visitor (PageCache and the shared cache, each for PUBLIC_PAGE_CACHE_SECONDS, then a CDN for PUBLIC_PAGE_MAX_AGE plus 30 s
stale-while-revalidate), so no per-visitor timestamp can be put in it, and without JavaScript the
browser cannot report when it showed the form. The form carries the time the page was *rendered*,
signed with SECRET_KEY (`issue_fill_timer`). A cached copy only makes that time earlier, so the
measured time is never shorter than the visitor's real one: a person is never wrongly judged too
fast because of the cache. The bound, the other way: a script that posts with a token older than
SIGN_MIN_FILL_SECONDS passes, so a cached page (up to about 3 x PUBLIC_PAGE_CACHE_SECONDS +
PUBLIC_PAGE_MAX_AGE + 30 s old) or a token kept and replayed defeats it. It catches scripts that
post without loading the page (no token), forge or garble the token, or post within
SIGN_MIN_FILL_SECONDS of a fresh render; the honeypot, the per-network soft limit, the
disposable-domain list and double opt-in catch others. Tokens do not expire: a person may leave the
form open for hours. The page's ETag leaves the render time out (`without_fill_timer`), so a copy
revalidated with 304 keeps its older time: again earlier, never later.
"""
import re
import time
import urllib.request
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from disposable_email_domains import blocklist as PACKAGED_DISPOSABLE_DOMAINS
from flask import current_app
from itsdangerous import BadSignature, Signer

from ..database import transaction
from ..extensions import db
from .models import DisposableDomain

# Hold reasons for a form a script filled in. The attempt is stored but mailed nothing: a bot that
# types a real person's address must not make us mail that person (mail-bombing).
BOT_TRAPS = ("honeypot", "too_fast")

_TIMER_SALT = "advocacy.sign-form-timer"
_TIMER_VALUE_RE = re.compile(r'(name="started" type="hidden" value=")[^"]*"')
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
MAX_LIST_BYTES = 20 * 1024 * 1024
LOAD_CHUNK = 1000


class DomainListError(ValueError):
    pass


# --- Minimum fill time ---

def _signer() -> Signer:
    return _signer_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _signer_for(secret_key: str) -> Signer:
    """The timer's signer, its key derived from SECRET_KEY once rather than on every form read
    (the signatures are the same: the derived key, used as it is)."""
    derived = Signer(secret_key, salt=_TIMER_SALT).derive_key()
    return Signer(derived, salt=_TIMER_SALT, key_derivation="none")


def issue_fill_timer() -> str:
    """The render time of the sign form, in milliseconds, signed."""
    return _signer().sign(str(int(time.time() * 1000))).decode()


def seconds_since_render(token: str | None) -> float | None:
    """Seconds since the form carrying `token` was rendered; None if it is missing or not ours."""
    if not token:
        return None
    try:
        rendered_ms = int(_signer().unsign(token.encode()))
    except (BadSignature, ValueError, UnicodeError):
        return None
    return time.time() - rendered_ms / 1000


def without_fill_timer(html: str) -> str:
    """The page with its sign form's render time blanked: what the page's ETag is computed over, so
    an unchanged page rendered again keeps its ETag (and a copy answered 304 keeps its older time)."""
    return _TIMER_VALUE_RE.sub(r'\1"', html)


def bot_trap(honeypot: str | None, seconds: float | None) -> str | None:
    """Which trap a submission sprang, if any: the hidden field filled in, or the form sent sooner
    after rendering than SIGN_MIN_FILL_SECONDS (0 turns the timer off)."""
    if honeypot:
        return "honeypot"
    minimum = current_app.config["SIGN_MIN_FILL_SECONDS"]
    if minimum > 0 and (seconds is None or seconds < minimum):
        return "too_fast"
    return None


# --- Disposable-mail domains ---

def _candidate_domains(email: str) -> list[str]:
    """The address's domain and its parents ("a.mailinator.com" -> itself, "mailinator.com"), in
    ASCII (the lists hold internationalised domains as punycode)."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def disposable_parameters(email: str) -> dict:
    """The bound values `disposable_clause_bound` reads for this address (the candidates as a list,
    and on PostgreSQL as one comma-separated text: domain names hold no comma)."""
    candidates = _candidate_domains(email)
    return {"disposable_candidates": candidates, "disposable_candidates_text": ",".join(candidates),
            "disposable_packaged": any(domain in PACKAGED_DISPOSABLE_DOMAINS for domain in candidates)}


def disposable_clause_bound(dialect: str = ""):
    """SQL, true when the address's domain (bound by `disposable_parameters`) is on the list in force:
    the loaded table, or the packaged list while the table is empty. Evaluated inside the signature's
    INSERT, which is built once per process and reused for every address. On PostgreSQL the
    candidates are one array (`= ANY`), so the statement's text is the same for every address; it is
    bound as text and split by PostgreSQL (psycopg spends more CPU adapting a Python list)."""
    if dialect == "postgresql":
        candidates = sa.func.string_to_array(sa.bindparam("disposable_candidates_text", type_=sa.String()),
                                             sa.literal_column("','"))
        loaded = sa.exists().where(DisposableDomain.domain == sa.func.any(candidates))
    else:
        loaded = sa.exists().where(DisposableDomain.domain.in_(sa.bindparam("disposable_candidates", expanding=True)))
    packaged = sa.bindparam("disposable_packaged", type_=sa.Boolean())
    return sa.or_(loaded, sa.and_(packaged, ~sa.exists(sa.select(DisposableDomain.domain))))


def disposable_list_size() -> tuple[int, bool]:
    """(domains on the list in force, whether it was loaded into the table)."""
    loaded = db.session.scalar(sa.select(sa.func.count()).select_from(DisposableDomain))
    return (loaded, True) if loaded else (len(PACKAGED_DISPOSABLE_DOMAINS), False)


def parse_domain_list(text: str) -> set[str]:
    """One domain a line, as the disposable-email-domains project publishes its blocklist; blank
    lines and lines starting with # are skipped. A line that is not a domain is an error."""
    domains = set()
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip().lower()
        if not line or line.startswith("#"):
            continue
        if not DOMAIN_RE.match(line):
            raise DomainListError(f"line {number} is not a domain: {line[:80]!r}")
        domains.add(line)
    if not domains:
        raise DomainListError("the list holds no domain")
    return domains


def read_domain_list(source: str) -> str:
    """The text of a list from a local file or an http(s) URL."""
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # scheme checked above.  # nosec B310
            body = response.read(MAX_LIST_BYTES + 1)
    else:
        body = Path(source).read_bytes()
    if len(body) > MAX_LIST_BYTES:
        raise DomainListError("the list is larger than 20 MB")
    return body.decode("utf-8")


def load_disposable_domains(domains: set[str] | None) -> int:
    """Replace the loaded list with `domains` in one transaction (signing goes on meanwhile);
    None empties it, which puts the installed package's list back in force."""
    with transaction():
        db.session.execute(sa.delete(DisposableDomain))
        rows = [{"domain": d} for d in sorted(domains or ())]
        for start in range(0, len(rows), LOAD_CHUNK):
            db.session.execute(sa.insert(DisposableDomain), rows[start:start + LOAD_CHUNK])
    return len(rows)
