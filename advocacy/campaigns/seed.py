"""Create the essay-based campaigns; running it again changes nothing."""
from datetime import datetime

import sqlalchemy as sa

from ..database import transaction
from ..extensions import db
from .models import Campaign
from .seed_calls import SEED_CALLS
from .seed_data import SEED_CAMPAIGNS


def seed_campaigns() -> list[str]:
    """Insert the seed campaigns that are missing (by slug); never overwrite an organiser's edits."""
    created = []
    with transaction():
        existing = set(db.session.scalars(sa.select(Campaign.slug)))
        for data in SEED_CAMPAIGNS:
            if data["slug"] in existing:
                continue
            db.session.add(Campaign(
                slug=data["slug"], title=data["title"], ask=data["ask"], summary=data["summary"],
                background=data["background"], goal=data["goal"], target_chamber="both", state="open",
                closes_at=datetime.fromisoformat(data["closes_at"]).replace(hour=23, minute=59, second=59),
                **SEED_CALLS.get(data["slug"], {}),
            ))
            created.append(data["slug"])
    return created
