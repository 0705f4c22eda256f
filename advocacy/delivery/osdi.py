"""The signature list as OSDI v1 resources (https://opensupporter.github.io/osdi-docs/): a paged
collection of osdi:signature records, each with its osdi:person embedded and linked, and the petition.

What a person record carries, and why:
- given_name / family_name exactly as the signer typed them (never split by us; family_name is
  left out when the signer gave one name, or signed before names had two parts).
- email_addresses only when the signer asked for updates about this campaign (`keep_updated`) and
  has not unsubscribed since. OSDI exports feed the organiser's mailing tools (Action Network and
  the like), so an address is a subscription; the "share my email with my lawmakers' offices"
  consent covers delivery to offices only and never puts an address here.
- postal_addresses: town, ZIP, a region only when it is a USPS state, DC or territory code (not the
  military "AE"/"AP"/"AA" or "??" for an unknown ZIP), country "US". Anonymised signatures keep
  their region and nothing that identifies the person.
"""
import math
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..campaigns.models import Campaign
from ..extensions import db
from ..signatures.models import Signature
from ..urls import external_url
from .map_svg import STATE_NAMES
from .tallies import OTHER_AREAS

SYSTEM = "advocacy"  # the prefix of our identifiers: "advocacy:signature-12"
CURIES = [{"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}]
REGIONS = frozenset(STATE_NAMES) | (frozenset(OTHER_AREAS) - {"??"})
PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 100


class BadPage(ValueError):
    """A page or per_page that is not a number in range; the message says what is accepted."""


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int


def paging(page: str | None, per_page: str | None) -> Paging:
    def number(text, default, name, maximum=None):
        if text is None or text == "":
            return default
        if not (text.isascii() and text.isdigit()) or int(text) < 1 or (maximum and int(text) > maximum):
            raise BadPage(f"{name} must be a whole number from 1" + (f" to {maximum}" if maximum else ""))
        return int(text)
    return Paging(number(page, 1, "page", 10**9), number(per_page, PER_PAGE_DEFAULT, "per_page", PER_PAGE_MAX))


def _date(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _listed():
    return (Signature.status == "confirmed",)


def _signature_url(campaign: Campaign, signature_id: int) -> str:
    return external_url("exports.osdi_signature", slug=campaign.slug, signature_id=signature_id)


def _person_url(campaign: Campaign, signature_id: int) -> str:
    return external_url("exports.osdi_person", slug=campaign.slug, signature_id=signature_id)


def _petition_url(campaign: Campaign) -> str:
    return external_url("exports.osdi_petition", slug=campaign.slug)


def person(campaign: Campaign, s: Signature, origin: str) -> dict:
    record: dict = {
        "identifiers": [f"{SYSTEM}:person-{s.id}"], "origin_system": origin,
        "created_date": _date(s.created_at), "modified_date": _date(s.modified_at or s.created_at),
    }
    if s.given_name:
        record["given_name"] = s.given_name
    if s.family_name:
        record["family_name"] = s.family_name
    if s.keep_updated and s.anonymised_at is None:
        record["email_addresses"] = [{"primary": True, "address": s.email, "status": "subscribed"}]
    address: dict = {"primary": True}
    if s.town:
        address["locality"] = s.town
    if s.state in REGIONS:
        address["region"] = s.state
    if s.postal_code and len(s.postal_code) >= 5:  # anonymised rows keep only the ZIP3 area: not a ZIP
        address["postal_code"] = s.postal_code
    address["country"] = "US"
    record["postal_addresses"] = [address]
    record["_links"] = {"self": {"href": _person_url(campaign, s.id)}}
    return record


def signature(campaign: Campaign, s: Signature, origin: str) -> dict:
    record: dict = {
        "identifiers": [f"{SYSTEM}:signature-{s.id}"], "origin_system": origin,
        "created_date": _date(s.created_at), "modified_date": _date(s.modified_at or s.created_at),
        "action_date": _date(s.created_at),
    }
    if s.comment and s.comment_status == "approved":  # unmoderated comments stay with us
        record["comments"] = s.comment
    record["_links"] = {"self": {"href": _signature_url(campaign, s.id)},
                        "osdi:petition": {"href": _petition_url(campaign)},
                        "osdi:person": {"href": _person_url(campaign, s.id)}}
    record["_embedded"] = {"osdi:person": person(campaign, s, origin)}
    return record


def signatures_page(campaign: Campaign, wanted: Paging, origin: str) -> dict | None:
    """One page of the campaign's confirmed signatures, oldest first (None: no such page)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Signature)
                              .where(Signature.campaign_id == campaign.id, *_listed())) or 0
    pages = max(1, math.ceil(total / wanted.per_page))
    if wanted.page > pages:
        return None
    rows = db.session.scalars(
        sa.select(Signature).where(Signature.campaign_id == campaign.id, *_listed())
        .order_by(Signature.id).offset((wanted.page - 1) * wanted.per_page).limit(wanted.per_page)).all()

    def url(page):
        return external_url("exports.osdi_signatures", slug=campaign.slug, page=page, per_page=wanted.per_page)

    links: dict = {"self": {"href": url(wanted.page)}}
    if wanted.page < pages:
        links["next"] = {"href": url(wanted.page + 1)}
    if wanted.page > 1:
        links["prev"] = {"href": url(wanted.page - 1)}
    links["osdi:signatures"] = [{"href": _signature_url(campaign, s.id)} for s in rows]
    links["curies"] = CURIES
    return {"total_pages": pages, "per_page": wanted.per_page, "page": wanted.page, "total_records": total,
            "_links": links, "_embedded": {"osdi:signatures": [signature(campaign, s, origin) for s in rows]}}


def listed_signature(campaign: Campaign, signature_id: int) -> Signature | None:
    return db.session.scalars(sa.select(Signature).where(
        Signature.id == signature_id, Signature.campaign_id == campaign.id, *_listed())).one_or_none()


def with_curies(record: dict) -> dict:
    record["_links"]["curies"] = CURIES
    return record


def petition(campaign: Campaign, origin: str) -> dict:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Signature)
                              .where(Signature.campaign_id == campaign.id, *_listed())) or 0
    return {
        "identifiers": [f"{SYSTEM}:petition-{campaign.id}"], "origin_system": origin,
        "created_date": _date(campaign.created_at), "modified_date": _date(campaign.updated_at),
        "title": campaign.title, "petition_text": campaign.ask, "total_signatures": total,
        "browser_url": external_url("public.show", slug=campaign.slug),
        "_links": {"self": {"href": _petition_url(campaign)},
                   "osdi:signatures": {"href": external_url("exports.osdi_signatures", slug=campaign.slug)},
                   "curies": CURIES},
    }
