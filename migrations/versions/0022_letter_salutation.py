"""letters.prefix: the salutation (Ms./Mr./Mx./Dr.) CWC needs with a letter

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-24 07:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prefix', sa.String(length=4), nullable=True))


def downgrade():
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_column('prefix')
