"""Public campaign pages and the JSON view."""
import sqlalchemy as sa

from advocacy.campaigns.models import Campaign
from advocacy.campaigns.seed import seed_campaigns
from advocacy.campaigns.seed_data import SEED_CAMPAIGNS
from advocacy.campaigns.service import render_markdown
from advocacy.extensions import db
from tests.conftest import post_button


def test_home_lists_open_campaigns_with_counts_and_links(client, make_campaign, signer):
    open_one = make_campaign(title="Child care we can afford", goal=10)
    make_campaign(title="Secret draft", state="draft")
    links = signer(open_one.slug)
    post_button(client, links["confirm"])
    html = client.get("/").get_data(as_text=True)
    assert "Child care we can afford" in html
    assert f'href="/campaigns/{open_one.slug}"' in html
    assert "Secret draft" not in html
    assert '<progress class="progress__bar" max="10" value="1"' in html


def test_campaign_page_shows_ask_background_count_form_and_approved_comments(client, campaign, signer):
    from advocacy.signatures.models import Signature

    links = signer(campaign.slug, comment="Night-shift nurse, two kids.", show_name=True)
    post_button(client, links["confirm"])
    html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert campaign.ask in html
    assert "Why it <strong>matters</strong>." in html
    assert 'autocomplete="postal-code"' in html and 'autocomplete="email"' in html
    assert "Night-shift nurse" not in html  # not approved yet

    db.session.execute(sa.update(Signature).values(comment_status="approved"))
    db.session.commit()
    html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Night-shift nurse, two kids." in html
    assert "Maria Lopez" in html


def test_draft_and_unknown_campaigns_are_not_found(client, make_campaign):
    draft = make_campaign(state="draft")
    assert client.get(f"/campaigns/{draft.slug}").status_code == 404
    assert client.get(f"/campaigns/{draft.slug}.json").status_code == 404
    assert client.get("/campaigns/no-such-thing").status_code == 404


def test_campaign_json_has_the_public_fields(client, campaign):
    response = client.get(f"/campaigns/{campaign.slug}.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.json
    assert {"slug", "title", "state", "signature_count", "goal", "closes_at"} <= set(data)
    assert data["slug"] == campaign.slug and data["state"] == "open" and data["signature_count"] == 0
    assert data["closes_at"].endswith("Z")


def test_markdown_background_is_sanitised():
    html = render_markdown("Hello <script>alert(1)</script> [x](javascript:alert(1)) **bold**")
    assert "<script" not in html and "href=\"javascript" not in html
    assert "<strong>bold</strong>" in html


def test_pages_send_security_headers(client, campaign):
    response = client.get(f"/campaigns/{campaign.slug}")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_campaign_page_is_small_for_slow_phones(client, campaign):
    page = client.get(f"/campaigns/{campaign.slug}")
    css = client.get("/static/css/site.css")
    assert len(page.data) + len(css.data) < 100_000


def test_spanish_is_offered_and_chosen_from_the_browser(client, campaign):
    html = client.get("/").get_data(as_text=True)
    assert 'hreflang="es"' in html
    html = client.get(f"/campaigns/{campaign.slug}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Firmar la petición" in html


def test_a_spanish_signer_gets_the_confirmation_mail_in_spanish(client, campaign, inbox):
    from tests.conftest import deliver_mail, sign_form

    client.get("/?lang=es")  # the choice is remembered for the form that follows
    sign_form(client, campaign.slug, email="lucia@example.org")
    deliver_mail()
    [mail] = inbox.to("lucia@example.org")
    assert mail["Subject"] == "Confirma tu firma, por favor"


def test_seed_creates_the_essay_campaigns_and_is_idempotent(app):
    assert len(seed_campaigns()) == 5
    first = [tuple(r) for r in db.session.execute(sa.select(Campaign.__table__).order_by(Campaign.id))]
    assert seed_campaigns() == []
    second = [tuple(r) for r in db.session.execute(sa.select(Campaign.__table__).order_by(Campaign.id))]
    assert first == second
    slugs = {c["slug"] for c in SEED_CAMPAIGNS}
    assert {"paid-family-leave", "raise-minimum-wage", "affordable-child-care"} <= slugs
    for campaign in db.session.scalars(sa.select(Campaign)):
        assert campaign.state == "open" and campaign.goal > 0 and campaign.closes_at
        assert campaign.ask.endswith(".") and campaign.background


def test_seed_command_runs_twice_without_changes(app):
    runner = app.test_cli_runner()
    assert "Seeded 5 new campaign(s)" in runner.invoke(args=["advocacy", "seed"]).output
    assert "none (all present)" in runner.invoke(args=["advocacy", "seed"]).output


def test_numbers_on_pages_follow_the_visitors_language(client, make_campaign):
    campaign = make_campaign(goal=12345)
    english = client.get(f"/campaigns/{campaign.slug}?lang=en").get_data(as_text=True)
    spanish = client.get(f"/campaigns/{campaign.slug}?lang=es").get_data(as_text=True)
    assert "12,345" in english and "12.345" not in english
    assert "12.345" in spanish and "12,345" not in spanish
