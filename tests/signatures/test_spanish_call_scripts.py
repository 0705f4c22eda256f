"""Issue #13 for call scripts: organisers write the call script and letter questions in Spanish too;
a Spanish reader's confirmed page shows them with each member's name and a Spanish title, and falls
back to the English ones, marked lang="en", where no Spanish was written."""
import re

import sqlalchemy as sa

from advocacy.campaigns.models import Campaign, CampaignTranslation
from advocacy.extensions import db
from tests.campaigns.test_bilingual import FIELDS, SPANISH, edit
from tests.conftest import post_button
from tests.signatures.test_after_signing import confirmed_page, members_section

SCRIPT_ES = "Llamo para pedirle a {member}, {title}, que apoye la licencia pagada.\n\nGracias."
PROMPTS_ES = "¿Qué cambiaría la licencia pagada en su semana?\n¿Quién cuida a sus hijos?"


def spanish_confirmed_page(client, signer, slug, email="sf@example.org", postal_code="94105"):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    links = signer(slug, email=email, postal_code=postal_code)
    confirmed = post_button(client, links["confirm"])
    assert confirmed.status_code == 200
    html = confirmed.get_data(as_text=True)
    assert '<html lang="es">' in html
    return html


def script_blocks(html: str) -> list[str]:
    return re.findall(r'<details class="call-script".*?</details>', html, re.S)


def letter_questions(html: str) -> str:
    found = re.search(r"<ul[^>]*>(?:(?!</ul>).)*</ul>", html[html.index('id="letter"'):], re.S)
    return found.group(0) if found else ""


def campaign_with(make_campaign, **spanish):
    campaign = make_campaign(slug="paid-leave-now", title="Paid leave now",
                             call_script="Please ask {title} {member} to support paid leave.",
                             letter_prompts="How would paid leave change your week?")
    campaign.translations["es"] = CampaignTranslation(locale="es", title="Licencia pagada ya",
                                                      ask="Aprueben la licencia pagada.", **spanish)
    db.session.commit()
    return campaign


def test_a_spanish_readers_confirmed_page_shows_the_spanish_script_with_the_members_name_and_spanish_title(
        client, make_campaign, geography, signer):
    campaign = campaign_with(make_campaign, call_script=SCRIPT_ES, letter_prompts=PROMPTS_ES)
    html = spanish_confirmed_page(client, signer, campaign.slug)
    section = members_section(html)
    assert "pedirle a Nancy Pelosi, representante en la Cámara, que apoye la licencia pagada." in section
    assert "pedirle a Alex Padilla, integrante del Senado, que apoye" in section
    assert "Please ask" not in section and "{member}" not in section
    assert all('lang="en"' not in block for block in script_blocks(html))  # Spanish on a Spanish page
    questions = letter_questions(html)
    assert "¿Quién cuida a sus hijos?" in questions and 'lang="en"' not in questions


def test_without_a_spanish_script_the_english_one_is_shown_marked_lang_en_with_english_titles(
        client, make_campaign, geography, signer):
    campaign = campaign_with(make_campaign)  # Spanish title and ask only
    html = spanish_confirmed_page(client, signer, campaign.slug)
    blocks = script_blocks(html)
    assert blocks and all('<div lang="en">' in block for block in blocks)
    section = members_section(html)
    assert "Please ask Representative Nancy Pelosi to support paid leave." in section
    assert "Please ask Senator Alex Padilla" in section
    questions = letter_questions(html)
    assert questions.startswith('<ul lang="en">') and "How would paid leave change your week?" in questions


def test_an_english_reader_still_gets_the_english_script_when_a_spanish_one_exists(
        client, make_campaign, geography, signer):
    campaign = campaign_with(make_campaign, call_script=SCRIPT_ES, letter_prompts=PROMPTS_ES)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html, _token = confirmed_page(client, signer, campaign.slug, "en@example.org", "94105")
    assert "Please ask Representative Nancy Pelosi to support paid leave." in members_section(html)
    assert "Llamo" not in html and "¿Quién cuida" not in html


def test_organiser_saves_a_spanish_call_script_and_letter_questions(app, organiser_client, campaign):
    too_many = "Uno?\nDos?\nTres?\nCuatro?"
    refused = edit(organiser_client, **SPANISH, call_script_es=SCRIPT_ES, letter_prompts_es=too_many)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Ask at most three questions" in page and SCRIPT_ES.split("\n")[0] in page  # nothing typed is lost
    assert edit(organiser_client, **SPANISH, call_script_es=SCRIPT_ES,
                letter_prompts_es="¿Qué cambiaría?\n\n¿Quién cuida a sus hijos?").status_code == 302
    db.session.expire_all()
    translation = db.session.scalars(sa.select(CampaignTranslation)).one()
    assert translation.call_script == SCRIPT_ES
    assert translation.letter_prompts == "¿Qué cambiaría?\n¿Quién cuida a sus hijos?"
    form = organiser_client.get(f"/organise/campaigns/{FIELDS['slug']}/edit").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="call_script_es"[^>]*>\s*Llamo para pedirle', form)
    assert re.search(r'<textarea[^>]*lang="es"[^>]*name="call_script_es"|<textarea[^>]*name="call_script_es"'
                     r'[^>]*lang="es"', form)


def test_a_spanish_script_alone_needs_the_spanish_title_and_ask(app, organiser_client, campaign):
    response = edit(organiser_client, call_script_es=SCRIPT_ES)
    assert response.status_code == 422
    assert "Enter the title in Spanish, or leave the whole Spanish version empty" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignTranslation)) == 0
    assert db.session.get(Campaign, campaign.id).title == FIELDS["title"]


def test_seeded_campaigns_have_spanish_call_scripts_with_the_members_name(client, geography, signer):
    from advocacy.campaigns.seed import seed_campaigns

    seed_campaigns()
    html = spanish_confirmed_page(client, signer, "affordable-child-care")
    section = members_section(html)
    assert "en la zona que representa Nancy Pelosi, representante en la Cámara." in section
    assert "Llamo para pedirle a Alex Padilla que haga el cuidado infantil accesible" in section
    assert all('lang="en"' not in block for block in script_blocks(html))
    assert "¿Cuánto le cuesta a su familia el cuidado de los niños" in letter_questions(html)


def test_seeding_again_gives_an_untouched_seeded_spanish_version_its_call_script(app):
    from advocacy.campaigns.seed import seed_campaigns
    from advocacy.campaigns.seed_calls import SEED_CALLS_ES

    seed_campaigns()
    db.session.execute(sa.update(CampaignTranslation).values(call_script="", letter_prompts=""))
    db.session.execute(sa.update(CampaignTranslation).where(CampaignTranslation.campaign_id == sa.select(
        Campaign.id).where(Campaign.slug == "raise-minimum-wage").scalar_subquery()).values(title="Mi título"))
    db.session.commit()
    seed_campaigns()
    db.session.expire_all()
    scripts = {t.campaign.slug: t.call_script for t in db.session.scalars(sa.select(CampaignTranslation))}
    assert scripts["paid-family-leave"] == SEED_CALLS_ES["paid-family-leave"]["call_script"]
    assert scripts["raise-minimum-wage"] == ""  # an organiser's own Spanish version is left alone
