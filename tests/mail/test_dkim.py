"""Issue #14: optional DKIM signing. The received message's signature verifies with dkimpy against
the public key (served by a stand-in for DNS), and fails once the message is changed."""
import base64
import shutil
import subprocess

import dkim
import pytest

from tests.conftest import deliver_mail, sign_form

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="needs openssl to make a key")


@pytest.fixture
def dkim_key(app, tmp_path):
    """A fresh 2048-bit key configured for signing; returns the TXT record publishing its public half."""
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", str(key), "2048"], check=True,
                   capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True,
                            capture_output=True).stdout
    app.config.update(DKIM_PRIVATE_KEY=str(key), DKIM_SELECTOR="mail2026", DKIM_DOMAIN="example.org")
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def dns_for(record: bytes):
    def dnsfunc(name, timeout=5):
        return record if name == b"mail2026._domainkey.example.org." else None
    return dnsfunc


def test_outgoing_mail_is_dkim_signed_and_verifies(client, campaign, relay, dkim_key):
    sign_form(client, campaign.slug)
    deliver_mail()
    [received] = relay.received
    assert received.data.startswith(b"DKIM-Signature:")
    signature = received.message["DKIM-Signature"]
    assert "d=example.org" in signature and "s=mail2026" in signature
    for signed in ("from", "to", "subject", "date", "message-id"):
        assert signed in signature.split("h=")[1].split(";")[0].lower()
    assert dkim.verify(received.data, dnsfunc=dns_for(dkim_key))


def test_a_changed_message_fails_verification(client, campaign, relay, dkim_key):
    sign_form(client, campaign.slug)
    deliver_mail()
    data = relay.received[0].data
    assert dkim.verify(data, dnsfunc=dns_for(dkim_key))
    assert not dkim.verify(data.replace(b"Please confirm your signature", b"Please confirm your payment"),
                           dnsfunc=dns_for(dkim_key))


def test_without_a_key_mail_is_not_signed(client, campaign, relay):
    sign_form(client, campaign.slug)
    deliver_mail()
    assert relay.received[0].message["DKIM-Signature"] is None
