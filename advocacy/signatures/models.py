from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import BigId, one_of, utcnow
from ..extensions import db
from ..tokens import LinkToken

# Only `confirmed` counts. `held`: confirmed by the signer but signed over a soft rate limit, so it
# waits for an organiser to release it (see HOLD_REASONS). `invalidated` is set by organisers'
# fraud tools and can be undone.
SIGNATURE_STATUSES = ("pending", "confirmed", "held", "removed", "invalidated")
# Why a signature is held for review instead of counted when confirmed: signed over the per-network
# soft limit, a bot trap on the form sprung (advocacy.bots.BOT_TRAPS: stored, never mailed until an
# organiser releases it), or a disposable-mail domain.
HOLD_REASONS = ("ip_rate", "honeypot", "too_fast", "disposable")
COMMENT_STATUSES = ("none", "pending", "approved", "rejected")
# Confirm and remove links, and the unsubscribe link in update mails.
SIGNATURE_TOKEN_PURPOSES = ("confirm", "remove", "updates")


class Signature(db.Model):
    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    # The name to show, in the signer's own order (signatures.names.display_name). The parts are
    # kept as typed, for exports that want them apart (OSDI): never split from full_name.
    full_name: Mapped[str] = mapped_column(sa.String(100))
    given_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    # None: the signer has one name only, or signed before the parts were asked for (then
    # given_name holds the whole name as typed).
    family_name: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    # Lower-cased; dots and +tags dropped for Gmail. One signature per campaign per canonical email.
    email_canonical: Mapped[str] = mapped_column(sa.String(254))
    postal_code: Mapped[str] = mapped_column(sa.String(10))
    # USPS state resolved from the ZIP when signed ("??" unknown; None: signed before geography).
    # Its districts are in signature_districts (advocacy.geography).
    state: Mapped[str | None] = mapped_column(sa.String(2), nullable=True)
    town: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    comment: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    comment_status: Mapped[str] = mapped_column(sa.String(10), default="none")
    show_name: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    keep_updated: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    share_email: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    locale: Mapped[str] = mapped_column(sa.String(5), default="en")
    # Keyed hash (HMAC) of the client IP, for abuse review; the raw address is never stored.
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    # Set when signed suspect (HOLD_REASONS): confirming then makes it `held`, not `confirmed`.
    hold_reason: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    # When we last mailed this address about this signature (throttles re-sends).
    last_mailed_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    # When its personal data was erased (retention or the signer's request; advocacy.privacy).
    anonymised_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    # Where the signer came from: the page's validated ?source= code (a partner, a post, "widget",
    # "share-whatsapp"); None for a direct visit. No cookie or third-party script is involved.
    source: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    # When the row last changed after it was signed (status, comment, consent, anonymising, and mail
    # bookkeeping too): set by every UPDATE made through SQLAlchemy (ORM or Core), so a change is
    # never missed by an export's modified_date; a spurious bump only makes a sync re-read a record.
    # NULL: never changed (created_at stands).
    modified_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True, onupdate=utcnow)
    # A signature typed in from a paper sheet (source "paper"): which organiser entered it, and when.
    entered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    entered_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)

    campaign = relationship("Campaign", lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "email_canonical", name="uq_signatures_campaign_email"),
        sa.Index("ix_signatures_campaign_status", "campaign_id", "status"),
        sa.Index("ix_signatures_campaign_comments", "campaign_id", "comment_status", "confirmed_at"),
        sa.Index("ix_signatures_campaign_anonymised", "campaign_id", "anonymised_at"),
        one_of("status", SIGNATURE_STATUSES, name="status_known"),
        one_of("comment_status", COMMENT_STATUSES, name="comment_status_known"),
        one_of("hold_reason", HOLD_REASONS, name="hold_reason_known"),
        sa.Index("ix_signatures_ip_hash_created", "ip_hash", "created_at"),
        sa.Index("ix_signatures_campaign_source", "campaign_id", "source"),
    )

    @property
    def public_name(self) -> str:
        """The name only with consent; otherwise empty and pages say "A supporter"."""
        if self.show_name:
            return self.full_name
        return ""

    def __repr__(self):
        return f"<Signature {self.id} {self.status}>"


class SignatureToken(LinkToken, db.Model):
    """A single-purpose link token; only its SHA-256 is stored."""

    __tablename__ = "signature_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="CASCADE"), index=True
    )

    signature = relationship("Signature")

    __table_args__ = (one_of("purpose", SIGNATURE_TOKEN_PURPOSES, name="purpose_known"),)


class ConfirmationDue(db.Model):
    """A signature whose confirmation mail the worker has still to write: its links (tokens) and the
    mail in the outbox (`service.queue_due_confirmations`). Stored in the signing statement itself,
    so an answered signature always gets its mail, while the request does none of that work."""

    __tablename__ = "confirmations_due"

    signature_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("signatures.id", ondelete="CASCADE"),
                                              primary_key=True)


class Tally(db.Model):
    """Folded counters: (campaign, kind, key) -> count. kind "total" has key ""."""

    __tablename__ = "tallies"

    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    count: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class TallyDelta(db.Model):
    """Append-only +1/-1 rows written in the signer's transaction; folded into Tally by the worker.

    Inserts never contend with each other, so a surge does not serialise on a counter row.
    """

    __tablename__ = "tally_deltas"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(32))
    delta: Mapped[int] = mapped_column(sa.Integer)

    __table_args__ = (sa.Index("ix_tally_deltas_campaign_kind", "campaign_id", "kind"),)
