"""The signature list organisers export and packets cite: streamed CSV, XLSX and OSDI JSON."""
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import transaction
from ..geography.models import Legislator, SignatureDistrict, district_label
from ..signatures.models import Signature
from ..spreadsheets import FORMULA_STARTS, UTF8_BOM, csv_writer, neutralise, xlsx_chunks

# signed_on: "online", or "paper" for a signature an organiser typed in from a paper sheet.
CSV_COLUMNS = ("full_name", "town", "state", "zip", "districts", "district_note", "confirmed_at",
               "comment", "email", "signed_on")
XLSX_COLUMNS = CSV_COLUMNS[:6] + ("confirmed_at_utc",) + CSV_COLUMNS[7:]
XLSX_WIDTHS = {"full_name": 28, "town": 18, "districts": 16, "district_note": 30, "confirmed_at_utc": 20,
               "comment": 40, "email": 28, "signed_on": 10}
FLUSH_ROWS = 1000


def constituents_filter(member: Legislator | None):
    if member is None:
        return sa.true()
    if member.chamber == "senate":
        return Signature.state == member.state
    label = district_label(member.state, member.district)
    return Signature.id.in_(sa.select(SignatureDistrict.signature_id).where(SignatureDistrict.district == label))


@dataclass
class ListedSignature:
    id: int
    full_name: str
    email: str
    share_email: bool
    postal_code: str
    state: str | None
    town: str | None
    confirmed_at: datetime
    comment: str | None
    districts: list[str]
    shared: bool
    paper: bool = False  # typed in from a paper sheet (signatures.source "paper")


def listed_signatures(connection, campaign_id: int, member: Legislator | None = None,
                      until: datetime | None = None) -> Iterator[ListedSignature]:
    """Confirmed signatures in id order, streamed (server-side cursor, constant memory).

    `connection`: the session, or an engine connection owned by a streamed response."""
    s, d = Signature, SignatureDistrict
    stmt = (
        sa.select(s.id, s.full_name, s.email, s.share_email, s.postal_code, s.state, s.town, s.confirmed_at,
                  sa.case((s.comment_status == "approved", s.comment), else_=None), d.district, d.shared,
                  s.source)
        .outerjoin(d, d.signature_id == s.id)
        .where(s.campaign_id == campaign_id, s.status == "confirmed", constituents_filter(member))
        .order_by(s.id, d.district)
    )
    if until is not None:
        stmt = stmt.where(s.confirmed_at <= until)
    current = None
    for row in connection.execute(stmt.execution_options(yield_per=2000)):
        if current is not None and current.id == row[0]:
            current.districts.append(row[9])
            continue
        if current is not None:
            yield current
        current = ListedSignature(*row[:9], districts=[row[9]] if row[9] else [], shared=bool(row[10]),
                                  paper=row[11] == "paper")
    if current is not None:
        yield current


def _district_note(sig: ListedSignature) -> str:
    if sig.shared:
        return f"may include: ZIP spans {len(sig.districts)} districts"
    if not sig.districts or sig.districts[0].endswith("??"):
        return "district unknown"
    return ""


def csv_chunks(signatures) -> Iterator[bytes]:
    """The signature list's CSV bytes: the one producer of them (a packet's SHA-256 hashes this output).

    UTF-8 with a byte order mark, so spreadsheets do not guess a legacy code page and garble accents."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv_writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for n, sig in enumerate(signatures, 1):
        writer.writerow([neutralise(value) for value in (
            sig.full_name, sig.town or "", sig.state or "", sig.postal_code, " ".join(sig.districts),
            _district_note(sig), sig.confirmed_at.strftime("%Y-%m-%dT%H:%M:%SZ"), sig.comment or "",
            sig.email if sig.share_email else "", "paper" if sig.paper else "online",
        )])
        if n % FLUSH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_of_signatures(signatures) -> Iterator[bytes]:
    """The same list as `csv_chunks` as an XLSX workbook: ZIPs as text, confirmation times as dates,
    names and comments as text cells (never formulas, so not neutralised)."""
    rows = ((sig.full_name, sig.town, sig.state, sig.postal_code, " ".join(sig.districts), _district_note(sig),
             sig.confirmed_at, sig.comment, sig.email if sig.share_email else None,
             "paper" if sig.paper else "online") for sig in signatures)
    return xlsx_chunks("Signatures", XLSX_COLUMNS, rows, XLSX_WIDTHS)


def xlsx_of_stored_csv(csv_bytes: bytes) -> Iterator[bytes]:
    """A frozen delivery's stored CSV as a workbook: the same rows and columns, cells as text, the
    CSV's formula-neutralising quote taken off again (a workbook's text cell is never a formula)."""
    rows = csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"), newline=""))
    header = next(rows, [])
    plain = ([cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell for cell in row]
             for row in rows)
    return xlsx_chunks("Signatures", header, plain, XLSX_WIDTHS)


def osdi_chunks(connection, campaign_id: int, title: str, petition_url: str, origin: str) -> Iterator[bytes]:
    """An OSDI collection of osdi:signature resources, streamed as one JSON document."""
    head = {"title": title, "origin_system": origin, "petition": petition_url}
    yield json.dumps(head)[:-1].encode() + b', "_embedded": {"osdi:signatures": ['
    for n, sig in enumerate(listed_signatures(connection, campaign_id)):
        yield (b"," if n else b"") + json.dumps(_osdi_signature(sig)).encode()
    yield b"]}}"


def _osdi_signature(sig: ListedSignature) -> dict:
    given, _, family = sig.full_name.strip().rpartition(" ")
    person = {
        "given_name": given or family, "family_name": family if given else "",
        "postal_addresses": [{"primary": True, "locality": sig.town or "", "region": sig.state or "",
                              "postal_code": sig.postal_code, "country": "US"}],
    }
    if sig.share_email:
        person["email_addresses"] = [{"primary": True, "address": sig.email}]
    item = {"identifiers": [f"advocacy:signature-{sig.id}"],
            "created_date": sig.confirmed_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "person": person}
    if sig.comment:
        item["comments"] = sig.comment
    return item


def record_export(user, campaign: Campaign, kind: str, **details) -> None:
    with transaction():
        record("export", user, campaign, kind=kind, **details)


