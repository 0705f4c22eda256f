"""The embeddable widget: an iframe page without script, with the count, the goal bar and a sign
button opening the campaign page in a new tab with ?source=; the only page other sites may frame."""
import re

from tests.conftest import post_button


def test_widget_shows_the_count_and_a_sign_button_with_its_source(client, campaign, signer):
    post_button(client, signer(campaign.slug)["confirm"])
    response = client.get(f"/campaigns/{campaign.slug}/widget")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>1</strong>" in html and '<progress class="progress__bar" max="100" value="1"' in html
    button = re.search(r'<a class="button widget__sign"[^>]*>', html)[0]
    assert 'href="http://localhost/campaigns/paid-leave?source=widget"' in button
    assert 'target="_blank"' in button and 'rel="noopener"' in button
    assert "<script" not in html and "<form" not in html
    assert response.headers["Cache-Control"].startswith("public, max-age=")


def test_a_partner_widget_carries_the_partner_source(client, campaign):
    html = client.get(f"/campaigns/{campaign.slug}/widget?source=Daycare-Coop").get_data(as_text=True)
    assert 'href="http://localhost/campaigns/paid-leave?source=daycare-coop"' in html
    html = client.get(f"/campaigns/{campaign.slug}/widget?source=<b>").get_data(as_text=True)
    assert 'href="http://localhost/campaigns/paid-leave?source=widget"' in html


def test_only_the_widget_may_be_framed(client, campaign):
    widget = client.get(f"/campaigns/{campaign.slug}/widget")
    assert "frame-ancestors *" in widget.headers["Content-Security-Policy"]
    assert "script-src 'none'" in widget.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget.headers
    for path in (f"/campaigns/{campaign.slug}", "/", f"/campaigns/{campaign.slug}/counts.json",
                 f"/campaigns/{campaign.slug}/card.png", "/organise/login"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path


def test_a_closed_campaign_widget_has_no_sign_button(client, make_campaign):
    closed = make_campaign(state="closed")
    html = client.get(f"/campaigns/{closed.slug}/widget").get_data(as_text=True)
    assert "widget__sign" not in html and "This campaign has closed." in html


def test_organiser_sees_the_embed_snippet(organiser_client, campaign):
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    snippet = html.split('id="widget-snippet"')[1].split("</textarea>")[0]
    assert "&lt;iframe src=&#34;http://localhost/campaigns/paid-leave/widget?source=partner-name&#34;" in snippet \
        or '&lt;iframe src="http://localhost/campaigns/paid-leave/widget?source=partner-name"' in snippet
