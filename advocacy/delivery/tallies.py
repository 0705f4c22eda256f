"""Tally kinds "state", "district" and "district_partial", kept like the campaign total.

- state: one key per signature (its USPS state, "??" unknown), so the states add up to the total.
- district: a signature counts in every district its ZIP touches ("CA-12", "VT-AL", "CA-??").
- district_partial: of a district's count, how many came from ZIPs shared with other districts
  (shown as "may include"). Registered with counting so confirm/remove/recount keep them exact.
"""
import sqlalchemy as sa

from ..geography.models import SignatureDistrict
from ..geography.service import districts_of
from ..signatures import counting
from ..signatures.models import Signature

STATE, DISTRICT, PARTIAL = "state", "district", "district_partial"


def _state_keys(signature):
    return [(STATE, signature.state)] if signature.state else []


def _expected_states():
    return (sa.select(Signature.campaign_id, sa.literal(STATE).label("kind"), Signature.state.label("key"),
                      sa.func.count().label("n"))
            .where(Signature.status == "confirmed", Signature.state.is_not(None))
            .group_by(Signature.campaign_id, Signature.state))


def _district_keys(signature):
    keys = []
    for row in districts_of(signature.id):
        keys.append((DISTRICT, row.district))
        if row.shared:
            keys.append((PARTIAL, row.district))
    return keys


def _expected(kind, shared_only):
    query = (sa.select(Signature.campaign_id, sa.literal(kind).label("kind"),
                       SignatureDistrict.district.label("key"), sa.func.count().label("n"))
             .join(SignatureDistrict, SignatureDistrict.signature_id == Signature.id)
             .where(Signature.status == "confirmed")
             .group_by(Signature.campaign_id, SignatureDistrict.district))
    return query.where(SignatureDistrict.shared.is_(True)) if shared_only else query


def _expected_districts():
    return sa.union_all(_expected(DISTRICT, False), _expected(PARTIAL, True))


counting.register_tally_keys(_state_keys, _expected_states)
counting.register_tally_keys(_district_keys, _expected_districts)
