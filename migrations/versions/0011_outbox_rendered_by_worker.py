"""outbox messages may be rendered by the worker: context and locale, body_text nullable

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 03:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=True)


def downgrade():
    op.execute("DELETE FROM outbox_messages WHERE body_text IS NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('locale')
        batch_op.drop_column('context')
