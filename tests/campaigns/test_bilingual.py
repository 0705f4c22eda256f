"""Campaigns in English and Spanish: organisers write both, visitors read their language, and English
shown inside a Spanish page is marked lang="en"."""
import re

import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.campaigns.models import Campaign, CampaignTranslation
from advocacy.campaigns.seed_data_es import SEED_CAMPAIGNS_ES
from advocacy.extensions import db
from tests.conftest import IsolatedClient, csrf_token

FIELDS = {
    "title": "Paid leave for all", "slug": "paid-leave", "ask": "Pass paid leave.", "summary": "Leave, paid.",
    "background": "Families need **time**.", "target_chamber": "both", "target_states": "", "goal": "100",
    "opens_at": "", "closes_at": "",
}
SPANISH = {
    "title_es": "Licencia pagada para todos", "ask_es": "Aprueben la licencia pagada.",
    "summary_es": "Licencia, con sueldo.", "background_es": "Las familias necesitan **tiempo**.",
}


def edit(client, slug="paid-leave", **changes):
    url = f"/organise/campaigns/{slug}/edit"
    page = client.get(url)
    assert page.status_code == 200
    data = FIELDS | {"csrf_token": csrf_token(page.get_data(as_text=True))} | changes
    return client.post(url, data=data)


def visitor(app, language=None):
    """A new visitor (no cookie); `language` as their browser's Accept-Language."""
    app.test_client_class = IsolatedClient  # each request in its own context, as in production
    client = app.test_client()
    if language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def element(html: str, tag: str, cls: str | None = None) -> str:
    """The opening tag and text of the first <tag> (with class `cls`)."""
    wanted = f'class="{cls}"' if cls else ""
    pattern = rf"<{tag}\b[^>]*{wanted}[^>]*>.*?</{tag}>"
    match = re.search(pattern, html, re.S)
    assert match, f"no <{tag}> {cls or ''}"
    return match.group(0)


def test_organiser_writes_a_spanish_version_and_spanish_readers_get_it(app, organiser_client, campaign):
    assert edit(organiser_client, **SPANISH).status_code == 302
    spanish = visitor(app, "es").get("/campaigns/paid-leave").get_data(as_text=True)
    assert '<html lang="es">' in spanish
    assert element(spanish, "h1") == "<h1>Licencia pagada para todos</h1>"  # no lang: it is the page's
    assert "Aprueben la licencia pagada." in element(spanish, "p", "campaign__ask")
    assert "Las familias necesitan <strong>tiempo</strong>." in spanish
    assert "Paid leave for all" not in spanish.split("</title>")[1]
    english = visitor(app, "en").get("/campaigns/paid-leave").get_data(as_text=True)
    assert element(english, "h1") == "<h1>Paid leave for all</h1>" and "Licencia" not in english
    home = visitor(app).get("/?lang=es").get_data(as_text=True)
    assert "Licencia pagada para todos" in home and "Licencia, con sueldo." in home
    # The edit form shows what was saved, and the change was audited field by field.
    form = organiser_client.get("/organise/campaigns/paid-leave/edit").get_data(as_text=True)
    assert 'value="Licencia pagada para todos"' in form and 'lang="es"' in form
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "campaign_edit")).one()
    assert {"title_es", "ask_es", "summary_es", "background_es"} <= set(event.details["fields"])


def test_without_a_spanish_version_the_spanish_page_marks_the_english_text(app, campaign):
    page = visitor(app, "es").get("/campaigns/paid-leave").get_data(as_text=True)
    assert '<html lang="es">' in page and "Firmar" in page  # the interface is Spanish
    assert element(page, "h1") == '<h1 lang="en">Paid leave for all</h1>'
    assert element(page, "p", "campaign__ask").startswith('<p class="campaign__ask" lang="en">')
    assert re.search(r'<div class="prose" lang="en">Why it <strong>matters</strong>', page) or \
        re.search(r'<div class="prose" lang="en"><p>Why it <strong>matters</strong>', page)
    assert '<p class="lang-note">' in page  # a note says why (in Spanish once the catalogue has it)
    assert '<p class="lang-note">' not in visitor(app, "en").get("/campaigns/paid-leave").get_data(as_text=True)
    home = visitor(app, "es").get("/").get_data(as_text=True)
    assert re.search(r'<h3 class="card__title" lang="en"><a [^>]*>Paid leave for all</a>', home)


def test_a_spanish_summary_missing_falls_back_to_english_marked_as_such(app, organiser_client, campaign):
    """Title and ask in Spanish, background left empty: the English background is shown, marked."""
    assert edit(organiser_client, **(SPANISH | {"background_es": "", "summary_es": ""})).status_code == 302
    page = visitor(app, "es").get("/campaigns/paid-leave").get_data(as_text=True)
    assert element(page, "h1") == "<h1>Licencia pagada para todos</h1>"
    assert '<div class="prose" lang="en"><p>Families need <strong>time</strong>.</p>' in page


def test_half_a_spanish_version_is_refused_with_the_form_again(app, organiser_client, campaign):
    response = edit(organiser_client, ask_es="Aprueben la licencia pagada.", summary="Changed")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="errors"' in html and 'href="#title_es"' in html
    assert 'value="Aprueben la licencia pagada."' in html  # nothing typed is lost
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignTranslation)) == 0
    assert db.session.get(Campaign, campaign.id).summary == "A test campaign."


def test_emptying_the_spanish_fields_removes_the_spanish_version(app, organiser_client, campaign):
    edit(organiser_client, **SPANISH)
    assert edit(organiser_client, **dict.fromkeys(SPANISH, "")).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignTranslation)) == 0
    page = visitor(app, "es").get("/campaigns/paid-leave").get_data(as_text=True)
    assert element(page, "h1") == '<h1 lang="en">Paid leave for all</h1>'


def test_new_campaign_with_spanish_and_preview_of_both(organiser_client):
    url = "/organise/campaigns/new"
    token = csrf_token(organiser_client.get(url).get_data(as_text=True))
    data = FIELDS | SPANISH | {"slug": "leave-es", "csrf_token": token}
    preview = organiser_client.post(url, data=data | {"preview": "1"}).get_data(as_text=True)
    assert '<div lang="es">' in preview and "Licencia pagada para todos" in preview
    assert organiser_client.post(url, data=data).status_code == 302
    campaign = db.session.scalars(sa.select(Campaign).where(Campaign.slug == "leave-es")).one()
    assert campaign.translations["es"].title == "Licencia pagada para todos"


def test_campaign_json_carries_both_languages(app, organiser_client, campaign):
    edit(organiser_client, **SPANISH)
    data = visitor(app).get("/campaigns/paid-leave.json").get_json()
    assert data["title"] == "Paid leave for all"
    assert data["translations"] == {"es": {"title": "Licencia pagada para todos",
                                           "ask": "Aprueben la licencia pagada.", "summary": "Licencia, con sueldo."}}


def test_seeded_campaigns_have_spanish_versions_and_seeding_again_changes_nothing(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["advocacy", "seed"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignTranslation)) == len(SEED_CAMPAIGNS_ES)
    page = visitor(app, "es").get("/campaigns/paid-family-leave").get_data(as_text=True)
    assert element(page, "h1") == f"<h1>{SEED_CAMPAIGNS_ES['paid-family-leave']['title']}</h1>"
    assert "enfermeras, maestras, recepcionistas" in page
    result = runner.invoke(args=["advocacy", "seed"])
    assert "none (all present)" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignTranslation)) == len(SEED_CAMPAIGNS_ES)


def test_the_page_language_follows_the_link_then_the_cookie_then_the_browsers_preference(app, campaign):
    def language(client, path="/campaigns/paid-leave"):
        return re.search(r'<html lang="([a-z]+)">', client.get(path).get_data(as_text=True)).group(1)

    assert language(visitor(app)) == "en"  # no preference at all: the default
    assert language(visitor(app, "fr-CA, fr;q=0.9, es;q=0.8, en;q=0.5")) == "es"  # best supported by quality
    assert language(visitor(app, "de, *;q=0.1")) == "en"
    assert language(visitor(app, "es-MX")) == "es"  # a regional variant of a supported language
    # Garbled and long: no error, the default (werkzeug drops a language whose quality is not a number).
    assert language(visitor(app, "es;q=zz, ;;, ,q=1" + ", x" * 2000)) == "en"
    assert language(visitor(app, "es"), "/campaigns/paid-leave?lang=en") == "en"  # the link wins
    client = visitor(app, "en")
    client.set_cookie("lang", "es")
    assert language(client) == "es"  # the visitor's own choice, kept in a cookie, beats the browser's
    client.set_cookie("lang", "xx")
    assert language(client) == "en"  # a cookie naming no language of ours is ignored
