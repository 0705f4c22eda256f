"""The dashboard's growth section: signers per source, the places short of the district
threshold, the threshold form, and the widget snippet and source links for partners."""
from markupsafe import escape

from ..campaigns.models import Campaign
from ..urls import external_url
from .forms import ThresholdForm
from .sharing import campaign_link
from .sources import places_short, source_rows


def dashboard_panel(campaign: Campaign) -> dict:
    widget_url = external_url("growth.widget", slug=campaign.slug)
    return {
        "sources": source_rows(campaign),
        "places": places_short(campaign),
        "form": ThresholdForm(obj=campaign, formdata=None),
        "widget_url": widget_url,
        "widget_snippet": (f'<iframe src="{widget_url}?source=partner-name" title="{escape(campaign.title)}" '
                           'width="360" height="300" style="border:0;max-width:100%" loading="lazy"></iframe>'),
        "source_example": campaign_link(campaign, "partner-name"),
        "counts_urls": {name: external_url(f"growth.counts_{fmt}", slug=campaign.slug, **extra)
                        for name, fmt, extra in (("csv", "csv", {}), ("json", "json", {}),
                                                 ("state_csv", "csv", {"by": "state"}))},
    }
