"""The app's request and session classes (advocacy/flask_parts.py) behave as Flask's own."""
import pytest
from flask import request, session
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import BadSignature
from werkzeug.datastructures import ImmutableMultiDict

from advocacy.flask_parts import LookFirstMultiDict

keys = st.sampled_from(["lang", "email", "n", "show_name", ""])
values = st.one_of(st.sampled_from(["es", "7", "-3", "x", ""]), st.text(max_size=5))
conversions = st.sampled_from([None, int, str.upper, lambda v: v[5]])


@given(pairs=st.lists(st.tuples(keys, values), max_size=6), key=keys, default=st.sampled_from([None, "d", -1]),
       convert=conversions)
def test_get_answers_as_werkzeug_does_for_any_form_or_query(pairs, key, default, convert):
    """Present or missing, several values or one, with a conversion that works or fails (ValueError,
    IndexError is not caught by werkzeug either): the same answer, or the same exception."""
    def answer(mapping):
        try:
            return ("value", mapping.get(key, default, convert))
        except Exception as exc:  # noqa: BLE001 - the comparison is the point
            return ("raised", type(exc))

    assert answer(LookFirstMultiDict(pairs)) == answer(ImmutableMultiDict(pairs))


def test_the_request_reads_form_query_and_cookies_with_it_and_they_stay_read_only(app):
    with app.test_request_context("/?lang=es&n=x", method="POST", data={"email": "a@example.org"},
                                  headers={"Cookie": "lang=es"}):
        for mapping in (request.args, request.form, request.cookies):
            assert isinstance(mapping, LookFirstMultiDict)
            with pytest.raises(TypeError):
                mapping["added"] = "no"
        assert request.args.get("lang") == "es" and request.args.get("n", 0, type=int) == 0
        assert request.form.get("email") == "a@example.org" and request.form.get("show_name") is None
        assert request.cookies.get("lang") == "es" and request.cookies.get("session", "none") == "none"


def test_one_session_serializer_serves_every_request_until_the_keys_change(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"_user_id": "7"})

    old_key = app.secret_key
    app.secret_key = app.config["SECRET_KEY"] = "a-new-key-for-this-test-only-0123456789"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    during_rotation = interface.get_signing_serializer(app)
    assert during_rotation is not first
    assert during_rotation.loads(cookie) == {"_user_id": "7"}  # signed in before the rotation: still signed in

    app.config["SECRET_KEY_FALLBACKS"] = []
    with pytest.raises(BadSignature):  # the old key retired: its cookies are refused
        interface.get_signing_serializer(app).loads(cookie)


def test_a_session_set_on_one_request_is_read_on_the_next(app):
    @app.get("/test-session-set")
    def set_value():
        session["seen"] = "yes"
        return "set"

    @app.get("/test-session-read")
    def read_value():
        return session.get("seen", "no")

    client = app.test_client()
    assert client.get("/test-session-read").text == "no"
    client.get("/test-session-set")
    assert client.get("/test-session-read").text == "yes"
