"""The campaign dashboard shows counts and a section from each feature."""
from tests.conftest import post_button


def test_dashboard_shows_confirmed_pending_and_confirmation_rate(organiser_client, campaign, signer):
    post_button(organiser_client, signer(campaign.slug, email="a@example.org")["confirm"])
    signer(campaign.slug, email="b@example.org")
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "<strong>1</strong> confirmed signatures" in html
    assert "<strong>1</strong> awaiting confirmation" in html
    assert "<strong>50%</strong> confirmation rate" in html


def test_dashboard_shows_every_feature_section_in_order(organiser_client, campaign):
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    headings = ["per-day-heading", "states-heading", "moderation-heading", "delivery-heading",
                "donations-heading"]
    positions = [html.find(f'id="{heading}"') for heading in headings]
    assert -1 not in positions and positions == sorted(positions)


def test_dashboard_chart_is_server_rendered_svg_with_a_data_table(organiser_client, campaign, signer):
    from advocacy.database import utcnow

    post_button(organiser_client, signer(campaign.slug, email="a@example.org")["confirm"])
    post_button(organiser_client, signer(campaign.slug, email="b@example.org")["confirm"])
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    chart = html.split('id="per-day-heading"')[1].split("</section>")[0]
    assert chart.count("<rect") == 30 and "<script" not in html
    today = utcnow().date()
    assert f"<td>{today.strftime('%b')}" in chart and "<td>2</td>" in chart  # today's row in the hidden table
    assert chart.count("<td>0</td>") == 29


def test_top_states_come_from_confirmed_signatures_zip_codes(organiser_client, campaign, signer):
    for i, zip_code in enumerate(("60614", "60601-1234", "53703", "10001")):
        post_button(organiser_client, signer(campaign.slug, email=f"p{i}@example.org",
                                             postal_code=zip_code)["confirm"])
    signer(campaign.slug, email="pending@example.org", postal_code="53703")  # not confirmed: not counted
    from advocacy.organise.service import top_states

    assert top_states(campaign) == [("IL", 2), ("NY", 1), ("WI", 1)]  # ties by state code
    assert top_states(campaign, limit=1) == [("IL", 2)]
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    states = html.split('id="states-heading"')[1].split("</section>")[0]
    assert "<td>IL</td>" in states and "<td>WI</td>" in states


def test_dashboard_lists_latest_comments_awaiting_moderation(organiser_client, campaign, signer):
    post_button(organiser_client, signer(campaign.slug, email="a@example.org",
                                         comment="My kids need this")["confirm"])
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    panel = html.split('id="moderation-heading"')[1].split("</section>")[0]
    assert "My kids need this" in panel and "1 comment is hidden" in panel


def test_admins_see_the_audit_log(admin_client, make_campaign):
    campaign = make_campaign(title="Audited")
    page = admin_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    from tests.conftest import csrf_token

    admin_client.post(f"/organise/campaigns/{campaign.slug}/state", data={"csrf_token": csrf_token(page), "to": "closed"})
    html = admin_client.get("/organise/audit").get_data(as_text=True)
    assert "campaign_closed" in html and "admin@example.org" in html and campaign.slug in html
