"""deliveries sent (office email with the packet attached, CWC letters), thresholds, milestones,
members' responses and updates to one state or district

Revision ID: 0019
Revises: 0012
Create Date: 2026-11-24 05:18:42.595545

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_milestones',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('reached_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_milestones_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'count', name=op.f('pk_campaign_milestones'))
    )
    op.create_table('cwc_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('bioguide_id', sa.String(length=10), nullable=False),
    sa.Column('delivery_id', sa.String(length=32), nullable=False),
    sa.Column('xml', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'accepted', 'failed')", name=op.f('ck_cwc_messages_status_known')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_cwc_messages_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cwc_messages')),
    sa.UniqueConstraint('delivery_id', name=op.f('uq_cwc_messages_delivery_id'))
    )
    with op.batch_alter_table('cwc_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cwc_messages_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_cwc_messages_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cwc_messages_letter_id'), ['letter_id'], unique=False)

    op.create_table('member_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('bioguide_id', sa.String(length=10), nullable=False),
    sa.Column('member_name', sa.String(length=160), nullable=False),
    sa.Column('responded_on', sa.Date(), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("stance IN ('supports', 'opposes', 'undecided', 'no_reply')", name=op.f('ck_member_responses_stance_known')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_member_responses_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_responses_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_responses'))
    )
    with op.batch_alter_table('member_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_responses_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_member_responses_campaign_member', ['campaign_id', 'bioguide_id'], unique=False)

    op.create_table('office_contacts',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('bioguide_id', sa.String(length=10), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_office_contacts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'bioguide_id', name=op.f('pk_office_contacts'))
    )
    op.create_table('thresholds_reached',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('bioguide_id', sa.String(length=10), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('constituents', sa.Integer(), nullable=False),
    sa.Column('reached_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_thresholds_reached_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'bioguide_id', name=op.f('pk_thresholds_reached'))
    )
    op.create_table('office_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('packet_id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('outbox_message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('token_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_office_sends_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['packet_id'], ['delivery_packets.id'], name=op.f('fk_office_sends_packet_id_delivery_packets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['token_id'], ['delivery_tokens.id'], name=op.f('fk_office_sends_token_id_delivery_tokens'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_office_sends_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_sends'))
    )
    with op.batch_alter_table('office_sends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_office_sends_packet_id'), ['packet_id'], unique=False)

    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience_state', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('audience_district', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('response_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_campaign_updates_response_id_member_responses'), 'member_responses', ['response_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_threshold', sa.Integer(), nullable=True))

    with op.batch_alter_table('delivery_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_opened_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('open_count', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('attachment')

    with op.batch_alter_table('delivery_tokens', schema=None) as batch_op:
        batch_op.drop_column('open_count')
        batch_op.drop_column('last_opened_at')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('delivery_threshold')

    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_updates_response_id_member_responses'), type_='foreignkey')
        batch_op.drop_column('response_id')
        batch_op.drop_column('audience_district')
        batch_op.drop_column('audience_state')

    with op.batch_alter_table('office_sends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_office_sends_packet_id'))

    op.drop_table('office_sends')
    op.drop_table('thresholds_reached')
    op.drop_table('office_contacts')
    with op.batch_alter_table('member_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_member_responses_campaign_member')
        batch_op.drop_index(batch_op.f('ix_member_responses_campaign_id'))

    op.drop_table('member_responses')
    with op.batch_alter_table('cwc_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cwc_messages_letter_id'))
        batch_op.drop_index('ix_cwc_messages_due')
        batch_op.drop_index(batch_op.f('ix_cwc_messages_campaign_id'))

    op.drop_table('cwc_messages')
    op.drop_table('campaign_milestones')
