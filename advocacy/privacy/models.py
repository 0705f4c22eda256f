
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import BigId, one_of
from ..extensions import db
from ..tokens import LinkToken

# "access": the mailed link that shows everything stored about an address and lets its owner erase it.
PRIVACY_TOKEN_PURPOSES = ("access",)


class PrivacyToken(LinkToken, db.Model):
    """A link mailed to an address (not to one signature): it covers every signature and donation
    stored under that canonical email. Only its SHA-256 is stored."""

    __tablename__ = "privacy_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email_canonical: Mapped[str] = mapped_column(sa.String(254), index=True)

    __table_args__ = (one_of("purpose", PRIVACY_TOKEN_PURPOSES, name="purpose_known"),)
