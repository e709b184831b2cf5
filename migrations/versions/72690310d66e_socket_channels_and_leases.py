"""socket channels and leases: the channels each live socket joined, and the lease that keeps its registry row

Revision ID: 72690310d66e
Revises: b7e4c2a91f30
Create Date: 2026-12-07 16:43:26.591974

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '72690310d66e'
down_revision = 'b7e4c2a91f30'
branch_labels = None
depends_on = None


def upgrade():
    # Rows of sockets open now get a lease from their connection time; their process renews it from then on.
    # (Changed before socket_channels refers to the table: SQLite's batch mode rebuilds it.)
    with op.batch_alter_table('socket_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE socket_connections SET seen_at = connected_at")
    with op.batch_alter_table('socket_connections', schema=None) as batch_op:
        batch_op.alter_column('seen_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index(batch_op.f('ix_socket_connections_seen_at'), ['seen_at'], unique=False)

    op.create_table('socket_channels',
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('namespace', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=True),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sid', 'namespace'], ['socket_connections.sid', 'socket_connections.namespace'], name=op.f('fk_socket_channels_sid_socket_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_socket_channels_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sid', 'namespace', 'kind', 'object_id', name=op.f('pk_socket_channels'))
    )
    with op.batch_alter_table('socket_channels', schema=None) as batch_op:
        batch_op.create_index('ix_socket_channels_kind_object_id', ['kind', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_socket_channels_scope'), ['scope'], unique=False)
        batch_op.create_index(batch_op.f('ix_socket_channels_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('socket_channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_socket_channels_user_id'))
        batch_op.drop_index(batch_op.f('ix_socket_channels_scope'))
        batch_op.drop_index('ix_socket_channels_kind_object_id')

    op.drop_table('socket_channels')

    with op.batch_alter_table('socket_connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_socket_connections_seen_at'))
        batch_op.drop_column('seen_at')
