"""frozen deliveries: the packet's CSV (gzip) and PDF stored; office link tokens

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 04:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery_packets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('csv_gzip', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
    op.create_table(
        'delivery_tokens',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('packet_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('office')", name=op.f('ck_delivery_tokens_purpose_known')),
        sa.ForeignKeyConstraint(['packet_id'], ['delivery_packets.id'],
                                name=op.f('fk_delivery_tokens_packet_id_delivery_packets'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_delivery_tokens_token_hash')),
    )
    with op.batch_alter_table('delivery_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_tokens_packet_id'), ['packet_id'], unique=False)


def downgrade():
    with op.batch_alter_table('delivery_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_tokens_packet_id'))
    op.drop_table('delivery_tokens')
    with op.batch_alter_table('delivery_packets', schema=None) as batch_op:
        batch_op.drop_column('pdf')
        batch_op.drop_column('csv_gzip')
