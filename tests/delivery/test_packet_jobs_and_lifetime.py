"""Issue #11: a packet's PDF is rendered by the worker, not inside the organiser's request (the
delivery is frozen at once and its pages say "being prepared" until then), and a delivery's stored
list and PDF are deleted at the end of the personal-data lifetime while /verify keeps saying what
its fingerprint covered."""
import hashlib
import io
import re
from datetime import timedelta

import sqlalchemy as sa
from pypdf import PdfReader

from advocacy.audit.models import AuditEvent
from advocacy.database import utcnow
from advocacy.delivery.models import DeliveryPacketRecord
from advocacy.extensions import db
from advocacy.privacy.service import anonymise_due
from tests.conftest import create_packet, csrf_token, login, post_button


def signed_campaign(client, make_campaign, signer, make_user, slug):
    campaign = make_campaign(slug=slug, title=f"Paid family leave ({slug})")
    for n, zip_code in enumerate(("94105", "60614")):
        post_button(client, signer(slug, email=f"{slug}{n}@example.org", postal_code=zip_code,
                                   given_name="Ana", family_name=f"Ruiz {n}")["confirm"])
    return campaign


def owner_of(client, make_user, *campaigns):
    make_user("owner@example.org", campaigns=list(campaigns))
    assert login(client, "owner@example.org").status_code == 302


def post_packet(client, slug) -> tuple[int, str]:
    """Press the packet button; return the delivery's id and its office link token (read from the
    frozen content before the worker renders it into the PDF)."""
    dashboard = client.get(f"/organise/campaigns/{slug}").get_data(as_text=True)
    response = client.post(f"/organise/campaigns/{slug}/exports/packet",
                           data={"csrf_token": csrf_token(dashboard), "recipient": ""})
    assert response.status_code == 303
    packet = packet_row(int(response.headers["Location"].rsplit("/", 1)[1]))
    return packet.id, re.search(r"/delivery/([A-Za-z0-9_\-]+)", packet.pdf_spec).group(1)


def packet_row(packet_id):
    db.session.expire_all()
    return db.session.get(DeliveryPacketRecord, packet_id)


def test_the_request_freezes_the_list_and_the_worker_renders_the_pdf(
        app, client, make_campaign, signer, make_user, geography):
    campaign = signed_campaign(client, make_campaign, signer, make_user, "leave-now")
    owner_of(client, make_user, campaign)
    dashboard = client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    response = client.post(f"/organise/campaigns/{campaign.slug}/exports/packet",
                           data={"csrf_token": csrf_token(dashboard), "recipient": ""})
    assert response.status_code == 303
    page_url = response.headers["Location"]
    packet_id = int(page_url.rsplit("/", 1)[1])
    packet = packet_row(packet_id)
    # Frozen at once: the list, its fingerprint and count; the PDF is not made yet.
    assert packet.pdf is None and packet.preparing and packet.count == 2
    listed = client.get(f"{page_url}.csv").data
    assert hashlib.sha256(listed).hexdigest() == packet.sha256
    page = client.get(page_url).get_data(as_text=True)
    assert "being prepared" in page and f'href="{page_url}"' in page  # a refresh link, no script needed
    assert "being prepared" in client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    pdf_url = f"{page_url}.pdf"
    early = client.get(pdf_url)
    assert early.status_code == 303 and early.headers["Location"].endswith(page_url)

    from advocacy.worker import run_worker
    run_worker(once=True)  # the worker's round renders it

    packet = packet_row(packet_id)
    assert packet.pdf.startswith(b"%PDF-") and not packet.preparing and packet.pdf_spec is None
    assert "being prepared" not in client.get(page_url).get_data(as_text=True)
    download = client.get(pdf_url)
    assert download.status_code == 200 and download.data == packet.pdf


def test_the_office_sees_being_prepared_then_its_packet(app, client, make_campaign, signer, make_user, geography):
    campaign = signed_campaign(client, make_campaign, signer, make_user, "leave-office")
    owner_of(client, make_user, campaign)
    _packet_id, office_raw = post_packet(client, campaign.slug)
    office = client.get(f"/delivery/{office_raw}").get_data(as_text=True)
    assert "being prepared" in office and "signatures.csv" in office
    assert client.get(f"/delivery/{office_raw}/packet.pdf").status_code == 303
    from tests.conftest import render_packets
    assert render_packets() == 1
    assert "being prepared" not in client.get(f"/delivery/{office_raw}").get_data(as_text=True)
    assert client.get(f"/delivery/{office_raw}/packet.pdf").data.startswith(b"%PDF-")


def test_the_packet_pdf_says_what_was_true_when_it_was_made(app, client, make_campaign, signer, make_user,
                                                             geography):
    """The worker renders the content frozen at the request: later signers are not in it."""
    campaign = signed_campaign(client, make_campaign, signer, make_user, "leave-then")
    owner_of(client, make_user, campaign)
    dashboard = client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    client.post(f"/organise/campaigns/{campaign.slug}/exports/packet",
                data={"csrf_token": csrf_token(dashboard), "recipient": ""})
    post_button(client, signer(campaign.slug, email="late@example.org", postal_code="94105")["confirm"])
    from tests.conftest import render_packets
    render_packets()
    packet = db.session.scalars(sa.select(DeliveryPacketRecord)).one()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(packet.pdf)).pages)
    assert "2 people signed this petition in total" in text and packet.sha256 in text


def _end(campaign, days_ago):
    campaign.state = "delivered"
    campaign.delivered_at = utcnow() - timedelta(days=days_ago)
    campaign.closed_at = utcnow() - timedelta(days=days_ago + 1)
    db.session.commit()


def test_delivery_lists_are_deleted_at_the_end_of_the_lifetime_and_verify_still_answers(
        app, client, make_campaign, signer, make_user, geography):
    old = signed_campaign(client, make_campaign, signer, make_user, "leave-old")
    recent = signed_campaign(client, make_campaign, signer, make_user, "leave-recent")
    owner_of(client, make_user, old, recent)
    old_id, office_raw = post_packet(client, old.slug)
    create_packet(client, recent.slug)  # renders both
    old_packet, recent_packet = db.session.scalars(
        sa.select(DeliveryPacketRecord).order_by(DeliveryPacketRecord.id)).all()
    recent_id, old_sha = recent_packet.id, old_packet.sha256
    assert old_packet.pdf is not None
    assert client.get(f"/delivery/{office_raw}/signatures.csv").status_code == 200
    _end(old, days_ago=400)
    _end(recent, days_ago=10)

    report = anonymise_due()
    assert report.deliveries == 1

    purged, kept = packet_row(old_id), packet_row(recent_id)
    assert purged.purged_at is not None and purged.csv_gzip is None and purged.pdf is None
    assert (purged.sha256, purged.count, purged.recipient_name) == (old_sha, 2, old_packet.recipient_name)
    assert kept.purged_at is None and kept.csv_gzip is not None and kept.pdf is not None
    # /verify still says what the fingerprint covered, and that the list is gone.
    verify = client.get(f"/verify/{old_sha}")
    assert verify.status_code == 200
    html = verify.get_data(as_text=True)
    assert old.title in html and ">2<" in html and "list deleted" in html
    # The organiser's and the office's downloads say why, with 410 Gone, and nothing is rebuilt.
    for suffix in (".csv", ".xlsx", ".pdf"):
        response = client.get(f"/organise/campaigns/{old.slug}/exports/packets/{old_id}{suffix}")
        assert response.status_code == 410 and b"Ruiz" not in response.data
        assert "deleted" in response.get_data(as_text=True)
    page = client.get(f"/organise/campaigns/{old.slug}/exports/packets/{old_id}").get_data(as_text=True)
    assert "were deleted on" in page and "signatures (CSV)" not in page
    for path in ("", "/signatures.csv", "/packet.pdf"):
        response = client.get(f"/delivery/{office_raw}{path}")
        assert response.status_code == 410 and b"Ruiz" not in response.data, path
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "delivery_lists_purged")) == 1
    # A second run changes nothing.
    assert anonymise_due().deliveries == 0


def test_a_packet_that_cannot_be_rendered_does_not_hold_up_the_next(
        app, client, make_campaign, signer, make_user, geography):
    campaign = signed_campaign(client, make_campaign, signer, make_user, "leave-stuck")
    owner_of(client, make_user, campaign)
    broken_id, _office = post_packet(client, campaign.slug)
    fine_id, _office = post_packet(client, campaign.slug)
    db.session.execute(sa.update(DeliveryPacketRecord).where(DeliveryPacketRecord.id == broken_id)
                       .values(pdf_spec="{}"))
    db.session.commit()
    from tests.conftest import render_packets
    assert render_packets() == 1
    assert packet_row(fine_id).pdf.startswith(b"%PDF-") and packet_row(broken_id).preparing
    page = client.get(f"/organise/campaigns/{campaign.slug}/exports/packets/{broken_id}").get_data(as_text=True)
    assert "being prepared" in page
