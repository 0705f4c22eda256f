"""Signer comments are hidden until approved; rejected ones never appear publicly."""
import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, login, post_button


def commented(client, signer, slug, n):
    for i in range(n):
        post_button(client, signer(slug, email=f"c{i}@example.org", comment=f"Comment number {i}",
                                   show_name=True)["confirm"])
    return list(db.session.scalars(sa.select(Signature).order_by(Signature.id)))


def press(client, url, **data):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data})


def test_comments_stay_hidden_until_approved_one_by_one(organiser_client, campaign, signer):
    first, second = commented(organiser_client, signer, campaign.slug, 2)
    public = organiser_client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Comment number" not in public
    queue = organiser_client.get(f"/organise/campaigns/{campaign.slug}/comments").get_data(as_text=True)
    assert "Comment number 0" in queue and "Comment number 1" in queue
    press(organiser_client, f"/organise/campaigns/{campaign.slug}/comments", one=f"approve:{first.id}")
    press(organiser_client, f"/organise/campaigns/{campaign.slug}/comments", one=f"reject:{second.id}")
    public = organiser_client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Comment number 0" in public and "Comment number 1" not in public
    rejected = organiser_client.get(f"/organise/campaigns/{campaign.slug}/comments?status=rejected")
    assert "Comment number 1" in rejected.get_data(as_text=True)


def test_bulk_approve_and_reject_change_only_ticked_comments(organiser_client, campaign, signer):
    sigs = commented(organiser_client, signer, campaign.slug, 4)
    url = f"/organise/campaigns/{campaign.slug}/comments"
    press(organiser_client, url, bulk="approve", ids=[str(sigs[0].id), str(sigs[1].id)])
    press(organiser_client, url, bulk="reject", ids=[str(sigs[2].id)])
    db.session.expire_all()
    assert [db.session.get(Signature, s.id).comment_status for s in sigs] == \
        ["approved", "approved", "rejected", "pending"]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("comments_%"))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.details["count"]) for e in events] == [("comments_approved", 2), ("comments_rejected", 1)]


def test_a_rejected_comment_can_be_approved_later_and_vice_versa(organiser_client, campaign, signer):
    (sig,) = commented(organiser_client, signer, campaign.slug, 1)
    url = f"/organise/campaigns/{campaign.slug}/comments"
    press(organiser_client, url, one=f"reject:{sig.id}")
    press(organiser_client, url + "?status=rejected", one=f"approve:{sig.id}")
    assert "Comment number 0" in organiser_client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    press(organiser_client, url + "?status=approved", one=f"reject:{sig.id}")
    assert "Comment number 0" not in organiser_client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)


def test_organiser_cannot_moderate_another_groups_comments(client, make_campaign, make_user, signer):
    mine, theirs = make_campaign(), make_campaign()
    post_button(client, signer(theirs.slug, comment="Their comment")["confirm"])
    sig = db.session.scalars(sa.select(Signature)).one()
    make_user("owner@example.org", campaigns=[mine])
    login(client, "owner@example.org")
    # Posting their signature's id through my own campaign's page changes nothing either.
    press(client, f"/organise/campaigns/{mine.slug}/comments", one=f"approve:{sig.id}")
    assert client.get(f"/organise/campaigns/{theirs.slug}/comments").status_code == 404
    db.session.refresh(sig)
    assert sig.comment_status == "pending"


def test_organiser_posting_moderation_to_another_groups_slug_gets_404_and_comments_stay_pending(
        client, make_campaign, make_user, signer):
    mine, theirs = make_campaign(), make_campaign()
    first, second = commented(client, signer, theirs.slug, 2)
    make_user("owner@example.org", campaigns=[mine])
    assert login(client, "owner@example.org").status_code == 302
    token = csrf_token(client.get("/organise/").get_data(as_text=True))
    url = f"/organise/campaigns/{theirs.slug}/comments"
    for data in ({"one": f"approve:{first.id}"}, {"one": f"reject:{second.id}"},
                 {"bulk": "approve", "ids": [str(first.id), str(second.id)]},
                 {"bulk": "reject", "ids": [str(first.id), str(second.id)]}):
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 404, data
        assert theirs.title not in response.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Signature, s.id).comment_status for s in (first, second)] == ["pending", "pending"]
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("comments_%"))).all() == []
    assert "Comment number" not in client.get(f"/campaigns/{theirs.slug}").get_data(as_text=True)
