"""signers' given and family names, signatures.modified_at; packets rendered by the worker
(pdf_spec) and stored lists purged after the personal-data lifetime (purged_at)

Existing names are not split (a last-space split mangles "Nguyễn Văn An" and CJK names): the
whole name becomes given_name and family_name stays NULL.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 05:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('family_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('modified_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE signatures SET given_name = full_name")
    op.execute("UPDATE signatures SET modified_at = COALESCE(anonymised_at, removed_at, confirmed_at, created_at)")
    with op.batch_alter_table('delivery_packets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_spec', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('delivery_packets', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('pdf_spec')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('modified_at')
        batch_op.drop_column('family_name')
        batch_op.drop_column('given_name')
