"""personal data lifetime: signatures.anonymised_at and privacy (access/erasure) tokens

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 03:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_signatures_campaign_anonymised', ['campaign_id', 'anonymised_at'], unique=False)

    op.create_table(
        'privacy_tokens',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('email_canonical', sa.String(length=254), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('access')", name=op.f('ck_privacy_tokens_purpose_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_privacy_tokens_token_hash')),
    )
    with op.batch_alter_table('privacy_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_tokens_email_canonical'), ['email_canonical'], unique=False)


def downgrade():
    with op.batch_alter_table('privacy_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_tokens_email_canonical'))
    op.drop_table('privacy_tokens')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_campaign_anonymised')
        batch_op.drop_column('anonymised_at')
