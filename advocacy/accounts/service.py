from dataclasses import astuple
from datetime import timedelta
from functools import lru_cache

import sqlalchemy as sa
from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import transaction, utcnow
from ..extensions import db
from ..mail.service import queue_mail
from ..tokens import find_token, is_expired, issue_token
from ..urls import external_url
from .models import AccountToken, CampaignMember, User

MIN_PASSWORD_LENGTH = 12


def _configured_parameters() -> tuple | None:
    parameters = current_app.config["PASSWORD_HASH_PARAMETERS"]
    return None if parameters is None else astuple(parameters)  # argon2's Parameters is not hashable


def _hasher() -> PasswordHasher:
    return _hasher_with(_configured_parameters())


@lru_cache(maxsize=4)
def _hasher_with(parameters: tuple | None) -> PasswordHasher:
    """argon2-cffi's own default (RFC 9106, low memory) unless the config names other parameters."""
    return PasswordHasher.from_parameters(Parameters(*parameters)) if parameters else PasswordHasher()


@lru_cache(maxsize=4)
def _dummy_hash(parameters: tuple | None) -> str:
    """Verifying against this keeps unknown emails as slow as wrong passwords (no account probing by timing)."""
    return _hasher_with(parameters).hash("not-a-real-password")


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher().hash(password)


def find_user(email: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one_or_none()


def create_user(email: str, password: str | None, role: str = "organiser", name: str = "",
                via: str | None = None) -> User:
    """Create an account; without a password it cannot log in until one is set (invites).
    `via` (e.g. "cli") audits the creation."""
    with transaction():
        if find_user(email):
            raise AccountError("An account with this email already exists")
        user = User(email=email.strip().lower(), name=name, role=role,
                    password_hash=hash_password(password) if password else None)
        db.session.add(user)
        if via:
            db.session.flush()
            record("create_" + role, user, email=user.email, via=via)
    return user


def load_user(user_id) -> User | None:
    """Flask-Login's user loader. `user_id` is `User.get_id()`: "<id>:<session version>". A cookie from
    before the account's last logout or password change carries an older version and signs in nobody."""
    user_id, _, version = str(user_id).partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def sign_out_everywhere(user: User) -> None:
    with transaction():
        end_sessions(user)
        record("logout", user)


def end_sessions(user: User) -> None:
    """Sign the account out everywhere: every session cookie issued so far stops working.
    Call inside the caller's transaction. The increment is done by the database, so two at once both count."""
    user.session_version = User.session_version + 1


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash if user and user.password_hash
                      else _dummy_hash(_configured_parameters()), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    with transaction():
        user.last_login_at = utcnow()
        if hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hasher.hash(password)
        record("login", user)
    return user


def can_manage(user, campaign: Campaign) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    return db.session.get(CampaignMember, (campaign.id, user.id)) is not None


def managed_campaigns(user: User) -> list[Campaign]:
    query = sa.select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if not user.is_admin:
        query = query.join(CampaignMember, CampaignMember.campaign_id == Campaign.id).where(
            CampaignMember.user_id == user.id)
    return list(db.session.scalars(query))


def add_member(campaign: Campaign, user: User) -> None:
    """Call inside the caller's transaction."""
    if db.session.get(CampaignMember, (campaign.id, user.id)) is None:
        db.session.add(CampaignMember(campaign_id=campaign.id, user_id=user.id))


# --- Invitations and password resets: one single-use, expiring token model, stored hashed. ---

def _token_lifetime(purpose: str) -> timedelta:
    if purpose == "invite":
        return timedelta(days=current_app.config["INVITE_TOKEN_DAYS"])
    return timedelta(minutes=current_app.config["RESET_TOKEN_MINUTES"])


def _issue_account_token(user: User, purpose: str) -> str:
    return issue_token(AccountToken, purpose, _token_lifetime(purpose), user_id=user.id)


def invite(email: str, campaigns: list[Campaign], by: User, role: str = "organiser") -> User:
    """Create (or find) the organiser, add them to `campaigns`, and mail an invitation link
    when they have not set a password yet."""
    with transaction():
        user = find_user(email)
        if user is None:
            user = User(email=email.strip().lower(), role=role, password_hash=None)
            db.session.add(user)
            db.session.flush()
        for campaign in campaigns:
            add_member(campaign, user)
        if user.password_hash is None:
            raw = _issue_account_token(user, "invite")
            queue_mail(user.email, "invite", _l("You are invited to organise campaigns"),
                       invite_url=external_url("accounts.invite_accept", token=raw), inviter=by,
                       campaigns=campaigns, days=current_app.config["INVITE_TOKEN_DAYS"])
        record("invite_user", by, email=user.email, role=user.role,
               campaigns=[c.slug for c in campaigns])
    return user


def request_reset(email: str) -> None:
    """Mail a reset link if an account with a password exists; silently do nothing otherwise,
    so the page cannot be used to find out who has an account."""
    with transaction():
        user = find_user(email)
        if user is None or not user.is_active:
            return
        raw = _issue_account_token(user, "reset")
        queue_mail(user.email, "password_reset", _l("Reset your organiser password"),
                   reset_url=external_url("accounts.reset_password", token=raw),
                   minutes=current_app.config["RESET_TOKEN_MINUTES"])
        record("password_reset_requested", user)


def live_account_token(raw: str, purpose: str) -> AccountToken | None:
    token = find_token(AccountToken, raw, purpose)
    if token is None or token.used_at is not None or is_expired(token):
        return None
    if not token.user.active:
        return None
    return token


def use_account_token(raw: str, purpose: str, password: str) -> User | None:
    """Set the password from an invite or reset link; the link works once. None if it is dead."""
    hashed = hash_password(password)
    with transaction():
        token = live_account_token(raw, purpose)
        if token is None:
            return None
        now = utcnow()
        # Conditional UPDATE: of two concurrent submissions only one uses the token.
        used = db.session.execute(
            sa.update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False)
        ).rowcount
        if not used:
            return None
        user = token.user
        user.password_hash = hashed
        end_sessions(user)  # a session someone else holds (a stolen cookie) ends with the old password
        # Every other outstanding link for this account dies with it.
        db.session.execute(
            sa.update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False)
        )
        record("invite_accepted" if purpose == "invite" else "password_reset", user)
    return user


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.email)))
