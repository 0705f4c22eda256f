"""confirmations_due: signatures whose confirmation mail (links and outbox row) the worker writes

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-25 01:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'confirmations_due',
        sa.Column('signature_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'],
                                name='fk_confirmations_due_signature_id_signatures', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('signature_id', name='pk_confirmations_due'),
    )


def downgrade():
    op.drop_table('confirmations_due')
