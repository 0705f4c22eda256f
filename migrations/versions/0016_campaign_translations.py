"""campaign translations: a campaign's and an update's text in other languages (Spanish)

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-24 05:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaign_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('title', sa.String(length=140), nullable=False),
        sa.Column('ask', sa.String(length=300), nullable=False),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('background', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("locale IN ('es')", name=op.f('ck_campaign_translations_locale_known')),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_campaign_translations_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_translations')),
        sa.UniqueConstraint('campaign_id', 'locale', name='uq_campaign_translations_campaign_locale'),
    )
    op.create_table(
        'campaign_update_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('title', sa.String(length=140), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.CheckConstraint("locale IN ('es')", name=op.f('ck_campaign_update_translations_locale_known')),
        sa.ForeignKeyConstraint(['update_id'], ['campaign_updates.id'],
                                name=op.f('fk_campaign_update_translations_update_id_campaign_updates'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_update_translations')),
        sa.UniqueConstraint('update_id', 'locale', name='uq_campaign_update_translations_update_locale'),
    )


def downgrade():
    op.drop_table('campaign_update_translations')
    op.drop_table('campaign_translations')
