"""Split ZIPs made exact: a signer whose ZIP spans several districts says which one is theirs.

Their signature then counts in that district alone, as a constituent for certain (no longer
"may include"), in tallies, exports and deliveries, because all of them read signature_districts.
The answer is kept with the districts offered, so a signer who tapped the wrong one can change it.
"""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..campaigns.models import Campaign
from ..database import transaction, utcnow
from ..extensions import db
from ..geography.models import SignatureDistrict
from ..geography.service import districts_of
from ..tokens import hash_token
from . import counting
from .models import Signature, SignatureToken, TallyDelta
from .service import SignatureError, signature_for_token


class DistrictAnswer(db.Model):
    """A signer's answer to "which of these districts is yours?"."""

    __tablename__ = "district_answers"

    signature_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    candidates: Mapped[str] = mapped_column(sa.String(200))  # the labels offered, space-separated
    district: Mapped[str] = mapped_column(sa.String(8))
    answered_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class NotACandidate(ValueError):
    """The district named is not one the signer's ZIP touches."""


def district_candidates(signature_id: int) -> list[str]:
    """The districts the signer may choose from: those of their ZIP while it spans several, the ones
    offered before once answered (so a wrong tap can be corrected); [] when the district is certain
    from the ZIP alone."""
    rows = districts_of(signature_id)
    if len(rows) > 1:
        return [row.district for row in rows if row.shared]
    answer = db.session.get(DistrictAnswer, signature_id)
    if answer is not None and [(r.district, r.shared) for r in rows] == [(answer.district, False)]:
        return answer.candidates.split()
    return []


def lock_signature_of_token(raw: str) -> None:
    """Take the signature's row lock first thing, through its confirm token, so that answers for
    one signature (and its withdrawal or invalidation) run one after another and each reads what
    the one before wrote. A write, so it also serialises on SQLite."""
    owner = sa.select(SignatureToken.signature_id).where(
        SignatureToken.token_hash == hash_token(raw), SignatureToken.purpose == "confirm").scalar_subquery()
    db.session.execute(sa.update(Signature).where(Signature.id == owner)
                       .values(last_mailed_at=Signature.last_mailed_at)
                       .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class DistrictChoice:
    signature: Signature
    district: str
    changed: bool


def choose_district(raw: str, label: str) -> DistrictChoice:
    """Make `label` the signature's only district, certain. Exactly once: the tally deltas are the
    difference between the districts before and after, so answering again changes nothing and a
    second, different answer moves the signature from one district to the other."""
    with transaction(keep_loaded=True):
        lock_signature_of_token(raw)
        signature = signature_for_token(raw, "confirm")
        db.session.refresh(signature)
        if signature.status not in ("confirmed", "held"):
            raise SignatureError("invalid_link", signature.campaign)
        candidates = district_candidates(signature.id)
        if label not in candidates:
            raise NotACandidate(label)
        before = districts_of(signature.id)
        if [(row.district, row.shared) for row in before] == [(label, False)]:
            return DistrictChoice(signature, label, False)
        db.session.execute(sa.delete(SignatureDistrict).where(SignatureDistrict.signature_id == signature.id))
        db.session.execute(sa.insert(SignatureDistrict),
                           [{"signature_id": signature.id, "district": label, "shared": False}])
        now = utcnow()
        answer = db.session.get(DistrictAnswer, signature.id)
        if answer is None:
            db.session.add(DistrictAnswer(signature_id=signature.id, campaign_id=signature.campaign_id,
                                          candidates=" ".join(candidates), district=label, answered_at=now))
        else:
            answer.district, answer.answered_at = label, now
        if signature.status == "confirmed":  # only confirmed signatures are in the tallies
            after = [SignatureDistrict(signature_id=signature.id, district=label, shared=False)]
            change = Counter(counting.tally_keys(signature, after))
            change.subtract(counting.tally_keys(signature, before))
            db.session.execute(sa.insert(TallyDelta), [
                {"campaign_id": signature.campaign_id, "kind": kind, "key": key, "delta": delta}
                for (kind, key), delta in sorted(change.items()) if delta])
        return DistrictChoice(signature, label, True)


def answer_counts(campaign: Campaign) -> dict[str, int]:
    """{"answered": n, "asked": n} among confirmed signatures. Every signer whose ZIP spans several
    districts is asked on the confirmed page: asked = those who answered (their district is now
    certain) + those whose districts are still shared."""
    confirmed = (Signature.campaign_id == campaign.id, Signature.status == "confirmed")
    still_shared = (sa.select(SignatureDistrict.signature_id).join(Signature, Signature.id == SignatureDistrict.signature_id)
                    .where(*confirmed, SignatureDistrict.shared.is_(True)).distinct())
    unanswered = db.session.scalar(sa.select(sa.func.count()).select_from(still_shared.subquery())) or 0
    answered = db.session.scalar(
        sa.select(sa.func.count()).select_from(DistrictAnswer)
        .join(Signature, Signature.id == DistrictAnswer.signature_id)
        .where(*confirmed, DistrictAnswer.signature_id.not_in(still_shared))) or 0
    return {"answered": answered, "asked": answered + unanswered}
