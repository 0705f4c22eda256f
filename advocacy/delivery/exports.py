"""The signature list organisers export and packets cite: streamed CSV, XLSX and OSDI JSON."""
import csv
import io
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

# full_name: the name as the signer writes it (their order); given_name and family_name as typed
# (family_name empty for one name, or for signatures made before names had two parts).
# signed_on: "online", or "paper" for a signature an organiser typed in from a paper sheet.
CSV_COLUMNS = ("full_name", "given_name", "family_name", "town", "state", "zip", "districts", "district_note",
               "confirmed_at", "comment", "email", "signed_on")
XLSX_COLUMNS = CSV_COLUMNS[:8] + ("confirmed_at_utc",) + CSV_COLUMNS[9:]
XLSX_WIDTHS = {"full_name": 28, "given_name": 20, "family_name": 20, "town": 18, "districts": 16,
               "district_note": 30, "confirmed_at_utc": 20,
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
    given_name: str
    family_name: str | None
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
        sa.select(s.id, s.full_name, s.given_name, s.family_name, s.email, s.share_email, s.postal_code, s.state,
                  s.town, s.confirmed_at,
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
            current.districts.append(row[11])
            continue
        if current is not None:
            yield current
        current = ListedSignature(*row[:11], districts=[row[11]] if row[11] else [], shared=bool(row[12]),
                                  paper=row[13] == "paper")
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
            sig.full_name, sig.given_name, sig.family_name or "", sig.town or "", sig.state or "", sig.postal_code, " ".join(sig.districts),
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
    rows = ((sig.full_name, sig.given_name, sig.family_name, sig.town, sig.state, sig.postal_code,
             " ".join(sig.districts), _district_note(sig), sig.confirmed_at, sig.comment,
             sig.email if sig.share_email else None, "paper" if sig.paper else "online") for sig in signatures)
    return xlsx_chunks("Signatures", XLSX_COLUMNS, rows, XLSX_WIDTHS)


def xlsx_of_stored_csv(csv_bytes: bytes) -> Iterator[bytes]:
    """A frozen delivery's stored CSV as a workbook: the same rows and columns, cells as text, the
    CSV's formula-neutralising quote taken off again (a workbook's text cell is never a formula)."""
    rows = csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"), newline=""))
    header = next(rows, [])
    plain = ([cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell for cell in row]
             for row in rows)
    return xlsx_chunks("Signatures", header, plain, XLSX_WIDTHS)


def record_export(user, campaign: Campaign, kind: str, **details) -> None:
    with transaction():
        record("export", user, campaign, kind=kind, **details)


