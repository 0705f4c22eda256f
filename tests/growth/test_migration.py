"""Migration 0017 adds signatures.source and campaigns.district_threshold without losing a row
(on SQLite a rebuilt campaigns table would cascade-delete every signature)."""
from datetime import datetime

import sqlalchemy as sa

from advocacy.extensions import db


def test_upgrading_keeps_every_signature_and_sets_the_default_threshold(tmp_path):
    from flask_migrate import upgrade

    from advocacy import create_app
    from tests.conftest import SessionConfig

    app = create_app(type("Cfg", (SessionConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"}))
    at = datetime(2026, 1, 2, 3, 4, 5)
    with app.app_context():
        upgrade(revision="0012")
        db.session.execute(sa.text(
            "INSERT INTO campaigns (id, slug, title, ask, summary, background, target_chamber, target_states, "
            "goal, state, created_at, updated_at) VALUES (1, 'old', 'Old', 'Ask.', '', '', 'both', '', 10, 'open', "
            ":at, :at)"), {"at": at})
        db.session.execute(sa.text(
            "INSERT INTO signatures (id, campaign_id, full_name, email, email_canonical, postal_code, comment_status, "
            "show_name, keep_updated, share_email, status, locale, created_at) VALUES (1, 1, 'Ana', 'a@example.org', "
            "'a@example.org', '60614', 'none', 0, 0, 0, 'confirmed', 'en', :at)"), {"at": at})
        db.session.commit()
        upgrade()
        assert db.session.execute(sa.text("SELECT id, source FROM signatures")).all() == [(1, None)]
        assert db.session.scalar(sa.text("SELECT district_threshold FROM campaigns WHERE id = 1")) == 100
        db.session.remove()
        db.engine.dispose()
