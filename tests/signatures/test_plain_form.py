"""The sign form's fast path (`plainly_valid_signer`) accepts only what SignForm accepts, with the
same values, and a browser's ordinary post takes it."""
import pytest
from flask import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from advocacy.bots.service import issue_fill_timer
from advocacy.signatures.forms import SignForm, plainly_valid_signer
from tests.conftest import sign_form

# Values near the edges of every rule: blanks and whitespace, control characters (tab, vertical
# tab, NUL), bidi overrides, web addresses, formula prefixes, lengths at and over the limits,
# non-ASCII letters, digits in other scripts, and ordinary values.
TEXT = st.one_of(
    st.sampled_from(["", " ", "  \t", "\x0b", "Ana", "José", "Nguyễn Thị", "O'Brien-Smith", "A" * 50, "A" * 51,
                     "=SUM(A1)", "-Ana", "www.spam.biz", "Ana https://x.org", "Ana@x", "12", "An\u202ea",
                     "Ana\x00", "Ana\r\nRuiz", " Ana ", "李", "ana@example.org"]),
    st.text(max_size=60),
)
EMAIL = st.one_of(
    st.sampled_from(["ana@example.org", " Ana@Example.ORG ", "ana@example", "not-an-email", "", " ",
                     "ana+tag@gmail.com", "ana@mailinator.com", "用户@例子.广告", "ana@exämple.org",
                     "ana@example.org\x00", "a" * 65 + "@example.org", "ana..b@example.org", "\tana@example.org"]),
    st.emails().map(str),
    st.text(max_size=40),
)
POSTAL = st.one_of(
    st.sampled_from(["60614", "60614-1234", "606141234", " 60614 ", "6061", "ABCDE", "６０６１４", "60614-12",
                     "60 614", "", "60614\x00"]),
    st.text(alphabet="0123456789- ", max_size=12),
)
COMMENT = st.one_of(st.sampled_from(["", " ", "Because.", "x" * 500, "x" * 501, "line\nbreak", "tab\there",
                                     "vt\x0b", "  " + "x" * 499]), st.text(max_size=30))
BOX = st.sampled_from([None, "", "y", "false", "on", "False"])
SOURCE = st.sampled_from([None, "", "clinic-nurses", "Share-SMS", "bad source!", "x" * 41, "\x00"])
STARTED = st.sampled_from(["fresh", "garbled", "", None])
WEBSITE = st.sampled_from([None, "", "http://spam.example", " "])


def _formdata(fields: dict) -> MultiDict:
    return MultiDict([(name, value) for name, value in fields.items() if value is not None])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_name=st.one_of(st.none(), TEXT), family_name=st.one_of(st.none(), TEXT), email=st.one_of(st.none(), EMAIL),
       postal_code=st.one_of(st.none(), POSTAL), comment=st.one_of(st.none(), COMMENT),
       family_name_first=BOX, show_name=BOX, keep_updated=BOX, share_email=BOX, source=SOURCE, started=STARTED,
       website=WEBSITE, min_fill_seconds=st.sampled_from([0, 3]))
def test_the_fast_path_accepts_only_what_the_form_accepts_with_the_same_values(
        app, given_name, family_name, email, postal_code, comment, family_name_first, show_name, keep_updated,
        share_email, source, started, website, min_fill_seconds):
    app.config["SIGN_MIN_FILL_SECONDS"] = min_fill_seconds
    with app.test_request_context("/campaigns/x/sign", method="POST"):
        timer = {"fresh": issue_fill_timer(), "garbled": "123.abc"}.get(started, started)
        formdata = _formdata({
            "given_name": given_name, "family_name": family_name, "email": email, "postal_code": postal_code,
            "comment": comment, "family_name_first": family_name_first, "show_name": show_name,
            "keep_updated": keep_updated, "share_email": share_email, "source": source, "started": timer,
            "website": website})
        fast = plainly_valid_signer(formdata)
        form = SignForm(formdata=formdata)
        accepted = form.validate()
        if fast is not None:
            assert accepted, form.errors
            assert fast == form.signer_values()


@pytest.mark.parametrize("fields", [
    {},  # Maria Lopez, as sign_form fills it in
    {"full_name": "Ana Smith"},
    {"family_name_first": True, "given_name": "Min", "family_name": "Kim"},
    {"comment": "Child care is infrastructure.", "show_name": True, "keep_updated": True},
    {"email": " Maria@Example.ORG ", "postal_code": "60614-1234"},
])
def test_an_ordinary_browser_post_takes_the_fast_path(client, campaign, monkeypatch, fields):
    """SignForm is built only to show errors: a browser's ordinary post never builds it."""
    import advocacy.public.routes as routes

    built = []

    class CountingSignForm(SignForm):
        def __init__(self, *args, **kwargs):
            if request.method == "POST":  # the page's GET renders an empty form
                built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(routes, "SignForm", CountingSignForm)
    response = sign_form(client, campaign.slug, **fields)
    assert response.status_code == 303
    assert built == []


def test_a_post_the_fast_path_refuses_still_gets_the_forms_errors(client, campaign):
    response = sign_form(client, campaign.slug, postal_code="６０６１４")
    assert response.status_code == 422
    assert 'value="Maria"' in response.get_data(as_text=True)  # what was typed is kept
    assert "Enter a US ZIP code" in response.get_data(as_text=True)
