"""Fraud tools: patterns per IP/domain/hour, invalidation with a count preview, and undo."""
import re

import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from advocacy.fraud.models import InvalidationBatch
from advocacy.signatures import counting
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, login, post_button

MATCH = re.compile(r'id="match-count">(\d+)<')


def sign_from(client, signer, slug, email, ip="203.0.113.7", confirm=True, **fields):
    client.environ_base["REMOTE_ADDR"] = ip
    links = signer(slug, email=email, **fields)
    if confirm:
        post_button(client, links["confirm"])
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"


def bot_attack(client, signer, slug):
    for i in range(6):
        sign_from(client, signer, slug, f"bot{i}@spam.example", ip="198.51.100.9")
    sign_from(client, signer, slug, "bot-pending@spam.example", ip="198.51.100.9", confirm=False)
    sign_from(client, signer, slug, "real@example.org", ip="203.0.113.7")
    sign_from(client, signer, slug, "other@spam.example", ip="203.0.113.8", postal_code="53703")


def preview_count(client, slug, **filters):
    page = client.get(f"/organise/campaigns/{slug}/fraud/invalidate", query_string=filters)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    return int(MATCH.search(html).group(1)), html


def run(client, slug, html):
    """Press the button on the preview page, posting exactly what it carries."""
    form = re.search(r'<form method="post" action="[^"]*/fraud/invalidate">.*?</form>', html, re.DOTALL).group(0)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return client.post(f"/organise/campaigns/{slug}/fraud/invalidate", data=data)


def test_patterns_highlight_an_ip_and_a_domain_with_many_signatures(organiser_client, campaign, signer):
    bot_attack(organiser_client, signer, campaign.slug)
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}/fraud").get_data(as_text=True)
    assert "198.51.100.9" not in html  # only hashes are stored and shown
    ips = html.split("Per IP address")[1].split("Per email domain")[0]
    assert ips.count('class="outlier"') == 1
    assert re.search(r'class="outlier">\s*<td><code[^>]*>[0-9a-f]{12}…</code>', ips)
    domains = html.split("Per email domain")[1].split("Per hour")[0]
    assert "spam.example" in domains and "<td class=\"num\">8</td>" in domains
    hours = html.split("Per hour")[1].split("Invalidate signatures")[0]
    assert sum(int(n) for n in re.findall(r'<td class="num">(\d+)</td>', hours)) == 9


def test_invalidation_count_preview_equals_what_it_invalidates(organiser_client, campaign, signer):
    bot_attack(organiser_client, signer, campaign.slug)
    assert counting.signature_count(campaign.id) == 8
    shown, html = preview_count(organiser_client, campaign.slug, email_domain="SPAM.example")
    assert shown == 8 and "7 confirmed" in html and "1 not yet confirmed" in html
    response = run(organiser_client, campaign.slug, html)
    assert response.status_code == 302
    batch = db.session.scalars(sa.select(InvalidationBatch)).one()
    assert batch.affected == shown
    assert counting.signature_count(campaign.id) == 1  # leaves the count at once
    assert not counting.measure_drift(campaign.id)
    statuses = dict(db.session.execute(sa.select(Signature.email, Signature.status)).all())
    assert statuses["real@example.org"] == "confirmed" and statuses["bot-pending@spam.example"] == "invalidated"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "signatures_invalidate")).one()
    assert event.details["affected"] == 8 and event.details["filters"] == {"email_domain": "spam.example"}


def test_filters_combine_ip_zip_and_time_range(organiser_client, campaign, signer):
    bot_attack(organiser_client, signer, campaign.slug)
    ip_hash = db.session.scalar(sa.select(Signature.ip_hash).where(Signature.email == "bot0@spam.example"))
    assert preview_count(organiser_client, campaign.slug, ip_hash=ip_hash)[0] == 7
    assert preview_count(organiser_client, campaign.slug, email_domain="spam.example", postal_code="53703")[0] == 1
    assert preview_count(organiser_client, campaign.slug, created_from="2000-01-01T00:00",
                         created_to="2000-01-02T00:00")[0] == 0
    assert preview_count(organiser_client, campaign.slug, created_from="2000-01-01T00:00")[0] == 9


def test_invalidation_needs_a_filter_and_refuses_if_the_number_changed(organiser_client, campaign, signer):
    bot_attack(organiser_client, signer, campaign.slug)
    empty = organiser_client.get(f"/organise/campaigns/{campaign.slug}/fraud/invalidate")
    assert empty.status_code == 422 and "Choose at least one filter" in empty.get_data(as_text=True)
    shown, html = preview_count(organiser_client, campaign.slug, email_domain="spam.example")
    sign_from(organiser_client, signer, campaign.slug, "late@spam.example")  # arrives after the preview
    response = run(organiser_client, campaign.slug, html)
    assert response.status_code == 200 and "changed since you looked" in response.get_data(as_text=True)
    assert MATCH.search(response.get_data(as_text=True)).group(1) == str(shown + 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvalidationBatch)) == 0


def test_undo_restores_exactly_the_invalidated_signatures(organiser_client, campaign, signer):
    bot_attack(organiser_client, signer, campaign.slug)
    before = dict(db.session.execute(sa.select(Signature.id, Signature.status)).all())
    _shown, html = preview_count(organiser_client, campaign.slug, email_domain="spam.example")
    run(organiser_client, campaign.slug, html)
    batch = db.session.scalars(sa.select(InvalidationBatch)).one()
    page = organiser_client.get(f"/organise/campaigns/{campaign.slug}/fraud").get_data(as_text=True)
    undo_url = f"/organise/campaigns/{campaign.slug}/fraud/batches/{batch.id}/undo"
    assert organiser_client.post(undo_url, data={"csrf_token": csrf_token(page)}).status_code == 302
    db.session.expire_all()
    assert dict(db.session.execute(sa.select(Signature.id, Signature.status)).all()) == before
    assert counting.signature_count(campaign.id) == 8 and not counting.measure_drift(campaign.id)
    # A second undo changes nothing.
    organiser_client.post(undo_url, data={"csrf_token": csrf_token(page)})
    assert counting.signature_count(campaign.id) == 8


def test_undo_does_not_resurrect_a_signature_removed_meanwhile(organiser_client, campaign, signer, inbox):
    organiser_client.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    links = signer(campaign.slug, email="bot@spam.example")
    post_button(organiser_client, links["confirm"])
    _shown, html = preview_count(organiser_client, campaign.slug, email_domain="spam.example")
    run(organiser_client, campaign.slug, html)
    post_button(organiser_client, links["remove"])  # the signer withdraws while invalidated
    batch = db.session.scalars(sa.select(InvalidationBatch)).one()
    page = organiser_client.get(f"/organise/campaigns/{campaign.slug}/fraud").get_data(as_text=True)
    organiser_client.post(f"/organise/campaigns/{campaign.slug}/fraud/batches/{batch.id}/undo",
                          data={"csrf_token": csrf_token(page)})
    assert db.session.scalars(sa.select(Signature.status)).one() == "removed"
    assert counting.signature_count(campaign.id) == 0 and not counting.measure_drift(campaign.id)


def test_invalidated_signers_cannot_confirm_and_are_not_counted(organiser_client, campaign, signer):
    links = signer(campaign.slug, email="bot@spam.example")
    _shown, html = preview_count(organiser_client, campaign.slug, email_domain="spam.example")
    run(organiser_client, campaign.slug, html)
    assert organiser_client.post(links["confirm"], data={
        "csrf_token": csrf_token(organiser_client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True))
    }).status_code == 404
    assert counting.signature_count(campaign.id) == 0


def test_organiser_cannot_undo_another_groups_invalidation(client, make_campaign, make_user, signer):
    mine, theirs = make_campaign(), make_campaign()
    make_user("theirs@example.org", campaigns=[theirs])
    make_user("owner@example.org", campaigns=[mine])
    login(client, "theirs@example.org")
    post_button(client, signer(theirs.slug, email="x@spam.example")["confirm"])
    _shown, html = preview_count(client, theirs.slug, email_domain="spam.example")
    run(client, theirs.slug, html)
    batch = db.session.scalars(sa.select(InvalidationBatch)).one()
    client.post("/organise/logout", data={"csrf_token": csrf_token(client.get("/organise/").get_data(as_text=True))})
    login(client, "owner@example.org")
    page = client.get(f"/organise/campaigns/{mine.slug}/fraud").get_data(as_text=True)
    client.post(f"/organise/campaigns/{mine.slug}/fraud/batches/{batch.id}/undo", data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    assert db.session.get(InvalidationBatch, batch.id).undone_at is None
    assert counting.signature_count(theirs.id) == 0


def test_invalidated_signatures_leave_exports_and_state_tallies_at_once_and_return_on_undo(
        organiser_client, campaign, signer, geography):
    import csv
    import io

    def exported_names():
        response = organiser_client.get(f"/organise/campaigns/{campaign.slug}/exports/signatures.csv")
        return {row["full_name"] for row in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))}

    sign_from(organiser_client, signer, campaign.slug, "bot@spam.example", full_name="Bot Account",
              postal_code="94105")
    sign_from(organiser_client, signer, campaign.slug, "real@example.org", full_name="Real Person",
              postal_code="05401")
    assert exported_names() == {"Bot Account", "Real Person"}
    assert counting.tallies_for(campaign.id, "state") == {"CA": 1, "VT": 1}

    _shown, html = preview_count(organiser_client, campaign.slug, email_domain="spam.example")
    run(organiser_client, campaign.slug, html)
    assert exported_names() == {"Real Person"}
    assert counting.tallies_for(campaign.id, "state") == {"VT": 1}

    batch = db.session.scalars(sa.select(InvalidationBatch)).one()
    page = organiser_client.get(f"/organise/campaigns/{campaign.slug}/fraud").get_data(as_text=True)
    organiser_client.post(f"/organise/campaigns/{campaign.slug}/fraud/batches/{batch.id}/undo",
                          data={"csrf_token": csrf_token(page)})
    assert exported_names() == {"Bot Account", "Real Person"}
    assert counting.tallies_for(campaign.id, "state") == {"CA": 1, "VT": 1}
    assert not counting.measure_drift(campaign.id)


def their_invalidated_batch(client, signer, theirs):
    """Their organiser invalidates their spam signature (and signs out): a batch that could be undone."""
    assert login(client, "theirs@example.org").status_code == 302
    post_button(client, signer(theirs.slug, email="x@spam.example")["confirm"])
    post_button(client, signer(theirs.slug, email="y@example.org")["confirm"])
    _shown, html = preview_count(client, theirs.slug, email_domain="spam.example")
    assert run(client, theirs.slug, html).status_code == 302
    client.post("/organise/logout", data={"csrf_token": csrf_token(client.get("/organise/").get_data(as_text=True))})
    return db.session.scalars(sa.select(InvalidationBatch)).one()


def statuses():
    db.session.expire_all()
    return dict(db.session.execute(sa.select(Signature.email, Signature.status)).all())


def test_organiser_posting_undo_to_another_groups_slug_gets_404_and_the_batch_stays(
        client, make_campaign, make_user, signer):
    mine, theirs = make_campaign(), make_campaign()
    make_user("theirs@example.org", campaigns=[theirs])
    make_user("owner@example.org", campaigns=[mine])
    batch = their_invalidated_batch(client, signer, theirs)
    before = statuses()
    assert before == {"x@spam.example": "invalidated", "y@example.org": "confirmed"}

    assert login(client, "owner@example.org").status_code == 302
    token = csrf_token(client.get("/organise/").get_data(as_text=True))
    response = client.post(f"/organise/campaigns/{theirs.slug}/fraud/batches/{batch.id}/undo",
                           data={"csrf_token": token})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(InvalidationBatch, batch.id).undone_at is None
    assert statuses() == before
    assert counting.signature_count(theirs.id) == 1
    assert db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "signatures_invalidate_undo")).all() == []


def test_organiser_posting_an_invalidation_to_another_groups_slug_gets_404_and_nothing_changes(
        client, make_campaign, make_user, signer):
    mine, theirs = make_campaign(), make_campaign()
    make_user("owner@example.org", campaigns=[mine])
    post_button(client, signer(theirs.slug, email="x@spam.example")["confirm"])
    before = statuses()
    assert before == {"x@spam.example": "confirmed"}

    assert login(client, "owner@example.org").status_code == 302
    token = csrf_token(client.get("/organise/").get_data(as_text=True))
    response = client.post(f"/organise/campaigns/{theirs.slug}/fraud/invalidate",
                           data={"csrf_token": token, "email_domain": "spam.example", "expected": "1"})
    assert response.status_code == 404
    assert theirs.title not in response.get_data(as_text=True)
    assert statuses() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvalidationBatch)) == 0
    assert counting.signature_count(theirs.id) == 1
    assert db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "signatures_invalidate")).all() == []
