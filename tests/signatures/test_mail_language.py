"""Links in mail carry the signer's language, so a link opened on another device (another browser
language, no cookie) shows the pages in the language the signer signed in; updates are mailed in it."""
import re

import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.campaigns.test_bilingual import SPANISH, edit
from tests.conftest import IsolatedClient, csrf_token, deliver_mail, post_button, sign_form

LINK = re.compile(r"http://localhost(/signatures/(confirm|remove)/[A-Za-z0-9_\-]+\?lang=(\w+))")
UNSUBSCRIBE = re.compile(r"http://localhost(/updates/unsubscribe/[A-Za-z0-9_\-]+\?lang=(\w+))")


def mail_links(inbox, email) -> dict[str, tuple[str, str]]:
    body = inbox.to(email)[-1].get_body(("plain",)).get_content()
    return {kind: (path, lang) for path, kind, lang in LINK.findall(body)}


def other_device(app, language="en"):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def test_spanish_signer_gets_links_that_open_in_spanish_anywhere(app, client, campaign, inbox):
    client.get("/?lang=es")  # the signer chose Spanish
    assert sign_form(client, campaign.slug, email="lucia@example.org").status_code == 303
    deliver_mail()
    mail = inbox.to("lucia@example.org")[-1]
    assert mail["Subject"] == "Confirma tu firma, por favor"
    links = mail_links(inbox, "lucia@example.org")
    assert links["confirm"][1] == "es" and links["remove"][1] == "es"
    # Another device whose browser asks for English still gets Spanish, and remembers it.
    phone = other_device(app, "en")
    page = phone.get(links["remove"][0])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="es">' in html and "Retirar" in html
    assert "lang=es" in page.headers.get("Set-Cookie", "")
    assert '<html lang="es">' in phone.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    confirmed = post_button(other_device(app, "en"), links["confirm"][0]).get_data(as_text=True)
    assert '<html lang="es">' in confirmed
    # The removal link on the confirmed page carries the language too.
    assert re.search(r'/signatures/remove/[A-Za-z0-9_\-]+\?lang=es', confirmed)


def test_english_signer_gets_english_links_even_on_a_spanish_phone(app, client, campaign, inbox):
    sign_form(client, campaign.slug, email="ann@example.org")
    deliver_mail()
    links = mail_links(inbox, "ann@example.org")
    assert links["remove"][1] == "en"
    html = other_device(app, "es").get(links["remove"][0]).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_already_signed_mail_links_carry_the_language(app, client, campaign, inbox):
    client.get("/?lang=es")
    sign_form(client, campaign.slug, email="lucia@example.org")
    deliver_mail()
    post_button(client, mail_links(inbox, "lucia@example.org")["confirm"][0])
    db.session.execute(sa.update(Signature).values(last_mailed_at=None))
    db.session.commit()
    inbox.clear()
    sign_form(client, campaign.slug, email="Lucia@example.org")
    deliver_mail()
    body = inbox.to("lucia@example.org")[-1].get_body(("plain",)).get_content()
    assert re.search(r"/signatures/remove/[A-Za-z0-9_\-]+\?lang=es", body)
    assert f"/campaigns/{campaign.slug}?lang=es" in body


def post_update(client, slug, **fields):
    url = f"/organise/campaigns/{slug}/updates"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token} | fields)


def test_updates_are_mailed_and_shown_in_each_signers_language(app, organiser_client, campaign, inbox):
    edit(organiser_client, **SPANISH)
    for email, lang in (("ann@example.org", "en"), ("lucia@example.org", "es")):
        signer = app.test_client()
        signer.get(f"/?lang={lang}")
        sign_form(signer, campaign.slug, email=email, keep_updated=True)
        deliver_mail()
        post_button(signer, mail_links(inbox, email)["confirm"][0])
    inbox.clear()
    response = post_update(organiser_client, campaign.slug, title="We met the senator", body="It went **well**.",
                           title_es="Nos reunimos con la senadora", body_es="Salió **bien**.")
    assert response.status_code == 302
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["advocacy", "worker", "--once"]).exit_code == 0
    english, spanish = inbox.to("ann@example.org")[-1], inbox.to("lucia@example.org")[-1]
    assert english["Subject"] == "We met the senator"
    assert "It went **well**." in english.get_body(("plain",)).get_content()
    assert spanish["Subject"] == "Nos reunimos con la senadora"
    text = spanish.get_body(("plain",)).get_content()
    assert "Salió **bien**." in text and "Licencia pagada para todos" in text  # the Spanish campaign title
    assert "<strong>bien</strong>" in spanish.get_body(("html",)).get_content()
    assert UNSUBSCRIBE.search(text).group(2) == "es"
    page = other_device(app, "es").get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "<h3>Nos reunimos con la senadora</h3>" in page and "Salió <strong>bien</strong>." in page


def test_an_update_without_spanish_reaches_spanish_signers_in_english_marked(app, organiser_client, campaign,
                                                                            inbox):
    signer = app.test_client()
    signer.get("/?lang=es")
    sign_form(signer, campaign.slug, email="lucia@example.org", keep_updated=True)
    deliver_mail()
    post_button(signer, mail_links(inbox, "lucia@example.org")["confirm"][0])
    post_update(organiser_client, campaign.slug, title="We met the senator", body="It went well.")
    with app.app_context():
        app.test_cli_runner().invoke(args=["advocacy", "worker", "--once"])
    mail = inbox.to("lucia@example.org")[-1]
    assert mail["Subject"] == "We met the senator"
    assert '<h1 style="font-size: 20px;" lang="en">We met the senator</h1>' in mail.get_body(("html",)).get_content()
    page = other_device(app, "es").get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert '<h3 lang="en">We met the senator</h3>' in page


def test_half_a_spanish_update_is_refused_and_kept_in_the_form(organiser_client, campaign):
    response = post_update(organiser_client, campaign.slug, title="News", body="Body", title_es="Noticias")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#body_es"' in html and 'value="Noticias"' in html


def test_a_spanish_signer_of_a_campaign_read_from_the_per_process_copy_gets_its_spanish_title(
        app, client, campaign, inbox):
    """The signing path reads the campaign from a detached per-process copy
    (`cached_public_campaign`): its translations are loaded with it, for the mail's title."""
    from advocacy.campaigns.models import CampaignTranslation

    campaign.translations["es"] = CampaignTranslation(locale="es", title="Licencia pagada ya", ask="Apruébenla.",
                                                      summary="Con sueldo.", background="Por las familias.")
    db.session.commit()
    app.config["CAMPAIGN_CACHE_SECONDS"] = 60
    client.get("/?lang=es")
    for n in range(2):  # the first post reads the campaign, the second takes the copy
        assert sign_form(client, campaign.slug, email=f"rocio{n}@example.org").status_code == 303
    deliver_mail()
    for n in range(2):
        body = inbox.to(f"rocio{n}@example.org")[-1].get_body(("plain",)).get_content()
        assert "Licencia pagada ya" in body
