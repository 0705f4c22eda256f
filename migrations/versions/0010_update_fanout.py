"""campaign updates are mailed by the worker in batches: fan-out cursor, total and done time

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fanout_total', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('fanout_last_signature_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('fanout_done_at', sa.DateTime(), nullable=True))
    # Updates posted before this revision were mailed inside the request that posted them.
    updates = sa.table('campaign_updates', sa.column('recipients', sa.Integer()),
                       sa.column('created_at', sa.DateTime()), sa.column('fanout_total', sa.Integer()),
                       sa.column('fanout_done_at', sa.DateTime()))
    op.execute(updates.update().values(fanout_total=updates.c.recipients, fanout_done_at=updates.c.created_at))
    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.alter_column('fanout_total', server_default=None)
        batch_op.alter_column('fanout_last_signature_id', server_default=None)


def downgrade():
    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.drop_column('fanout_done_at')
        batch_op.drop_column('fanout_last_signature_id')
        batch_op.drop_column('fanout_total')
