"""A letter in the signer's own words to their members, written after confirming.

Consent is the signer's: `deliver` (to their members, in the member's packet), `show_publicly` (also
on the campaign page) and `show_name` (otherwise "A constituent in <town>"). Letters wait for an
organiser's approval (advocacy.moderation) before they are shown or delivered, like comments.
When the deployment sends letters through Congress's official channel (CWC_ENABLED), the signer's
street address and salutation are asked and stored with the letter, since that channel requires them.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..campaigns.models import Campaign
from ..database import BigId, one_of, transaction, utcnow
from ..extensions import db
from .districts import lock_signature_of_token
from .models import Signature
from .service import SignatureError, signature_for_token

LETTER_STATUSES = ("pending", "approved", "rejected")
LETTER_MAX_CHARS = 5000
LETTER_MIN_CHARS = 20
SALUTATIONS = ("Ms.", "Mr.", "Mx.", "Dr.")  # the prefixes CWC accepts that we offer


class Letter(db.Model):
    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signature_id: Mapped[int] = mapped_column(sa.ForeignKey("signatures.id", ondelete="CASCADE"), unique=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    deliver: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    show_publicly: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    show_name: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Only when CWC_ENABLED: the official channel needs the sender's street address.
    street_address: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    city: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    prefix: Mapped[str | None] = mapped_column(sa.String(4), nullable=True)  # CWC's salutation: Ms., Mr., Mx., Dr.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    signature = relationship("Signature", lazy="joined")

    __table_args__ = (
        sa.Index("ix_letters_campaign_status", "campaign_id", "status", "created_at"),
        one_of("status", LETTER_STATUSES, name="status_known"),
    )

    @property
    def byline_name(self) -> str:
        """The name with consent; "" otherwise (pages then say "A constituent")."""
        return self.signature.full_name if self.show_name else ""


@dataclass(frozen=True)
class LetterDetails:
    body: str
    deliver: bool = True
    show_publicly: bool = False
    show_name: bool = False
    street_address: str | None = None
    city: str | None = None
    prefix: str | None = None


def letter_of(signature_id: int) -> Letter | None:
    return db.session.scalars(sa.select(Letter).where(Letter.signature_id == signature_id)).one_or_none()


def write_letter(raw: str, details: LetterDetails) -> Letter:
    """Store (or replace) the signer's letter; a changed letter waits for moderation again."""
    with transaction():
        lock_signature_of_token(raw)
        signature = signature_for_token(raw, "confirm")
        db.session.refresh(signature)
        if signature.status not in ("confirmed", "held"):
            raise SignatureError("invalid_link", signature.campaign)
        letter = letter_of(signature.id) or Letter(signature_id=signature.id, campaign_id=signature.campaign_id)
        letter.body = details.body.strip()
        letter.deliver = details.deliver
        letter.show_publicly = details.show_publicly
        letter.show_name = details.show_name
        letter.street_address = (details.street_address or "").strip() or None
        letter.city = (details.city or "").strip() or None
        letter.prefix = details.prefix if details.prefix in SALUTATIONS else None
        letter.status = "pending"
        letter.updated_at = utcnow()
        db.session.add(letter)
        db.session.flush()
        return letter


def public_letters(campaign: Campaign, limit: int = 10) -> list[Letter]:
    """Approved letters whose writers agreed to show them on the campaign page, newest first."""
    return list(db.session.scalars(
        sa.select(Letter).join(Signature, Signature.id == Letter.signature_id)
        .where(Letter.campaign_id == campaign.id, Letter.status == "approved", Letter.show_publicly.is_(True),
               Signature.status == "confirmed")
        .order_by(Letter.updated_at.desc(), Letter.id.desc()).limit(limit)))
