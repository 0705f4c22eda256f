import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..campaigns.models import Campaign
from ..database import transaction, utcnow
from ..extensions import db
from .models import CampaignMember, User

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verifying against this keeps unknown emails as slow as wrong passwords (no account probing by timing).
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def find_user(email: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one_or_none()


def create_user(email: str, password: str | None, role: str = "organiser", name: str = "") -> User:
    """Create an account; without a password it cannot log in until one is set (invites)."""
    with transaction():
        if find_user(email):
            raise AccountError("An account with this email already exists")
        user = User(email=email.strip().lower(), name=name, role=role,
                    password_hash=hash_password(password) if password else None)
        db.session.add(user)
    return user


def set_password(user: User, password: str) -> None:
    with transaction():
        user.password_hash = hash_password(password)


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    with transaction():
        user.last_login_at = utcnow()
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
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
