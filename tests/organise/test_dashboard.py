"""The campaign dashboard shows counts and the panels features register."""
from advocacy.organise.panels import dashboard_panel, panels_for
from tests.conftest import post_button


def test_dashboard_shows_confirmed_pending_and_confirmation_rate(organiser_client, campaign, signer):
    post_button(organiser_client, signer(campaign.slug, email="a@example.org")["confirm"])
    signer(campaign.slug, email="b@example.org")
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "<strong>1</strong> confirmed signatures" in html
    assert "<strong>1</strong> awaiting confirmation" in html
    assert "<strong>50%</strong> confirmation rate" in html


def test_registered_panels_get_their_context(campaign, monkeypatch):
    from advocacy.organise import panels

    monkeypatch.setattr(panels, "_panels", [])
    dashboard_panel("organise/_example.html", order=2)(lambda c: {"slug": c.slug})
    dashboard_panel("organise/_first.html", order=1)(lambda c: {})
    assert panels_for(campaign) == [("organise/_first.html", {}), ("organise/_example.html", {"slug": campaign.slug})]
