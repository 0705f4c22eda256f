"""signature token purposes checked, like account token purposes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 03:40:00

"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signature_tokens', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_signature_tokens_purpose_known'),
                                         "purpose IN ('confirm', 'remove', 'updates')")


def downgrade():
    with op.batch_alter_table('signature_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_signature_tokens_purpose_known'), type_='check')
