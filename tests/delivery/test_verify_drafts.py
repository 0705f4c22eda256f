"""Issue #9: /verify/<sha256> must not reveal draft campaigns.

Every campaign without signatures has the same fingerprint (that of the empty list), so anyone
could look up that constant and read the titles of unannounced campaigns.
"""
import re

import sqlalchemy as sa

from advocacy.delivery.models import DeliveryPacketRecord
from advocacy.extensions import db
from tests.conftest import create_packet as create_packet_pdf
from tests.conftest import login

NOT_FOUND = "No delivery has this fingerprint"


def create_packet(client, slug) -> str:
    """Press the dashboard's packet button; return the fingerprint printed on the packet."""
    create_packet_pdf(client, slug)
    packet = db.session.scalars(sa.select(DeliveryPacketRecord).order_by(DeliveryPacketRecord.id.desc())).first()
    return packet.sha256


def test_a_draft_campaigns_packet_is_not_revealed(app, client, make_campaign, make_user):
    draft = make_campaign(slug="secret-plan", title="Our unannounced secret plan", state="draft")
    make_user("drafter@example.org", campaigns=[draft])
    assert login(client, "drafter@example.org").status_code == 302
    sha = create_packet(client, draft.slug)

    visitor = app.test_client()
    for fingerprint in (sha, sha.upper()):
        response = visitor.get(f"/verify/{fingerprint}")
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "unannounced secret plan" not in html and "secret-plan" not in html
        assert NOT_FOUND in html


def test_a_public_campaign_with_the_same_fingerprint_is_shown_without_the_draft(
        app, client, make_campaign, make_user):
    public = make_campaign(slug="open-letter", title="An open letter")
    draft = make_campaign(slug="secret-plan", title="Our unannounced secret plan", state="draft")
    make_user("both@example.org", campaigns=[public, draft])
    assert login(client, "both@example.org").status_code == 302
    draft_sha = create_packet(client, draft.slug)
    public_sha = create_packet(client, public.slug)
    assert draft_sha == public_sha  # both lists are empty

    response = app.test_client().get(f"/verify/{public_sha}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An open letter" in html and "unannounced secret plan" not in html
    assert len(re.findall(r"<tr><td\b", html)) == 1


def test_an_unknown_fingerprint_says_so_plainly(client):
    for path in ("/verify/" + "a" * 64, "/verify/not-a-hash"):
        response = client.get(path)
        assert response.status_code == 404
        assert NOT_FOUND in response.get_data(as_text=True)
