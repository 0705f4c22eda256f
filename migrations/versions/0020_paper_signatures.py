"""paper signatures: who entered a sheet's signatures and when

Revision ID: 0020
Revises: 0018
Create Date: 2026-11-24 07:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the foreign key rebuilds the table; migrations there run with foreign keys off
    # (migrations/env.py), so the rebuild does not cascade to tokens and districts.
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entered_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_signatures_entered_by_id_users'), 'users',
                                    ['entered_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_signatures_entered_by_id_users'), type_='foreignkey')
        batch_op.drop_column('entered_at')
        batch_op.drop_column('entered_by_id')
