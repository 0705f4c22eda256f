"""ZIP -> state and district(s), lawmakers by place, and the data loader.

Rules (also in the README):
- The state comes from the `zipcodes` package (USPS data, offline); if it does not know the ZIP,
  from zccd.csv. A ZIP zccd.csv places in two states keeps only the districts of that state.
- The districts are every 119th-Congress district zccd.csv lists for the ZIP in that state. A ZIP
  in several districts is counted in each of them, flagged "may include" (`shared`).
- ZIPs missing from zccd.csv (PO boxes, company ZIPs): district 0 in single-seat states, else
  "XX-??" (district unknown). A ZIP neither source knows: state "??", district "??-??".
  Nothing is dropped, and signing never fails for lack of geography.
"""
import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
import zipcodes

from ..database import core_connection, transaction
from ..extensions import db
from .models import (
    DistrictOffice,
    Legislator,
    SignatureDistrict,
    ZipDistrict,
    district_label,
    office_title,
    spoken_title,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
UNKNOWN_STATE = "??"
# States and territories with a single House seat (district 0, "at-large").
AT_LARGE = frozenset({"AK", "DE", "ND", "SD", "VT", "WY", "DC", "PR", "AS", "GU", "MP", "VI"})


@dataclass(frozen=True)
class Place:
    state: str
    districts: tuple[str, ...]
    town: str = ""

    @property
    def shared(self) -> bool:
        return len(self.districts) > 1


def usps_lookup(zip5: str) -> tuple[str | None, str]:
    """(state, town) from `zipcodes` (native lookup, ~0.5 ms); (None, "") if it does not know the ZIP."""
    if not (isinstance(zip5, str) and len(zip5) == 5 and zip5.isascii() and zip5.isdigit()):
        return None, ""
    try:
        found = zipcodes.matching(zip5)
    except (ValueError, TypeError):  # the library refuses what it cannot read: no place, not a failure
        return None, ""
    return (found[0]["state"], found[0]["city"].title()) if found else (None, "")


def zip5(postal_code: str) -> str:
    """The first five ASCII digits of any text ("６０６１４" has none: str.isdigit would keep them)."""
    return "".join(ch for ch in (postal_code if isinstance(postal_code, str) else "") if ch in "0123456789")[:5]


def resolve(postal_code: str) -> Place:
    return _resolve_zip(zip5(postal_code))


@lru_cache(maxsize=50_000)
def _resolve_zip(code: str) -> Place:
    """Places are read once per ZIP per process (there are ~42,000 ZIPs). After `load-geography`
    changes the districts, restart the app servers (the command clears its own process's cache).
    Read on a connection of its own, not in the session's transaction: the caller may be about to
    sign in autocommit (`signatures.service.sign`)."""
    usps_state, town = usps_lookup(code)
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.select(ZipDistrict.state, ZipDistrict.district).where(ZipDistrict.zip == code)).all()
    state = usps_state or (min(s for s, _ in rows) if rows else UNKNOWN_STATE)
    numbers = sorted({d for s, d in rows if s == state})
    if not numbers and state in AT_LARGE:
        numbers = [0]
    if not numbers:
        return Place(state, (district_label(state, None),), town)
    return Place(state, tuple(district_label(state, n) for n in numbers), town)


def store_districts(signature_id: int, place: Place) -> None:
    """The districts of a new signature (inside the caller's transaction)."""
    core_connection().execute(SignatureDistrict.__table__.insert(), [
        {"signature_id": signature_id, "district": label, "shared": place.shared} for label in place.districts
    ])


def districts_insert_from(signature_id) -> sa.Insert:
    """INSERT of a new signature's districts, the id taken from `signature_id` (a column of a CTE
    that inserted the signature, so both go in one statement). PostgreSQL only (unnest); bound
    parameters from `district_parameters`. The labels are bound as one comma-separated text, split
    by PostgreSQL: psycopg spends more CPU adapting a Python list than the statement's other values."""
    table = SignatureDistrict.__table__
    labels = sa.func.string_to_array(sa.bindparam("district_labels", type_=sa.String), sa.literal_column("','"))
    return table.insert().from_select(["signature_id", "district", "shared"], sa.select(
        signature_id, sa.func.unnest(labels), sa.bindparam("district_shared", type_=sa.Boolean)))


def district_parameters(place: Place) -> dict:
    """Labels are "IL-07", "IL-SEN": never a comma."""
    return {"district_labels": ",".join(place.districts), "district_shared": place.shared}


def assign(signature) -> Place:
    """Store the signature's state and districts (inside the caller's transaction)."""
    place = resolve(signature.postal_code)
    signature.state = place.state
    signature.town = place.town[:60]
    db.session.flush()
    db.session.execute(sa.delete(SignatureDistrict).where(SignatureDistrict.signature_id == signature.id))
    db.session.execute(sa.insert(SignatureDistrict), [
        {"signature_id": signature.id, "district": label, "shared": place.shared} for label in place.districts
    ])
    return place


_DISTRICTS = SignatureDistrict.__table__
_DISTRICTS_OF = (sa.select(_DISTRICTS.c.signature_id, _DISTRICTS.c.district, _DISTRICTS.c.shared)
                 .where(_DISTRICTS.c.signature_id.in_(sa.bindparam("ids", expanding=True)))
                 .order_by(_DISTRICTS.c.signature_id, _DISTRICTS.c.district))


def districts_of(signature_id: int) -> list:
    return districts_by_signature([signature_id]).get(signature_id, [])


def districts_by_signature(signature_ids: list[int]) -> dict[int, list]:
    """The stored districts of many signatures in one query (per 1,000 ids): rows with
    `signature_id`, `district` and `shared` (plain rows, no ORM objects: confirming reads them)."""
    found: dict[int, list] = {}
    for start in range(0, len(signature_ids), 1000):
        for row in core_connection().execute(_DISTRICTS_OF, {"ids": signature_ids[start:start + 1000]}):
            found.setdefault(row.signature_id, []).append(row)
    return found


def parse_label(label: str) -> tuple[str, int | None]:
    state, _, number = label.partition("-")
    if number == "AL":
        return state, 0
    return state, int(number) if number.isdigit() else None


def seat_names() -> tuple[dict[str, str], dict[str, list[str]]]:
    """({district label: representative's name}, {state: [senators' names]}): plain rows, for
    pages that only need names (the public JSON, on every request)."""
    house, senate = {}, {}
    rows = db.session.execute(sa.select(Legislator.name, Legislator.chamber, Legislator.state, Legislator.district)
                              .order_by(Legislator.name))
    for name, chamber, state, district in rows:
        if chamber == "house":
            house[district_label(state, district)] = name
        else:
            senate.setdefault(state, []).append(name)
    return house, senate


def legislators_by_seat() -> tuple[dict[str, Legislator], dict[str, list[Legislator]]]:
    """({district label: representative}, {state: [senators]}) in two small queries' worth."""
    house, senate = {}, {}
    for member in db.session.scalars(sa.select(Legislator).order_by(Legislator.name)):
        if member.chamber == "house":
            house[district_label(member.state, member.district)] = member
        else:
            senate.setdefault(member.state, []).append(member)
    return house, senate


@dataclass(frozen=True)
class Lawmakers:
    state: str
    representatives: list[tuple[str, "Member | None"]]  # (district label, member or None if vacant)
    senators: list["Member"]
    district_known: bool
    # False when the petition addresses none of the signer's members (another state, chamber).
    addressed: bool = True
    house_addressed: bool = True  # whether representatives are addressed at all (district matters)


@dataclass(frozen=True)
class Member:
    """A member of Congress as pages show them (a plain copy of a Legislator row, kept in memory)."""
    bioguide_id: str
    name: str
    chamber: str
    state: str
    district: int | None
    party: str
    url: str
    phone: str
    address: str


@lru_cache(maxsize=1)
def members_by_seat() -> tuple[dict[str, Member], dict[str, list[Member]]]:
    """({district label: representative}, {state: [senators]}), read once per process (about 540
    rows); `forget_places` drops it after a reload."""
    house, senate = {}, {}
    for m in db.session.scalars(sa.select(Legislator).order_by(Legislator.name)):
        member = Member(m.bioguide_id, m.name, m.chamber, m.state, m.district, m.party, m.url, m.phone,
                        m.address)
        if m.chamber == "house":
            house[district_label(m.state, m.district)] = member
        else:
            senate.setdefault(m.state, []).append(member)
    return house, senate


def lawmakers_for(signature, labels: list[str] | None = None, chamber: str = "both",
                  states: frozenset[str] = frozenset()) -> Lawmakers | None:
    """The signer's members that a petition addresses: `chamber` ("both", "house", "senate") and
    `states` (empty: every state) are the campaign's target. `labels`: the signature's stored
    district labels, if already loaded."""
    if not signature.state:
        return None
    in_target = not states or signature.state in states
    house_on = chamber in ("both", "house") and in_target
    senate_on = chamber in ("both", "senate") and in_target
    if labels is None:
        labels = [d.district for d in districts_of(signature.id)] if house_on else []
    known = [label for label in labels if parse_label(label)[1] is not None]
    house, senate = members_by_seat()
    representatives = [(label, house.get(label)) for label in known] if house_on else []
    senators = list(senate.get(signature.state, [])) if senate_on else []
    return Lawmakers(signature.state, representatives, senators, bool(known) or not house_on,
                     addressed=in_target, house_addressed=house_on)


def _legislator_rows(path: Path) -> list[dict]:
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = r["full_name"].strip() or f"{r['first_name']} {r['last_name']}".strip()
            senate = r["type"] == "sen"
            rows.append({
                "bioguide_id": r["bioguide_id"], "name": name, "chamber": "senate" if senate else "house",
                "state": r["state"], "district": None if senate else int(r["district"] or 0),
                "party": r["party"], "url": r["url"], "phone": r["phone"], "address": r["address"],
            })
    return rows


@lru_cache(maxsize=1)
def last_names() -> dict[str, str]:
    """bioguide_id -> last name ("Van Hollen", "Hernández Rivera") from the lawmaker CSV, for
    formal salutations; the table stores only the full name."""
    with (DATA_DIR / "legislators-current.csv").open(newline="", encoding="utf-8") as f:
        return {r["bioguide_id"]: r["last_name"].strip() for r in csv.DictReader(f) if r["last_name"].strip()}


def last_name(member: Legislator) -> str:
    """The member's last name; the last word of the full name (without "Jr." etc.) when unknown."""
    known = last_names().get(member.bioguide_id)
    if known:
        return known
    words = [w for w in member.name.replace(",", " ").split()
             if w.rstrip(".").lower() not in {"jr", "sr", "ii", "iii", "iv"}]
    return words[-1] if words else member.name


def _zip_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        pairs = {(r["zcta"].zfill(5), r["state_abbr"], int(r["cd"])) for r in csv.DictReader(f)}
    return [{"zip": z, "state": s, "district": d} for z, s, d in sorted(pairs)]


def _office_rows(path: Path, members: set[str]) -> list[dict]:
    """District offices of current members (rows for anyone else are skipped)."""
    def number(text):
        try:
            value = float(text)
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["bioguide"] not in members or not r["id"]:
                continue
            rows.append({
                "id": r["id"][:60], "bioguide_id": r["bioguide"], "address": r["address"].strip()[:200],
                "building": r["building"].strip()[:120], "suite": r["suite"].strip()[:80],
                "city": r["city"].strip()[:60], "state": r["state"].strip()[:2], "zip": r["zip"].strip()[:10],
                "phone": r["phone"].strip()[:40], "hours": r["hours"].strip()[:200],
                "latitude": number(r["latitude"]), "longitude": number(r["longitude"]),
            })
    return rows


def load_geography(zccd: Path | None = None, legislators: Path | None = None,
                   offices: Path | None = None) -> tuple[int, int]:
    """Replace the ZIP->district, lawmaker and district office tables from the CSVs in one
    transaction (idempotent).

    Signatures keep the districts they were given when signed; only new signatures see changes.
    Returns (zip-district rows, legislators).
    """
    zip_rows = _zip_rows(zccd or DATA_DIR / "zccd.csv")
    member_rows = _legislator_rows(legislators or DATA_DIR / "legislators-current.csv")
    office_rows = _office_rows(offices or DATA_DIR / "legislators-district-offices.csv",
                               {r["bioguide_id"] for r in member_rows})
    with transaction():
        db.session.execute(sa.delete(ZipDistrict))
        db.session.execute(sa.delete(DistrictOffice))
        db.session.execute(sa.delete(Legislator))
        db.session.execute(sa.insert(ZipDistrict), zip_rows)
        db.session.execute(sa.insert(Legislator), member_rows)
        if office_rows:
            db.session.execute(sa.insert(DistrictOffice), office_rows)
    forget_places()
    return len(zip_rows), len(member_rows)


def office_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(DistrictOffice)) or 0


@dataclass(frozen=True)
class Office:
    """A district office as pages show it (a plain copy of a DistrictOffice row)."""
    bioguide_id: str
    address: str
    building: str
    suite: str
    city: str
    state: str
    zip: str
    phone: str
    hours: str
    latitude: float | None
    longitude: float | None

    @property
    def street_lines(self) -> list[str]:
        """["90 7th St., Suite 2-800", "San Francisco, CA 94103"] (the building on its own line)."""
        street = ", ".join(part for part in (self.address, self.suite) if part)
        town = " ".join(part for part in (f"{self.city}," if self.city else "", self.state, self.zip) if part)
        return [line for line in (self.building, street, town.strip(" ,")) if line]


@lru_cache(maxsize=1)
def offices_by_member() -> dict[str, tuple[Office, ...]]:
    """bioguide id -> its district offices, read once per process (about 1,300 rows)."""
    found: dict[str, list[Office]] = {}
    for o in db.session.scalars(sa.select(DistrictOffice).order_by(DistrictOffice.id)):
        found.setdefault(o.bioguide_id, []).append(Office(
            o.bioguide_id, o.address, o.building, o.suite, o.city, o.state, o.zip, o.phone, o.hours,
            o.latitude, o.longitude))
    return {member: tuple(offices) for member, offices in found.items()}


def zip_position(code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a ZIP's centre from the `zipcodes` package, or None."""
    if not (len(code) == 5 and code.isascii() and code.isdigit()):
        return None
    try:
        found = zipcodes.matching(code)
        return (float(found[0]["lat"]), float(found[0]["long"])) if found else None
    except (ValueError, TypeError, KeyError):
        return None


def _miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 3958.8 * 2 * math.asin(math.sqrt(min(1.0, h)))


def nearest_office(bioguide_id: str, postal_code: str, town: str = "") -> Office | None:
    """The member's district office nearest the signer: one in their ZIP or town if there is one,
    else the closest to their ZIP's centre (the office's own position, or its ZIP's centre).
    Offices with a phone number come first, since the page is for calling."""
    offices = offices_by_member().get(bioguide_id, ())
    with_phone = [o for o in offices if o.phone]
    offices = with_phone or list(offices)
    if not offices:
        return None
    code = zip5(postal_code)
    for office in offices:
        if code and office.zip[:5] == code:
            return office
    for office in offices:
        if town and office.city.casefold() == town.casefold():
            return office
    here = zip_position(code)
    if here is None:
        return offices[0]

    def distance(office: Office) -> float:
        there = ((office.latitude, office.longitude) if office.latitude is not None and office.longitude is not None
                 else zip_position(office.zip[:5]))
        return _miles(here, there) if there else math.inf

    return min(offices, key=distance)


def tel_href(phone: str) -> str | None:
    """"202-225-4965" -> "tel:+12022254965" (US numbers); None when there is no number to dial."""
    digits = "".join(ch for ch in (phone or "") if ch in "0123456789")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return f"tel:+1{digits}" if len(digits) == 10 else None


def forget_places() -> None:
    """Drop this process's remembered ZIP places and members (after the data changes)."""
    _resolve_zip.cache_clear()
    members_by_seat.cache_clear()
    offices_by_member.cache_clear()
    last_names.cache_clear()


@dataclass(frozen=True)
class Contact:
    """How a signer reaches one of their members: the Washington office and the nearest district office."""
    member: Member
    district: str | None  # "IL-5"; None for a senator
    title: str  # "Representative", "Senator", "Delegate", "Resident Commissioner"
    dc_phone_href: str | None
    office: Office | None
    office_phone_href: str | None

    def spoken_title(self, locale: str) -> str:
        """The title to put in a call script written in `locale`: "Representative", "representante en la Cámara"."""
        return spoken_title(self.title, locale)


def contacts_for(lawmakers: Lawmakers | None, postal_code: str, town: str = "") -> list[Contact]:
    """The members in `lawmakers` (vacant seats left out), representatives first, each with their
    nearest district office to the signer's ZIP."""
    if lawmakers is None or not lawmakers.addressed:
        return []
    seats = [(label, m) for label, m in lawmakers.representatives if m is not None]
    seats += [(None, m) for m in lawmakers.senators]
    contacts = []
    for label, member in seats:
        office = nearest_office(member.bioguide_id, postal_code, town)
        contacts.append(Contact(member, label, office_title(member.chamber, member.state), tel_href(member.phone),
                                office, tel_href(office.phone) if office else None))
    return contacts
