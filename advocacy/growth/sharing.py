"""Share links without trackers: plain links to each service's own share page (no script, no
pixel, nothing loaded from them until the visitor chooses), each carrying ?source=share-<channel>
so the dashboard can say which channel brought signers."""
from urllib.parse import quote, urlencode

from flask_babel import gettext as _

from ..campaigns.models import Campaign
from ..urls import external_url

CHANNELS = ("email", "sms", "whatsapp", "facebook", "x", "link")


def campaign_link(campaign: Campaign, source: str | None = None) -> str:
    """The campaign page's absolute address, with a source code when given."""
    return external_url("public.show", slug=campaign.slug, **({"source": source} if source else {}))


def share_links(campaign: Campaign) -> dict:
    """{"links": [{channel, label, href, external}], "copy_url": ...} in the page's language."""
    def url(channel):
        return campaign_link(campaign, f"share-{channel}")

    message = f"{_('Sign this petition')}: {campaign.title}"
    links = [
        ("email", _("Email"), "mailto:?" + urlencode(
            {"subject": campaign.title, "body": f"{campaign.ask}\n\n{message}\n{url('email')}"},
            quote_via=quote), False),
        ("sms", _("Text message"), "sms:?" + urlencode({"body": f"{message} {url('sms')}"}, quote_via=quote),
         False),
        ("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": f"{message} {url('whatsapp')}"},
                                                               quote_via=quote), True),
        ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode(
            {"u": url("facebook")}, quote_via=quote), True),
        ("x", "X (Twitter)", "https://twitter.com/intent/tweet?" + urlencode(
            {"text": message, "url": url("x")}, quote_via=quote), True),
    ]
    return {"links": [{"channel": c, "label": label, "href": href, "external": external}
                      for c, label, href, external in links],
            "copy_url": url("link")}
