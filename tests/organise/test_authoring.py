"""Organisers create and edit campaigns, with a preview; Markdown is sanitised; slugs are safe."""
import sqlalchemy as sa

from advocacy.accounts.models import CampaignMember
from advocacy.audit.models import AuditEvent
from advocacy.campaigns.models import Campaign
from advocacy.extensions import db
from tests.conftest import csrf_token, post_button

FIELDS = {
    "title": "Fair pay for care workers", "slug": "care-pay", "ask": "Raise care workers' pay.",
    "summary": "", "background": "Care is **work**.\n\n<script>alert(1)</script>[x](javascript:alert(1))",
    "target_chamber": "senate", "target_states": "wi, il", "goal": "500", "opens_at": "",
    "closes_at": "2031-05-01T12:00",
}


def submit(client, url, **changes):
    page = client.get(url)
    assert page.status_code == 200
    data = FIELDS | {"csrf_token": csrf_token(page.get_data(as_text=True))} | changes
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def test_organiser_creates_a_draft_campaign_they_then_manage(organiser_client):
    response = submit(organiser_client, "/organise/campaigns/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organise/campaigns/care-pay")
    campaign = db.session.scalars(sa.select(Campaign).where(Campaign.slug == "care-pay")).one()
    assert (campaign.state, campaign.target_chamber, campaign.target_states, campaign.goal) == \
        ("draft", "senate", "IL,WI", 500)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignMember)
                             .where(CampaignMember.campaign_id == campaign.id)) == 1
    assert organiser_client.get("/organise/campaigns/care-pay").status_code == 200
    assert organiser_client.get("/campaigns/care-pay").status_code == 404  # drafts are invisible
    assert "campaign_create" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_preview_shows_sanitised_markdown_and_saves_nothing(organiser_client):
    response = submit(organiser_client, "/organise/campaigns/new", preview="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = html.split('id="preview-heading"')[1].split("</section>")[0]
    assert "<strong>work</strong>" in preview
    assert "<script" not in preview and 'href="javascript' not in preview
    assert db.session.scalars(sa.select(Campaign).where(Campaign.slug == "care-pay")).first() is None


def test_invalid_fields_are_shown_beside_the_fields(organiser_client, campaign):
    response = submit(organiser_client, "/organise/campaigns/new", slug="Bad Slug!", goal="0",
                      target_states="IL, XX", title="", opens_at="2031-06-01T00:00")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Use only lower-case letters, digits and single hyphens", "Goal must be a whole number above 0",
                    "Not a US state code: XX", "Enter a title", "The closing date must be after the opening date"):
        assert message in html
    taken = submit(organiser_client, "/organise/campaigns/new", slug=campaign.slug)
    assert taken.status_code == 422 and "Another campaign uses this web address name" in taken.get_data(as_text=True)


def test_edit_saves_changes_and_audits_them(organiser_client, campaign):
    response = submit(organiser_client, f"/organise/campaigns/{campaign.slug}/edit", slug=campaign.slug,
                      title="Paid leave for every worker")
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.title == "Paid leave for every worker" and campaign.target_chamber == "senate"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "campaign_edit")).one()
    assert "title" in event.details["fields"] and event.campaign_id == campaign.id


def test_slug_cannot_change_once_people_have_signed(organiser_client, campaign, signer):
    assert submit(organiser_client, f"/organise/campaigns/{campaign.slug}/edit", slug="new-slug").status_code == 302
    db.session.refresh(campaign)
    assert campaign.slug == "new-slug"
    signer("new-slug")
    form = organiser_client.get("/organise/campaigns/new-slug/edit").get_data(as_text=True)
    assert "the web address cannot change" in form
    response = submit(organiser_client, "/organise/campaigns/new-slug/edit", slug="another-slug")
    assert response.status_code == 422
    db.session.refresh(campaign)
    assert campaign.slug == "new-slug"


def test_a_created_campaign_can_be_opened_and_signed(organiser_client, signer):
    submit(organiser_client, "/organise/campaigns/new")
    page = organiser_client.get("/organise/campaigns/care-pay").get_data(as_text=True)
    organiser_client.post("/organise/campaigns/care-pay/state", data={"csrf_token": csrf_token(page), "to": "open"})
    public = organiser_client.get("/campaigns/care-pay").get_data(as_text=True)
    assert "Care is <strong>work</strong>" in public
    assert "<script>alert(1)" not in public and 'href="javascript' not in public
    post_button(organiser_client, signer("care-pay")["confirm"])
    assert "<strong>1</strong> confirmed signatures" in organiser_client.get(
        "/organise/campaigns/care-pay").get_data(as_text=True)
