"""mail deliverability: outbox headers, campaign/signature, bounce and complaint feedback; the
suppression list

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-24 05:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signature_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('feedback', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('feedback_detail', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('feedback_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_outbox_campaign', ['campaign_id', 'status'], unique=False)
        batch_op.create_index('ix_outbox_signature', ['signature_id'], unique=False)
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_status_known'), "status IN ('queued', 'sent', 'dead', 'suppressed')")
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_feedback_known'), "feedback IN ('bounced', 'complained')")
    op.create_table(
        'suppressed_addresses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email_canonical', sa.String(length=254), nullable=False),
        sa.Column('reason', sa.String(length=10), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('outbox_id', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("reason IN ('bounce', 'complaint')", name=op.f('ck_suppressed_addresses_reason_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_suppressed_addresses')),
        sa.UniqueConstraint('email_canonical', name=op.f('uq_suppressed_addresses_email_canonical')),
    )


def downgrade():
    op.drop_table('suppressed_addresses')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_feedback_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_known'), type_='check')
        batch_op.drop_index('ix_outbox_signature')
        batch_op.drop_index('ix_outbox_campaign')
        batch_op.drop_column('feedback_at')
        batch_op.drop_column('feedback')
        batch_op.drop_column('feedback_detail')
        batch_op.drop_column('signature_id')
        batch_op.drop_column('campaign_id')
        batch_op.drop_column('headers')
