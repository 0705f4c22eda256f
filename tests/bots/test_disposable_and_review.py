"""Disposable-mail signatures are held for review, not refused; the fraud page counts every hold
reason and organisers release them; the list is refreshed from a file or a URL."""
import http.server
import re
import threading

import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures.counting import signature_count
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, deliver_mail, links_in, login, post_button, sign_form


def _row(email):
    return db.session.execute(sa.select(Signature.status, Signature.hold_reason)
                              .where(Signature.email == email)).one_or_none()


def _held_table(client, slug):
    page = client.get(f"/organise/campaigns/{slug}/fraud")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = html.split('id="held"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">(\d+)</td><td class="num">(\d+)</td>', table)
    return html, {label: (int(held), int(pending)) for label, held, pending in rows}


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["advocacy", *args])


def test_a_disposable_address_gets_its_mail_and_is_held_when_confirmed(client, campaign, signer, inbox):
    links = signer(campaign.slug, email="someone@mailinator.com")  # mailed as usual: a person may use one
    assert _row("someone@mailinator.com") == ("pending", "disposable")
    page = post_button(client, links["confirm"])
    assert page.status_code == 200 and "your signature is confirmed" in page.get_data(as_text=True)
    assert _row("someone@mailinator.com") == ("held", "disposable")
    assert signature_count(campaign.id) == 0


@pytest.mark.parametrize("email, disposable", [
    ("a@inbox.mailinator.com", True),  # a subdomain of a listed domain
    ("a@MAILINATOR.COM", True),
    ("a@example.org", False),
    ("a@gmail.com", False),
])
def test_which_domains_count_as_disposable(client, campaign, email, disposable):
    assert sign_form(client, campaign.slug, email=email).status_code == 303
    reason = db.session.scalar(sa.select(Signature.hold_reason))
    assert reason == ("disposable" if disposable else None)


def test_the_fraud_page_counts_every_hold_reason_and_releases_them(app, client, campaign, signer, make_user, inbox):
    app.config["SIGN_SOFT_LIMIT_PER_IP"] = "2 per hour"
    post_button(client, signer(campaign.slug, email="one@example.org")["confirm"])
    post_button(client, signer(campaign.slug, email="two@mailinator.com")["confirm"])  # disposable, confirmed
    signer(campaign.slug, email="three@example.org")  # over the network limit, not yet confirmed
    app.config["SIGN_SOFT_LIMIT_PER_IP"] = "100000 per minute"
    assert sign_form(client, campaign.slug, email="bot@example.org", website="x").status_code == 303
    app.config["SIGN_MIN_FILL_SECONDS"] = 30
    assert sign_form(client, campaign.slug, email="quick1@example.org").status_code == 303
    assert sign_form(client, campaign.slug, email="quick2@example.org").status_code == 303
    app.config["SIGN_MIN_FILL_SECONDS"] = 0
    assert signature_count(campaign.id) == 1

    make_user("owner@example.org", campaigns=[campaign])
    login(client, "owner@example.org")
    html, held = _held_table(client, campaign.slug)
    assert held == {"Many signatures from one network": (0, 1), "Hidden field filled in": (0, 1),
                    "Sent too fast": (0, 2), "Disposable email address": (1, 0)}
    dashboard = client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "<strong>3</strong> <a" in dashboard and "stopped as likely scripts" in dashboard
    assert "<strong>1</strong> awaiting confirmation" in dashboard  # three@, not the scripts
    assert "<strong>1</strong> <a" in dashboard and "held for review" in dashboard

    # The disposable one counts at once.
    response = client.post(f"/organise/campaigns/{campaign.slug}/fraud/held/disposable/release",
                           data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    assert _row("two@mailinator.com") == ("confirmed", None) and signature_count(campaign.id) == 2

    # Those a trap stopped get their confirmation mail now, and count once confirmed.
    inbox.clear()
    client.post(f"/organise/campaigns/{campaign.slug}/fraud/held/too_fast/release",
                data={"csrf_token": csrf_token(html)})
    deliver_mail()
    assert inbox.to("bot@example.org") == []  # the honeypot one stays held
    for email in ("quick1@example.org", "quick2@example.org"):
        assert _row(email) == ("pending", None)
        post_button(client, links_in(inbox.to(email)[-1])["confirm"])
    assert signature_count(campaign.id) == 4
    _, held = _held_table(client, campaign.slug)
    assert held["Sent too fast"] == (0, 0) and held["Hidden field filled in"] == (0, 1)


def test_release_needs_a_known_reason_and_the_form_token(client, campaign, make_user):
    make_user("owner@example.org", campaigns=[campaign])
    login(client, "owner@example.org")
    html, _ = _held_table(client, campaign.slug)
    assert client.post(f"/organise/campaigns/{campaign.slug}/fraud/held/robots/release",
                       data={"csrf_token": csrf_token(html)}).status_code == 404
    assert client.post(f"/organise/campaigns/{campaign.slug}/fraud/held/honeypot/release").status_code == 400


def test_an_organiser_of_another_campaign_cannot_release(client, campaign, make_campaign, make_user):
    assert sign_form(client, campaign.slug, email="bot@example.org", website="x").status_code == 303
    other = make_campaign()
    make_user("other@example.org", campaigns=[other])
    login(client, "other@example.org")
    page = client.get(f"/organise/campaigns/{other.slug}/fraud").get_data(as_text=True)
    response = client.post(f"/organise/campaigns/{campaign.slug}/fraud/held/honeypot/release",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 404
    assert _row("bot@example.org") == ("pending", "honeypot")


def test_a_loaded_list_replaces_the_packaged_one_until_forgotten(app, client, campaign, tmp_path):
    listing = tmp_path / "blocklist.conf"
    listing.write_text("# our own list\nthrowaway.example\n\nBurner.Example\n")
    result = _cli(app, "load-disposable-domains", str(listing))
    assert result.exit_code == 0 and "Loaded 2 disposable domains" in result.output
    for email in ("a@throwaway.example", "b@burner.example", "c@mailinator.com"):
        assert sign_form(client, campaign.slug, email=email).status_code == 303
    assert [_row(e)[1] for e in ("a@throwaway.example", "b@burner.example", "c@mailinator.com")] == \
        ["disposable", "disposable", None]

    assert _cli(app, "load-disposable-domains", "--packaged").exit_code == 0
    assert sign_form(client, campaign.slug, email="d@mailinator.com").status_code == 303
    assert sign_form(client, campaign.slug, email="e@throwaway.example").status_code == 303
    assert _row("d@mailinator.com")[1] == "disposable" and _row("e@throwaway.example")[1] is None


def test_a_broken_list_is_refused_and_the_list_in_force_is_kept(app, client, campaign, tmp_path):
    good = tmp_path / "good.conf"
    good.write_text("throwaway.example\n")
    assert _cli(app, "load-disposable-domains", str(good)).exit_code == 0
    for text in ("throwaway.example\n<html>not a list</html>\n", "# nothing\n\n"):
        bad = tmp_path / "bad.conf"
        bad.write_text(text)
        result = _cli(app, "load-disposable-domains", str(bad))
        assert result.exit_code != 0 and "List not loaded" in result.output
    assert _cli(app, "load-disposable-domains", str(tmp_path / "missing.conf")).exit_code != 0
    assert _cli(app, "load-disposable-domains").exit_code != 0  # neither a source nor --packaged
    assert sign_form(client, campaign.slug, email="a@throwaway.example").status_code == 303
    assert _row("a@throwaway.example")[1] == "disposable"


@pytest.fixture
def list_server(tmp_path):
    (tmp_path / "disposable_email_blocklist.conf").write_text("fromthe.example\nweb.example\n")
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(tmp_path))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_list_is_refreshed_from_a_url(app, client, campaign, list_server):
    result = _cli(app, "load-disposable-domains", f"{list_server}/disposable_email_blocklist.conf")
    assert result.exit_code == 0 and "Loaded 2 disposable domains" in result.output
    assert _cli(app, "load-disposable-domains", f"{list_server}/missing.conf").exit_code != 0  # 404: kept
    assert sign_form(client, campaign.slug, email="a@web.example").status_code == 303
    assert _row("a@web.example")[1] == "disposable"


def test_the_fraud_page_shows_the_latest_held_without_their_addresses(client, campaign, signer, make_user):
    signer(campaign.slug, email="ana.throwaway@mailinator.com", full_name="Ana Ruiz", postal_code="94105")
    assert sign_form(client, campaign.slug, email="spam@example.org", full_name="Bot Bot", website="x") \
        .status_code == 303
    make_user("owner@example.org", campaigns=[campaign])
    login(client, "owner@example.org")
    html, _ = _held_table(client, campaign.slug)
    samples = {s.split("</summary>")[0]: s for s in html.split("<summary>")[1:]}
    disposable = samples["The latest held: Disposable email address"]
    assert "<td>Ana Ruiz</td><td>mailinator.com</td><td>94105</td><td>no</td>" in disposable
    assert "Bot Bot" in samples["The latest held: Hidden field filled in"]
    assert "ana.throwaway" not in html and "spam@" not in html  # addresses only where signers consented
