"""signatures signed over a soft rate limit are held for review (status held, hold_reason)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 04:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD = "status IN ('pending', 'confirmed', 'removed', 'invalidated')"
NEW = "status IN ('pending', 'confirmed', 'held', 'removed', 'invalidated')"


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_reason', sa.String(length=16), nullable=True))
        batch_op.drop_constraint(op.f('ck_signatures_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_signatures_status_known'), NEW)
        batch_op.create_index('ix_signatures_ip_hash_created', ['ip_hash', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_ip_hash_created')
        batch_op.drop_constraint(op.f('ck_signatures_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_signatures_status_known'), OLD)
        batch_op.drop_column('hold_reason')
