"""Entering a paper sheet. Each public function owns its transaction."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..audit.service import record
from ..campaigns.models import Campaign
from ..campaigns.service import campaign_text
from ..database import dialect_insert, transaction, utcnow
from ..extensions import db
from ..geography import service as geography
from ..mail.service import queue_mail
from ..signatures import counting
from ..signatures.identity import canonical_email
from ..signatures.models import Signature, SignatureToken
from ..tokens import issue_token
from ..urls import external_url
from .sheet_pdf import SheetText, build_sheet_pdf

SOURCE = "paper"  # signatures.source of every signature typed in from a sheet
SHEET_SOURCE = "sheet"  # the ?source= code the sheet's QR code carries
# A signature with no email (email "") still needs a canonical email of its own (unique per
# campaign): a random name at a reserved domain that can never receive mail (RFC 2606), which the
# fraud page's per-domain counts show as one understandable group.
NO_EMAIL_DOMAIN = "@no-email.paper.invalid"


@dataclass(frozen=True)
class PaperSigner:
    full_name: str
    postal_code: str
    email: str  # "" when the signer gave none
    keep_updated: bool


class SheetRefused(Exception):
    """The sheet cannot be entered; `problems` maps a row number (from 1) to what is wrong with it,
    or is empty when the campaign no longer takes signatures."""

    def __init__(self, problems: dict[int, str]):
        super().__init__(problems)
        self.problems = problems


def sheet_pdf(campaign: Campaign, paper: str = "a4") -> bytes:
    english = campaign_text(campaign, "en")
    spanish = campaign_text(campaign, "es")
    written = spanish.lang("title") == "es" or spanish.lang("ask") == "es"
    url = external_url("public.show", slug=campaign.slug, source=SHEET_SOURCE)
    return build_sheet_pdf(SheetText(english.title, english.ask),
                           SheetText(spanish.title, spanish.ask) if written else None, url, paper)


def _existing(campaign_id: int, canonicals: list[str]) -> dict[str, str]:
    """canonical email -> status, for signatures of the campaign with these addresses."""
    if not canonicals:
        return {}
    return dict(db.session.execute(
        sa.select(Signature.email_canonical, Signature.status)
        .where(Signature.campaign_id == campaign_id, Signature.email_canonical.in_(canonicals))).all())


def _duplicate_message(status: str):
    if status == "removed":
        return _l("This email signed before and removed the signature; ask the signer to sign again online")
    if status == "pending":
        return _l("This email signed online and has not confirmed yet; the confirmation mail is waiting for them")
    return _l("This email has already signed this campaign")


def email_status(campaign: Campaign, email: str):
    """What the entry form says about one typed email (the as-you-type check), or None when it is new."""
    status = _existing(campaign.id, [canonical_email(email)]).get(canonical_email(email))
    return _duplicate_message(status) if status else None


def problems_with(campaign: Campaign, rows: dict[int, PaperSigner]) -> dict[int, str]:
    """Duplicates: an email already signed in this campaign, or twice on the sheet; the same name and
    ZIP twice on the sheet (one person written down twice)."""
    problems: dict[int, str] = {}
    seen_email: dict[str, int] = {}
    seen_person: dict[tuple[str, str], int] = {}
    for number, signer in rows.items():
        person = (" ".join(signer.full_name.casefold().split()), signer.postal_code[:5])
        if person in seen_person:
            problems[number] = _l("Same name and ZIP code as row %(row)d", row=seen_person[person])
        seen_person.setdefault(person, number)
        if signer.email:
            canonical = canonical_email(signer.email)
            if canonical in seen_email:
                problems[number] = _l("Same email as row %(row)d", row=seen_email[canonical])
            seen_email.setdefault(canonical, number)
    existing = _existing(campaign.id, list(seen_email))
    for canonical, number in seen_email.items():
        if canonical in existing:
            problems[number] = _duplicate_message(existing[canonical])
    return problems


def enter_sheet(campaign: Campaign, user, rows: dict[int, PaperSigner], locale: str) -> list[int]:
    """Store the sheet's signers as confirmed signatures (source "paper", entered by `user` now),
    count them, audit the sheet as one entry, and queue a notice with a removal link to each signer
    who gave an email. All or nothing: any duplicate refuses the whole sheet (SheetRefused), so the
    organiser fixes those rows and sends the same page again. Returns the new signatures' ids."""
    if not campaign.accepts_signatures():
        raise SheetRefused({})
    problems = problems_with(campaign, rows)
    if problems:
        raise SheetRefused(problems)
    with transaction():
        now = utcnow()
        ids = []
        for number, signer in rows.items():
            place = geography.resolve(signer.postal_code)
            email = signer.email
            canonical = canonical_email(email) if email else secrets.token_hex(12) + NO_EMAIL_DOMAIN
            inserted = db.session.execute(
                dialect_insert(Signature.__table__)
                .values(campaign_id=campaign.id, full_name=signer.full_name, email=email,
                        email_canonical=canonical, postal_code=signer.postal_code, state=place.state,
                        town=place.town[:60], comment_status="none", show_name=False,
                        keep_updated=bool(email) and signer.keep_updated, share_email=False,
                        status="confirmed", locale=locale, created_at=now, confirmed_at=now,
                        source=SOURCE, entered_by_id=user.id, entered_at=now)
                .on_conflict_do_nothing(index_elements=["campaign_id", "email_canonical"])
                .returning(Signature.__table__.c.id)
            ).scalar()
            if inserted is None:  # signed online since the check: refuse the sheet, roll back
                raise SheetRefused({number: _duplicate_message("confirmed")})
            geography.store_districts(inserted, place)
            ids.append(inserted)
        signatures = list(db.session.scalars(sa.select(Signature).where(Signature.id.in_(ids))))
        counting.record_changes(signatures, +1)
        for signature in signatures:
            if signature.email:
                _mail_notice(signature, campaign, user)
        record("paper_sheet_entered", user, campaign, count=len(ids), locale=locale,
               with_email=sum(1 for s in signatures if s.email), signature_ids=ids)
    return ids


def _mail_notice(signature: Signature, campaign: Campaign, user) -> None:
    remove = issue_token(SignatureToken, "remove", timedelta(days=current_app.config["REMOVE_TOKEN_DAYS"]),
                         signature_id=signature.id)
    locale = signature.locale
    queue_mail(
        signature.email, "paper_notice", _l("Your signature from a paper sheet is counted"), locale,
        campaign_id=campaign.id, signature_id=signature.id, signature=signature, campaign=campaign,
        organiser_name=user.name or "",
        campaign_url=external_url("public.show", slug=campaign.slug, lang=locale),
        remove_url=external_url("public.remove", token=remove, lang=locale),
    )
    signature.last_mailed_at = utcnow()
