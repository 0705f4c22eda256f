"""Bad input gets a clear message beside the field and in the summary; nothing is stored."""
import re

import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from advocacy.signatures.models import Signature
from tests.conftest import sign_form


def assert_refused(response, message):
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in html  # the error summary
    assert message in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize("field, value, message", [
    ("given_name", "", "Enter your given name"),
    ("email", "", "Enter your email address"),
    ("postal_code", "", "Enter your ZIP code"),
    ("email", "not-an-email", "Enter an email address in the correct format"),
    ("email", "ana@example", "Enter an email address in the correct format"),
    ("postal_code", "1234", "Enter a US ZIP code"),
    ("postal_code", "ABCDE", "Enter a US ZIP code"),
    ("postal_code", "60614-12", "Enter a US ZIP code"),
    ("given_name", "A" * 51, "given name must be 50 characters or fewer"),
    ("family_name", "A" * 51, "family name must be 50 characters or fewer"),
    ("given_name", "Visit https://spam.example", "must not contain a web address"),
    ("family_name", "cheap pills www.pills.biz", "must not contain a web address"),
    ("comment", "x" * 501, "500 characters or fewer"),
])
def test_invalid_field_is_refused_with_its_message_and_nothing_stored(client, campaign, field, value, message):
    assert_refused(sign_form(client, campaign.slug, **{field: value}), message)


@pytest.mark.parametrize("name", ["=HYPERLINK(\"x\")", "+1 555", "-Ana", "@SUM(A1)"])
def test_names_that_would_become_spreadsheet_formulas_are_refused(client, campaign, name):
    assert_refused(sign_form(client, campaign.slug, given_name=name), "Your name must start with a letter")
    assert_refused(sign_form(client, campaign.slug, family_name=name), "Your name must start with a letter")


def test_error_links_point_at_the_field_and_the_field_describes_its_error(client, campaign):
    html = sign_form(client, campaign.slug, postal_code="12").get_data(as_text=True)
    assert 'href="#postal_code"' in html
    assert 'id="postal_code-error"' in html
    assert 'aria-describedby="postal_code-hint postal_code-error"' in html


def test_entered_values_are_kept_after_an_error(client, campaign):
    html = sign_form(client, campaign.slug, given_name="Ana", family_name="Ruiz", postal_code="12",
                     family_name_first=True).get_data(as_text=True)
    assert 'value="Ana"' in html and 'value="Ruiz"' in html
    assert re.search(r'<input[^>]*checked[^>]*id="family_name_first"|<input[^>]*id="family_name_first"[^>]*checked', html)


@pytest.mark.parametrize("entered, stored", [("60614", "60614"), ("60614-1234", "60614-1234"),
                                             ("606141234", "60614-1234"), (" 60614 ", "60614")])
def test_zip_and_zip_plus_four_are_accepted_and_normalised(client, campaign, entered, stored):
    assert sign_form(client, campaign.slug, postal_code=entered).status_code == 303
    assert db.session.scalar(sa.select(Signature.postal_code)) == stored


def test_comment_of_exactly_500_characters_is_accepted(client, campaign):
    assert sign_form(client, campaign.slug, comment="y" * 500).status_code == 303
