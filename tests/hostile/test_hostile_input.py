"""Issue #9: hostile input found by a fuzz. Each case is a clear 4xx with the form shown again
(422, the message beside the field) and nothing stored; never a 500."""
import io

import pytest
import sqlalchemy as sa

from advocacy.campaigns.models import Campaign
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from advocacy.signatures.models import Signature
from advocacy.updates.models import CampaignUpdate
from tests.conftest import csrf_token, login, sign_form

CONTROL = "Remove the control characters from this field"


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def assert_sign_refused(response, message):
    html = response.get_data(as_text=True)
    assert response.status_code == 422, (response.status_code, html[:300])
    assert message in html
    assert count(Signature) == 0 and count(OutboxMessage) == 0


def form_page(client, url, **data):
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data})


# --- ZIPs typed with non-ASCII digits ------------------------------------------------------

@pytest.mark.parametrize("zip_code", ["１２３４５", "٦٠٦١٤", "６０６１４-１２３４", "۶۰۶۱۴", "6061४", "²0614"])
def test_sign_refuses_zips_typed_with_non_ascii_digits(client, campaign, zip_code):
    assert_sign_refused(sign_form(client, campaign.slug, postal_code=zip_code), "Enter a US ZIP code")


@pytest.mark.parametrize("text", ["１２３４５", "٦٠٦١٤", "²³⁴⁵⁶", "\x00", "", "no digits", "a" * 10_000, None, 60614])
def test_geography_lookups_are_robust_to_any_input(app, text):
    from advocacy.geography.service import UNKNOWN_STATE, resolve, usps_lookup, zip5

    assert zip5(text) == ""
    assert usps_lookup(text) == (None, "")
    assert resolve(text).state == UNKNOWN_STATE
    assert zip5("６０６１４ 60614") == "60614" and usps_lookup("60614")[0] == "IL"


# --- control characters in text fields -----------------------------------------------------

@pytest.mark.parametrize("field", ["given_name", "family_name", "email", "postal_code", "comment"])
@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m"])
def test_sign_refuses_control_characters_in_every_text_field(client, campaign, field, bad):
    value = {"given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org", "postal_code": "60614",
             "comment": "Because."}[field]
    assert_sign_refused(sign_form(client, campaign.slug, **{field: value[:2] + bad + value[2:]}), CONTROL)


def test_sign_comment_may_have_several_lines(client, campaign):
    assert sign_form(client, campaign.slug, comment="One.\r\n\tTwo.").status_code == 303


@pytest.mark.parametrize("name", ["Ana \u202eziuR", "\u2066Ana\u2069 Ruiz", "Ana\u202a Ruiz", "Ana\u2067 Ruiz"])
def test_sign_refuses_bidi_overrides_in_names(client, campaign, name):
    assert_sign_refused(sign_form(client, campaign.slug, given_name=name), "special formatting characters")


def test_sign_refuses_a_file_sent_in_a_text_field(client, campaign):
    page = client.get(f"/campaigns/{campaign.slug}")
    response = client.post(f"/campaigns/{campaign.slug}/sign", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "ana@example.org",
        "postal_code": "60614", "given_name": (io.BytesIO(b"Ana"), "name.txt")})
    assert_sign_refused(response, "Enter your given name")


@pytest.mark.parametrize("field", ["email", "password"])
def test_login_refuses_nul_bytes(client, make_user, field):
    make_user("owner@example.org")
    data = {"email": "owner@example.org", "password": "correct horse battery staple"}
    data[field] = data[field][:3] + "\x00" + data[field][3:]
    response = form_page(client, "/organise/login", **data)
    assert response.status_code == 422 and CONTROL in response.get_data(as_text=True)


def test_reset_request_refuses_nul_bytes(client, make_user):
    make_user("owner@example.org")
    response = form_page(client, "/organise/reset", email="own\x00er@example.org")
    assert response.status_code == 422 and CONTROL in response.get_data(as_text=True)
    assert count(OutboxMessage) == 0


def test_set_password_refuses_nul_bytes(client, make_user, inbox):
    from tests.accounts.test_invites_and_resets import link_in, request_reset

    make_user("owner@example.org")
    request_reset(client, "owner@example.org")
    path = link_in(inbox, "owner@example.org")
    password = "a new password\x00 of some length"
    response = form_page(client, path, password=password, confirm=password)
    assert response.status_code == 422 and CONTROL in response.get_data(as_text=True)


def test_donate_refuses_nul_bytes_and_the_return_page_ignores_them(client, campaign, fake_stripe):
    from advocacy.donations.models import Donation

    response = form_page(client, f"/campaigns/{campaign.slug}/donate", amount="other", custom_amount="1\x005")
    assert response.status_code == 422 and CONTROL in response.get_data(as_text=True)
    assert count(Donation) == 0
    thanks = client.get(f"/campaigns/{campaign.slug}/donate/thanks", query_string={"session_id": "cs_\x00x"})
    assert thanks.status_code == 404


AUTHORING = {"title": "Fair pay", "slug": "fair-pay", "ask": "Raise pay.", "summary": "", "background": "",
             "target_chamber": "both", "target_states": "", "goal": "500", "opens_at": "",
             "closes_at": ""}


@pytest.mark.parametrize("field", ["title", "slug", "ask", "summary", "background", "target_states"])
def test_campaign_authoring_refuses_nul_bytes(organiser_client, field):
    data = AUTHORING | {field: AUTHORING[field] + "\x00x"}
    response = form_page(organiser_client, "/organise/campaigns/new", **data)
    assert response.status_code == 422 and CONTROL in response.get_data(as_text=True)
    assert count(Campaign) == 1  # the fixture's campaign only


@pytest.mark.parametrize("field", ["title", "body"])
def test_update_form_refuses_nul_bytes(organiser_client, campaign, field):
    data = {"title": "News", "body": "Good news."}
    data[field] += "\x00"
    response = form_page(organiser_client, f"/organise/campaigns/{campaign.slug}/updates", **data)
    assert response.status_code == 422 and CONTROL in response.get_data(as_text=True)
    assert count(CampaignUpdate) == 0


def test_invite_refuses_nul_bytes(admin_client):
    response = form_page(admin_client, "/organise/users", email="new\x00@example.org", role="organiser")
    assert response.status_code == 422 and CONTROL in response.get_data(as_text=True)
    assert count(OutboxMessage) == 0


@pytest.mark.parametrize("field", ["email_domain", "ip_hash", "postal_code"])
def test_fraud_filters_refuse_nul_bytes(organiser_client, campaign, field):
    url = f"/organise/campaigns/{campaign.slug}/fraud/invalidate"
    value = {"email_domain": "spam.example\x00", "ip_hash": "\x00" * 64, "postal_code": "6061\x00"}[field]
    assert organiser_client.get(url, query_string={field: value}).status_code == 422
    page = organiser_client.get(f"/organise/campaigns/{campaign.slug}/fraud").get_data(as_text=True)
    response = organiser_client.post(url, data={"csrf_token": csrf_token(page), field: value, "expected": "0"})
    assert response.status_code == 422


def test_delivery_refuses_nul_bytes(organiser_client, campaign):
    campaign.state = "closed"
    db.session.commit()
    page = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    response = organiser_client.post(f"/organise/campaigns/{campaign.slug}/state", data={
        "csrf_token": csrf_token(page), "to": "delivered", "delivered_to": "Senator\x00 Smith"})
    assert response.status_code < 500
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).state == "closed"


# --- ids beyond the database's integer range ------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize("number", [HUGE, "9223372036854775808", "2147483648", "١٢"])
def test_huge_batch_and_packet_ids_in_urls_are_not_found(organiser_client, campaign, number):
    page = organiser_client.get(f"/organise/campaigns/{campaign.slug}/fraud").get_data(as_text=True)
    undo = organiser_client.post(f"/organise/campaigns/{campaign.slug}/fraud/batches/{number}/undo",
                                 data={"csrf_token": csrf_token(page)})
    assert undo.status_code == 404
    assert organiser_client.get(
        f"/organise/campaigns/{campaign.slug}/exports/packets/{number}.csv").status_code == 404


@pytest.mark.parametrize("data", [{"one": f"approve:{HUGE}"}, {"one": "reject:9223372036854775808"},
                                  {"one": "approve:²"}, {"bulk": "approve", "ids": [HUGE, "1"]},
                                  {"bulk": "reject", "ids": ["²"]}])
def test_huge_or_odd_moderation_ids_are_a_bad_request(organiser_client, campaign, data):
    response = form_page(organiser_client, f"/organise/campaigns/{campaign.slug}/comments", **data)
    assert response.status_code == 400


# --- campaign dates ---------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [("closes_at", "1999-12-31T23:00"), ("closes_at", "2999-01-01T00:00"),
                                          ("opens_at", "0202-01-01T00:00"), ("closes_at", "0001-01-01T00:00")])
def test_campaign_authoring_refuses_absurd_years(organiser_client, field, value):
    response = form_page(organiser_client, "/organise/campaigns/new", **(AUTHORING | {field: value}))
    assert response.status_code == 422 and "Enter a year from 2000 to" in response.get_data(as_text=True)
    assert count(Campaign) == 1


def test_open_campaign_refuses_a_closing_date_in_the_past(organiser_client, campaign):
    data = AUTHORING | {"slug": campaign.slug, "closes_at": "2020-01-01T00:00"}
    response = form_page(organiser_client, f"/organise/campaigns/{campaign.slug}/edit", **data)
    assert response.status_code == 422 and "The closing date has passed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).closes_at.year > 2020


def test_login_still_works_after_the_checks(client, make_user):
    make_user("owner@example.org")
    assert login(client, "owner@example.org").status_code == 302
