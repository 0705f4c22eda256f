"""The hot paths of a surge (README, "Public pages a CDN can serve" and "Signing in few round trips"):
cached pages answer 304 to a copy that is still current, and a campaign copy cached for signing never
lets a closed campaign take a signature."""
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, post_button, sign_form


def stored_emails():
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Signature.email)))


def test_a_campaign_closed_meanwhile_takes_no_signature_from_a_server_that_cached_it_open(app, campaign, admin_client):
    app.config["CAMPAIGN_CACHE_SECONDS"] = 60  # this process keeps its copy of the open campaign a minute
    signer = app.test_client()
    assert sign_form(signer, campaign.slug, email="first@example.org").status_code == 303

    page = admin_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    closed = admin_client.post(f"/organise/campaigns/{campaign.slug}/state",
                               data={"csrf_token": csrf_token(page), "to": "closed"})
    assert closed.status_code in (302, 303)

    late = signer.post(f"/campaigns/{campaign.slug}/sign", data={
        "given_name": "Late", "family_name": "Signer", "email": "late@example.org", "postal_code": "60614"})
    assert late.status_code == 410
    assert "closed" in late.get_data(as_text=True).lower()
    assert stored_emails() == {"first@example.org"}


def test_a_signer_who_signs_again_on_a_cached_campaign_is_told_nothing_new(app, campaign):
    app.config["CAMPAIGN_CACHE_SECONDS"] = 60
    signer = app.test_client()
    assert sign_form(signer, campaign.slug, email="ana@example.org").status_code == 303
    assert sign_form(signer, campaign.slug, email="ana@example.org").status_code == 303
    assert stored_emails() == {"ana@example.org"}


def test_campaign_page_and_json_answer_304_while_unchanged_and_200_with_a_new_count(app, client, campaign, signer):
    for path in (f"/campaigns/{campaign.slug}", f"/campaigns/{campaign.slug}.json"):
        first = client.get(path)
        etag = first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
        assert "public" in again.headers["Cache-Control"]

    page_etag = client.get(f"/campaigns/{campaign.slug}").headers["ETag"]
    json_etag = client.get(f"/campaigns/{campaign.slug}.json").headers["ETag"]
    assert post_button(client, signer(campaign.slug)["confirm"]).status_code == 200

    page = client.get(f"/campaigns/{campaign.slug}", headers={"If-None-Match": page_etag})
    data = client.get(f"/campaigns/{campaign.slug}.json", headers={"If-None-Match": json_etag})
    assert page.status_code == 200 and page.headers["ETag"] != page_etag
    assert data.status_code == 200 and data.json["signature_count"] == 1
