import sqlalchemy as sa
from flask_babel import force_locale, pgettext
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ZipDistrict(db.Model):
    """One row per (ZIP, district) pair from zccd.csv; district 0 is an at-large seat."""

    __tablename__ = "zip_districts"

    zip: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    district: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)


class Legislator(db.Model):
    """A current member of Congress (legislators-current.csv)."""

    __tablename__ = "legislators"

    bioguide_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    chamber: Mapped[str] = mapped_column(sa.String(6))  # "house" | "senate"
    state: Mapped[str] = mapped_column(sa.String(2))
    district: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)  # 0 at-large; None senators
    party: Mapped[str] = mapped_column(sa.String(40), default="")
    url: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")

    __table_args__ = (
        sa.Index("ix_legislators_state_district", "state", "district"),
        sa.CheckConstraint("chamber IN ('house', 'senate')", name="chamber_known"),
    )

    @property
    def district_label(self) -> str | None:
        return None if self.chamber == "senate" else district_label(self.state, self.district)

    @property
    def title(self) -> str:
        """The short form before a name: "Sen.", "Rep.", "Del." or "Res. Comm."."""
        return SHORT_TITLES[self.office]

    @property
    def office(self) -> str:
        """"Senator", "Representative", "Delegate" (DC and four territories) or "Resident Commissioner" (PR)."""
        return office_title(self.chamber, self.state)


#: House seats whose holder is not a "Representative": non-voting members of the House.
DELEGATE_AREAS = frozenset({"DC", "VI", "GU", "AS", "MP"})
RESIDENT_COMMISSIONER_AREAS = frozenset({"PR"})
SHORT_TITLES = {"Senator": "Sen.", "Representative": "Rep.", "Delegate": "Del.",
                "Resident Commissioner": "Res. Comm."}


def office_title(chamber: str, state: str) -> str:
    if chamber == "senate":
        return "Senator"
    if state in RESIDENT_COMMISSIONER_AREAS:
        return "Resident Commissioner"
    return "Delegate" if state in DELEGATE_AREAS else "Representative"


def spoken_title(office: str, locale: str) -> str:
    """`office` (from office_title) as said inside a call script written in `locale` ("ask {title}
    {member}"). Spanish needs words that fit any member ("representante en la Cámara", "integrante del
    Senado"): the data does not say senador or senadora."""
    with force_locale(locale):
        return {"Senator": pgettext("in a call script", "Senator"),
                "Representative": pgettext("in a call script", "Representative"),
                "Delegate": pgettext("in a call script", "Delegate"),
                "Resident Commissioner": pgettext("in a call script", "Resident Commissioner")}[office]


def district_label(state: str, district: int | None) -> str:
    """"CA-12"; "VT-AL" for an at-large seat; "CA-??" when the district is unknown."""
    if district is None:
        return f"{state}-??"
    return f"{state}-AL" if district == 0 else f"{state}-{district}"


class SignatureDistrict(db.Model):
    """The district(s) a signature's ZIP lies in, resolved once when it was signed.

    Stored rather than looked up, so tallies do not move when the geography is reloaded and
    recount can rebuild them from the signatures alone. `shared`: the ZIP spans several districts,
    so the signer "may" live in this one (the signature is counted in each).
    """

    __tablename__ = "signature_districts"

    signature_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True)
    district: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    shared: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    __table_args__ = (sa.Index("ix_signature_districts_district", "district", "signature_id"),)


class DistrictOffice(db.Model):
    """A member's office back home (legislators-district-offices.csv): address, phone, hours and,
    for most, its position. Replaced with the lawmakers by `load-geography`."""

    __tablename__ = "district_offices"

    id: Mapped[str] = mapped_column(sa.String(60), primary_key=True)  # "P000197-san_francisco"
    bioguide_id: Mapped[str] = mapped_column(sa.String(10), index=True)
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    building: Mapped[str] = mapped_column(sa.String(120), default="")
    suite: Mapped[str] = mapped_column(sa.String(80), default="")
    city: Mapped[str] = mapped_column(sa.String(60), default="")
    state: Mapped[str] = mapped_column(sa.String(2), default="")
    zip: Mapped[str] = mapped_column(sa.String(10), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    hours: Mapped[str] = mapped_column(sa.String(200), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
