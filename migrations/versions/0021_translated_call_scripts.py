"""translated call scripts and letter questions: campaign_translations.call_script, letter_prompts

Revision ID: 0021
Revises: 0018
Create Date: 2026-11-24 06:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign_translations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_script', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('letter_prompts', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('campaign_translations', schema=None) as batch_op:
        batch_op.drop_column('letter_prompts')
        batch_op.drop_column('call_script')
