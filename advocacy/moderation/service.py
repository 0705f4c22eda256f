import sqlalchemy as sa

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import transaction
from ..extensions import db
from ..signatures.letters import Letter
from ..signatures.models import Signature

DECISIONS = {"approve": "approved", "reject": "rejected"}
LISTED = ("pending", "approved", "rejected")


def comments(campaign: Campaign, status: str = "pending", limit: int = 200) -> list[Signature]:
    """Comments of confirmed signatures in one moderation state, oldest first (a queue)."""
    return list(db.session.scalars(
        sa.select(Signature)
        .where(Signature.campaign_id == campaign.id, Signature.status == "confirmed",
               Signature.comment_status == status)
        .order_by(Signature.confirmed_at, Signature.id).limit(limit)))


def comment_counts(campaign: Campaign) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Signature.comment_status, sa.func.count())
        .where(Signature.campaign_id == campaign.id, Signature.status == "confirmed",
               Signature.comment_status.in_(LISTED))
        .group_by(Signature.comment_status))
    return dict.fromkeys(LISTED, 0) | dict(rows.all())


def moderate(campaign: Campaign, signature_ids: list[int], decision: str, user) -> int:
    """Approve or reject comments of this campaign; returns how many changed."""
    new_status = DECISIONS[decision]
    ids = sorted({int(i) for i in signature_ids})
    if not ids:
        return 0
    with transaction():
        changed = db.session.execute(
            sa.update(Signature)
            .where(Signature.campaign_id == campaign.id, Signature.id.in_(ids),
                   Signature.comment_status.in_(LISTED), Signature.comment_status != new_status)
            .values(comment_status=new_status).execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            record("comments_" + new_status, user, campaign, count=changed, signature_ids=ids[:500])
    return changed


def comments_awaiting(campaign: Campaign, limit: int = 5) -> tuple[list[Signature], int]:
    """The latest comments waiting for a decision, and how many wait in all."""
    where = (Signature.campaign_id == campaign.id, Signature.status == "confirmed",
             Signature.comment_status == "pending")
    latest = list(db.session.scalars(
        sa.select(Signature).where(*where).order_by(Signature.confirmed_at.desc()).limit(limit)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Signature).where(*where))
    return latest, total


def letters_waiting(campaign: Campaign) -> int:
    return letter_counts(campaign)["pending"]


# --- Letters: the same queue and decisions as comments, on the letters table. ---

def letters(campaign: Campaign, status: str = "pending", limit: int = 200) -> list[Letter]:
    """Letters of confirmed signatures in one moderation state, oldest first (a queue)."""
    return list(db.session.scalars(
        sa.select(Letter).join(Signature, Signature.id == Letter.signature_id)
        .where(Letter.campaign_id == campaign.id, Signature.status == "confirmed", Letter.status == status)
        .order_by(Letter.updated_at, Letter.id).limit(limit)))


def letter_counts(campaign: Campaign) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Letter.status, sa.func.count()).join(Signature, Signature.id == Letter.signature_id)
        .where(Letter.campaign_id == campaign.id, Signature.status == "confirmed")
        .group_by(Letter.status))
    return dict.fromkeys(LISTED, 0) | dict(rows.all())


def moderate_letters(campaign: Campaign, letter_ids: list[int], decision: str, user) -> int:
    """Approve or reject letters of this campaign; returns how many changed."""
    new_status = DECISIONS[decision]
    ids = sorted({int(i) for i in letter_ids})
    if not ids:
        return 0
    with transaction():
        changed = db.session.execute(
            sa.update(Letter)
            .where(Letter.campaign_id == campaign.id, Letter.id.in_(ids), Letter.status != new_status)
            .values(status=new_status).execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            record("letters_" + new_status, user, campaign, count=changed, letter_ids=ids[:500])
    return changed
