"""Upgrading keeps every row: on SQLite a migration that alters a table rebuilds it (batch mode), and
with foreign keys on, dropping the old table cascade-deleted its children (0015 lost every signature
token and district; a rebuilt campaigns table would lose every signature). migrations/env.py turns
foreign keys off while migrating and checks them afterwards."""
from datetime import datetime

import sqlalchemy as sa

from advocacy.extensions import db


def test_upgrading_from_0012_keeps_signatures_their_tokens_and_districts(tmp_path):
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
        db.session.execute(sa.text(
            "INSERT INTO signature_tokens (signature_id, purpose, token_hash, created_at, expires_at) "
            "VALUES (1, 'remove', 'h', :at, :at)"), {"at": at})
        db.session.execute(sa.text(
            "INSERT INTO signature_districts (signature_id, district, shared) VALUES (1, 'IL-5', 1)"))
        db.session.commit()
        upgrade()
        # Rebuilding a table on SQLite (batch mode) must not cascade-delete its children (migrations/env.py).
        assert db.session.scalar(sa.text("SELECT count(*) FROM signature_tokens")) == 1
        assert db.session.scalar(sa.text("SELECT count(*) FROM signature_districts")) == 1
        assert db.session.execute(sa.text("SELECT id, source FROM signatures")).all() == [(1, None)]
        assert db.session.scalar(sa.text("SELECT district_threshold FROM campaigns WHERE id = 1")) == 100
        db.session.remove()
        db.engine.dispose()
