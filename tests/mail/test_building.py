"""The worker builds most mail with the email package's older (compat32) API, at about a quarter of
the CPU of EmailMessage. A reader must not see the difference: every header and both bodies read
back, by the newer parser a mail client would use, exactly as EmailMessage writes them."""
from email import message_from_bytes, policy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.mail.models import OutboxMessage
from advocacy.mail.service import _build, _build_email_message, _headers, _render, serialise

# One line of any text a subject or a display name can hold (no line breaks, which are refused).
ONE_LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=200).filter(
    lambda value: len(value.splitlines()) == 1 and value.strip() == value)
BODY = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
               max_size=600)


def read_back(data: bytes):
    email = message_from_bytes(data, policy=policy.default)
    headers = {name: str(email[name]) for name in ("From", "To", "Subject", "Message-ID", "List-Unsubscribe",
                                                    "List-Unsubscribe-Post")}
    bodies = {part.get_content_type(): part.get_content() for part in email.walk() if not part.is_multipart()}
    return headers, bodies


def both_ways(message: OutboxMessage):
    fast = serialise(_build(message, utf8=False), utf8=False)
    text, html = _render(message)
    reference = serialise(_build_email_message(message, _headers(message), text, html), utf8=False)
    return fast, reference


def outbox_message(subject: str, text: str, html: str | None, **extra) -> OutboxMessage:
    return OutboxMessage(id=42, to_address="rosa@example.org", subject=subject, body_text=text, body_html=html,
                         kind="test", headers=extra.get("headers"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=ONE_LINE, name=ONE_LINE, text=BODY, html=BODY)
def test_any_subject_sender_name_and_bodies_read_back_as_emailmessage_writes_them(app, subject, name, text, html):
    app.config["MAIL_FROM"] = f'"{name.replace(chr(92), "").replace(chr(34), "")}" <mail@petitions.example.org>'
    with app.test_request_context():
        fast, reference = both_ways(outbox_message(subject, text, html or None))
    assert read_back(fast)[0] == read_back(reference)[0]
    # EmailMessage ends every body with a line break (an empty one reads back as "\r"); the text is the same.
    fast_bodies, reference_bodies = read_back(fast)[1], read_back(reference)[1]
    assert fast_bodies.keys() == reference_bodies.keys()
    for kind, body in reference_bodies.items():
        assert fast_bodies[kind].rstrip("\r\n") == body.rstrip("\r\n"), kind


@pytest.mark.parametrize("subject", [
    "Confirma tu firma: Cuidado infantil que las familias puedan pagar y salarios justos para quienes lo dan",
    "We delivered 1,000 signatures to Congress about paid family leave, child care and a fair minimum wage",
])
def test_long_subjects_and_unsubscribe_headers_keep_to_the_line_limits(app, subject):
    unsubscribe = {"List-Unsubscribe": "<https://petitions.example.org/updates/unsubscribe/" + "x" * 60 + "?lang=es>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    with app.test_request_context():
        data = serialise(_build(outbox_message(subject, "Hola", "<p>Hola</p>", headers=unsubscribe), utf8=False),
                         utf8=False)
    head = data.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    # Encoded words stay within RFC 2047's 75 characters, folded onto lines of their own.
    assert all(len(word) <= 75 for word in head.split() if word.startswith(b"=?"))
    headers, _bodies = read_back(data)
    assert headers["Subject"] == subject and headers["List-Unsubscribe"] == unsubscribe["List-Unsubscribe"]


def test_a_body_line_starting_with_from_is_sent_as_written(app):
    with app.test_request_context():
        data = serialise(_build(outbox_message("Hi", "Thanks.\nFrom now on, we deliver.\n", None), utf8=False),
                         utf8=False)
    assert read_back(data)[1]["text/plain"].splitlines()[1] == "From now on, we deliver."


def test_a_line_break_in_a_header_is_refused_not_folded_in(app):
    with app.test_request_context(), pytest.raises(ValueError, match="linefeed"):
        _build(outbox_message("Big\u2028news", "Hi", None), utf8=False)


def test_bodies_made_of_equals_signs_and_dashes_cannot_end_a_part_early(app):
    """The worker picks the multipart boundary itself (a run of "=" around random hex) rather than
    letting the email package search the bodies for a free one; quoted-printable parts cannot hold
    "==", so a body that looks like a boundary still reads back whole."""
    lookalike = "\n".join(["=" * 40, "--" + "=" * 15, "--" + "=" * 15 + "0123456789abcdef" * 2 + "==--", "end"])
    with app.test_request_context():
        email = _build(outbox_message("Hi", lookalike, f"<pre>{lookalike}</pre>"), utf8=False)
        data = serialise(email, utf8=False)
    boundary = email.get_boundary()
    assert boundary.startswith("=" * 15) and boundary.endswith("==")
    assert data.count(b"--" + boundary.encode()) == 3  # two parts opened, one close
    bodies = read_back(data)[1]
    assert bodies["text/plain"].rstrip("\r\n").splitlines() == lookalike.splitlines()
    assert bodies["text/html"].rstrip("\r\n").splitlines() == f"<pre>{lookalike}</pre>".splitlines()
