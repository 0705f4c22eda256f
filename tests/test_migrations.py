"""The schema comes from migrations, and the migrations match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from advocacy.extensions import db


def test_models_and_migrations_do_not_differ(app):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_migrations_have_one_head_recorded_in_current_alembic_head():
    """Two branches that each add a migration after the same parent fork the history; the recorded
    head makes that a merge conflict instead of a silent second head."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    migrations = Path(__file__).resolve().parent.parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(migrations))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert heads == [(migrations / ".current-alembic-head").read_text().strip()]


def test_signature_tokens_refuse_an_unknown_purpose(app, campaign, signer):
    """Token purposes are checked by the database, as account token purposes already were."""
    import pytest
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    from advocacy.database import utcnow
    from advocacy.signatures.models import Signature

    signer(campaign.slug, email="purpose@example.org")
    signature_id = db.session.scalar(sa.select(Signature.id).where(Signature.email == "purpose@example.org"))
    insert = sa.text("INSERT INTO signature_tokens (signature_id, purpose, token_hash, created_at, expires_at) "
                     "VALUES (:signature_id, :purpose, :token_hash, :now, :now)")
    values = {"signature_id": signature_id, "now": utcnow()}
    db.session.execute(insert, values | {"purpose": "updates", "token_hash": "a" * 64})
    with pytest.raises(IntegrityError):
        db.session.execute(insert, values | {"purpose": "bogus", "token_hash": "b" * 64})
    db.session.rollback()
