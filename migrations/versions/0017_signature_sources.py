"""signature sources (?source= codes) and the per-district threshold organisers push toward

Revision ID: 0017
Revises: 0012
Create Date: 2026-11-24 05:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_signatures_campaign_source', ['campaign_id', 'source'], unique=False)
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_threshold', sa.Integer(), nullable=False, server_default='100'))
    # Not on SQLite: adding a constraint there rebuilds the table, and dropping the old campaigns table
    # with foreign keys on would cascade-delete every campaign's signatures and updates. The form and
    # the service (growth.sources.set_district_threshold) check the range on every database.
    if op.get_bind().dialect.name != 'sqlite':
        op.create_check_constraint(op.f('ck_campaigns_district_threshold_positive'), 'campaigns',
                                   'district_threshold > 0')


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_campaigns_district_threshold_positive'), 'campaigns', type_='check')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('district_threshold')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_campaign_source')
        batch_op.drop_column('source')
