"""Create the essay-based campaigns, in English and Spanish; running it again changes nothing."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..database import transaction
from ..extensions import db
from .models import Campaign, CampaignTranslation
from .seed_calls import SEED_CALLS, SEED_CALLS_ES
from .seed_data import SEED_CAMPAIGNS
from .seed_data_es import SEED_CAMPAIGNS_ES


def seed_campaigns() -> list[str]:
    """Insert the seed campaigns that are missing (by slug); never overwrite an organiser's edits.
    A seed campaign from before Spanish versions existed gets its Spanish text only while its
    English title is still the seed's (an organiser who changed it writes their own); likewise a
    seeded Spanish version gets its call script and letter questions while both are still empty."""
    created = []
    with transaction():
        existing = {c.slug: c for c in db.session.scalars(
            sa.select(Campaign).options(selectinload(Campaign.translations)))}
        for data in SEED_CAMPAIGNS:
            campaign = existing.get(data["slug"])
            if campaign is None:
                campaign = Campaign(
                    slug=data["slug"], title=data["title"], ask=data["ask"], summary=data["summary"],
                    background=data["background"], goal=data["goal"], target_chamber="both", state="open",
                    closes_at=datetime.fromisoformat(data["closes_at"]).replace(hour=23, minute=59, second=59),
                    **SEED_CALLS.get(data["slug"], {}),
                )
                db.session.add(campaign)
                created.append(data["slug"])
            spanish = SEED_CAMPAIGNS_ES.get(data["slug"])
            if spanish and "es" not in campaign.translations and campaign.title == data["title"]:
                campaign.translations["es"] = CampaignTranslation(
                    locale="es", **spanish, **SEED_CALLS_ES.get(data["slug"], {}))
            translation = campaign.translations.get("es")
            if (translation is not None and spanish and translation.title == spanish["title"]
                    and not translation.call_script and not translation.letter_prompts):
                # Seeded before Spanish call scripts existed, and still the seed's own Spanish text.
                for name, value in SEED_CALLS_ES.get(data["slug"], {}).items():
                    setattr(translation, name, value)
    return created
