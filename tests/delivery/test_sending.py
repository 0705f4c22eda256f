"""Issue #12, part 2: a delivery is sent to the member's office by email (through the outbox, to a real
SMTP server), with its office link and the packet attached, and what became of it is recorded: accepted,
failed with the reason, the link opened (first, last, how many times). A member past the campaign's
threshold is marked ready to deliver and the organisers are told once."""
import re

import pytest
import sqlalchemy as sa

from advocacy.delivery.models import DeliveryPacketRecord, ThresholdReached
from advocacy.delivery.progress import watch_due
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from tests.conftest import create_packet as create_packet_pdf
from tests.conftest import csrf_token, deliver_mail, login, post_button

PELOSI = "P000197"  # CA-11: ZIP 94105
OFFICE = "legislative.director@pelosi.house.example"


@pytest.fixture
def ca_signers(organiser_client, campaign, geography, signer, inbox):
    for n in range(2):
        post_button(organiser_client, signer(campaign.slug, email=f"ca{n}@example.org", postal_code="94105")["confirm"])
    inbox.clear()
    return campaign


def delivery_page(client, slug) -> str:
    page = client.get(f"/organise/campaigns/{slug}/delivery")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def save_office(client, slug, bioguide_id, email):
    page = delivery_page(client, slug)
    return client.post(f"/organise/campaigns/{slug}/delivery/contacts/{bioguide_id}",
                       data={"csrf_token": csrf_token(page), "email": email})


def create_packet(client, slug, recipient=PELOSI) -> DeliveryPacketRecord:
    assert create_packet_pdf(client, slug, recipient).data.startswith(b"%PDF")  # rendered by the worker
    return db.session.scalars(sa.select(DeliveryPacketRecord).order_by(DeliveryPacketRecord.id.desc())).first()


def send(client, slug, packet_id):
    page = delivery_page(client, slug)
    return client.post(f"/organise/campaigns/{slug}/delivery/packets/{packet_id}/send",
                       data={"csrf_token": csrf_token(page)})


def test_an_office_email_leaves_through_the_outbox_with_its_link_and_the_packet_and_opening_it_is_recorded(
        app, organiser_client, ca_signers, inbox):
    slug = ca_signers.slug
    page = delivery_page(organiser_client, slug)
    assert "Nancy Pelosi" in page and "2 constituents signed" in page
    # One address form per member, each field with its own id and label.
    assert f'<label class="label" for="email-{PELOSI}">Office email address</label>' in page
    assert len(re.findall(r'id="(email-[^"]+)"', page)) == len(set(re.findall(r'id="(email-[^"]+)"', page))) == 3

    # A wrong address: the form again, with the error, and nothing stored.
    response = save_office(organiser_client, slug, PELOSI, "not an address")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "Enter an email address in the correct format" in html
    assert 'value="not an address"' in html and f'href="#email-{PELOSI}"' in html
    # A member the campaign has no constituents of has no office form.
    assert save_office(organiser_client, slug, "D000399", OFFICE).status_code == 404

    packet = create_packet(organiser_client, slug)
    # Without an office address the delivery cannot be sent.
    assert send(organiser_client, slug, packet.id).status_code == 409
    assert save_office(organiser_client, slug, PELOSI, OFFICE).status_code == 303
    assert f"Send to {OFFICE}" in delivery_page(organiser_client, slug)

    response = send(organiser_client, slug, packet.id)
    assert response.status_code == 303
    page = delivery_page(organiser_client, slug)
    assert "Queued" in page and "Not opened yet" in page
    message = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "office_delivery")).one()
    assert message.attachment["id"] == packet.id  # by reference: the PDF is not copied into the outbox

    deliver_mail()
    [mail] = inbox.to(OFFICE)
    assert "2 constituents" in mail["Subject"]
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{slug}-delivery-{packet.id}.pdf"
    assert attachment.get_content() == db.session.get(DeliveryPacketRecord, packet.id).pdf
    body = mail.get_body(("plain",)).get_content()
    assert packet.sha256 in body
    link = re.search(r"http://localhost(/delivery/[A-Za-z0-9_\-]+)", body).group(1)

    page = delivery_page(organiser_client, slug)
    assert "Accepted by the mail server" in page and "Not opened yet" in page

    office = app.test_client()
    for _ in range(2):
        assert office.get(link).status_code == 200
    assert office.get(link + "/signatures.csv").status_code == 200  # a download is not an opening
    page = delivery_page(organiser_client, slug)
    assert "Opened 2 times: first" in page


def test_a_delivery_the_mail_server_refuses_is_recorded_as_failed_with_the_reason(
        app, organiser_client, ca_signers):
    slug = ca_signers.slug
    assert save_office(organiser_client, slug, PELOSI, OFFICE).status_code == 303
    packet = create_packet(organiser_client, slug)
    assert send(organiser_client, slug, packet.id).status_code == 303
    app.config.update(SMTP_PORT=1, MAIL_MAX_ATTEMPTS=1)  # nothing listens there: the connection is refused
    deliver_mail()
    page = delivery_page(organiser_client, slug)
    assert "Failed:" in page and "ConnectionRefusedError" in page
    assert "Accepted by the mail server" not in page


def test_only_the_campaigns_organisers_send_its_deliveries(app, organiser_client, ca_signers, make_campaign,
                                                           make_user):
    assert save_office(organiser_client, ca_signers.slug, PELOSI, OFFICE).status_code == 303
    packet = create_packet(organiser_client, ca_signers.slug)
    make_user("stranger@example.org", campaigns=[make_campaign(slug="other", title="Other")])
    stranger = app.test_client()
    assert login(stranger, "stranger@example.org").status_code == 302
    assert stranger.get(f"/organise/campaigns/{ca_signers.slug}/delivery").status_code == 404
    page = stranger.get("/organise/campaigns/other/delivery").get_data(as_text=True)
    response = stranger.post(f"/organise/campaigns/{ca_signers.slug}/delivery/contacts/{PELOSI}",
                             data={"csrf_token": csrf_token(page), "email": "thief@example.org"})
    assert response.status_code == 404
    response = stranger.post(f"/organise/campaigns/{ca_signers.slug}/delivery/packets/{packet.id}/send",
                             data={"csrf_token": csrf_token(page)})
    assert response.status_code == 404
    # Nor through their own campaign's address: the packet is not theirs.
    response = stranger.post(f"/organise/campaigns/other/delivery/packets/{packet.id}/send",
                             data={"csrf_token": csrf_token(page)})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "office_delivery")) == 0


def test_a_member_past_the_threshold_is_ready_to_deliver_and_the_organisers_are_told_once(
        app, organiser_client, campaign, geography, signer, inbox):
    slug = campaign.slug
    page = delivery_page(organiser_client, slug)
    response = organiser_client.post(f"/organise/campaigns/{slug}/delivery/threshold",
                                     data={"csrf_token": csrf_token(page), "delivery_threshold": "0"})
    assert response.status_code == 422 and "Enter a whole number from 1" in response.get_data(as_text=True)
    response = organiser_client.post(f"/organise/campaigns/{slug}/delivery/threshold",
                                     data={"csrf_token": csrf_token(page), "delivery_threshold": "2"})
    assert response.status_code == 303

    post_button(organiser_client, signer(slug, email="one@example.org", postal_code="94105")["confirm"])
    post_button(organiser_client, signer(slug, email="vt@example.org", postal_code="05401")["confirm"])
    inbox.clear()
    assert watch_due() == (0, 0)
    deliver_mail()
    assert inbox.to("owner@example.org") == []
    assert "Ready to deliver</strong>" not in delivery_page(organiser_client, slug)

    post_button(organiser_client, signer(slug, email="two@example.org", postal_code="94105")["confirm"])
    inbox.clear()
    assert watch_due() == (0, 3)
    assert watch_due() == (0, 0)  # the next minute: nothing new
    deliver_mail()
    mails = {mail["Subject"]: mail for mail in inbox.to("owner@example.org")}
    # CA-11's representative and CA's two senators each have 2 constituents; one mail each.
    assert sorted(mails) == ["Adam B. Schiff is ready to deliver: 2 constituents signed",
                             "Alex Padilla is ready to deliver: 2 constituents signed",
                             "Nancy Pelosi is ready to deliver: 2 constituents signed"]
    body = mails["Nancy Pelosi is ready to deliver: 2 constituents signed"].get_body(("plain",)).get_content()
    assert f"http://localhost/organise/campaigns/{slug}/delivery" in body
    assert len(inbox.to("owner@example.org")) == 3
    reached = sorted(row.bioguide_id for row in db.session.scalars(sa.select(ThresholdReached)))
    assert len(reached) == 3 and PELOSI in reached
    page = delivery_page(organiser_client, slug)
    assert page.count("Ready to deliver</strong>") == 3  # not VT's members, with one constituent
    dashboard = organiser_client.get(f"/organise/campaigns/{slug}").get_data(as_text=True)
    assert dashboard.count("Ready to deliver</strong>") == 3
