"""after signing: district offices, call script and letter prompts, district answers, letters

Revision ID: 0018
Revises: 0012
Create Date: 2026-11-24 05:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = "0017"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'district_offices',
        sa.Column('id', sa.String(length=60), nullable=False),
        sa.Column('bioguide_id', sa.String(length=10), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('building', sa.String(length=120), nullable=False),
        sa.Column('suite', sa.String(length=80), nullable=False),
        sa.Column('city', sa.String(length=60), nullable=False),
        sa.Column('state', sa.String(length=2), nullable=False),
        sa.Column('zip', sa.String(length=10), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('hours', sa.String(length=200), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_district_offices')),
    )
    with op.batch_alter_table('district_offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_offices_bioguide_id'), ['bioguide_id'], unique=False)

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_script', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('letter_prompts', sa.Text(), nullable=False, server_default=''))

    op.create_table(
        'district_answers',
        sa.Column('signature_id', BIG_ID, nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('candidates', sa.String(length=200), nullable=False),
        sa.Column('district', sa.String(length=8), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_district_answers_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'],
                                name=op.f('fk_district_answers_signature_id_signatures'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('signature_id', name=op.f('pk_district_answers')),
    )
    with op.batch_alter_table('district_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_answers_campaign_id'), ['campaign_id'], unique=False)

    op.create_table(
        'letters',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('signature_id', BIG_ID, nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('deliver', sa.Boolean(), nullable=False),
        sa.Column('show_publicly', sa.Boolean(), nullable=False),
        sa.Column('show_name', sa.Boolean(), nullable=False),
        sa.Column('street_address', sa.String(length=200), nullable=True),
        sa.Column('city', sa.String(length=60), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_letters_status_known')),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_letters_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'],
                                name=op.f('fk_letters_signature_id_signatures'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letters')),
        sa.UniqueConstraint('signature_id', name=op.f('uq_letters_signature_id')),
    )
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.create_index('ix_letters_campaign_status', ['campaign_id', 'status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_index('ix_letters_campaign_status')
    op.drop_table('letters')
    with op.batch_alter_table('district_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_answers_campaign_id'))
    op.drop_table('district_answers')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('letter_prompts')
        batch_op.drop_column('call_script')
    with op.batch_alter_table('district_offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_offices_bioguide_id'))
    op.drop_table('district_offices')
