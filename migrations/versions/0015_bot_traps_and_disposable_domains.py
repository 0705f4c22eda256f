"""bot traps and disposable-mail domains: hold reasons checked; the loaded disposable-domain list

Revision ID: 0015
Revises: 0012
Create Date: 2026-11-24 05:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = "0014"
branch_labels = None
depends_on = None

HOLD_REASONS = "hold_reason IN ('ip_rate', 'honeypot', 'too_fast', 'disposable')"


def upgrade():
    op.create_table(
        'disposable_domains',
        sa.Column('domain', sa.String(length=253), nullable=False),
        sa.PrimaryKeyConstraint('domain', name=op.f('pk_disposable_domains')),
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_signatures_hold_reason_known'), HOLD_REASONS)


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_signatures_hold_reason_known'), type_='check')
    op.drop_table('disposable_domains')
