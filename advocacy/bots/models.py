import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DisposableDomain(db.Model):
    """A disposable-mail domain loaded with `flask advocacy load-disposable-domains`. While this table
    is empty, the list of the installed `disposable-email-domains` package is the one in force."""

    __tablename__ = "disposable_domains"

    domain: Mapped[str] = mapped_column(sa.String(253), primary_key=True)
