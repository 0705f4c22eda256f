import sqlalchemy as sa

from ..extensions import db
from .models import AuditEvent


def record(action: str, user=None, campaign=None, **details) -> AuditEvent:
    """Add an audit entry to the session: it commits (or not) with the change it describes."""
    event = AuditEvent(action=action, user_id=getattr(user, "id", None),
                       campaign_id=getattr(campaign, "id", None), details=details)
    db.session.add(event)
    return event


def recent_events(limit: int = 200, campaign_id: int | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if campaign_id is not None:
        query = query.where(AuditEvent.campaign_id == campaign_id)
    return list(db.session.scalars(query))
