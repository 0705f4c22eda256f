"""Access rules for every organiser page."""
import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from ..campaigns.models import Campaign
from ..extensions import db, login_manager
from .service import can_manage


def require_login():
    """before_request hook for organiser blueprints: anonymous visitors go to the login page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def require_admin():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)


def managed_campaign_or_404(slug: str) -> Campaign:
    """The campaign if the current user may manage it; 404 otherwise, so other groups' campaigns
    are not even confirmed to exist."""
    campaign = db.session.scalars(sa.select(Campaign).where(Campaign.slug == slug)).one_or_none()
    if campaign is None or not can_manage(current_user, campaign):
        abort(404)
    return campaign
