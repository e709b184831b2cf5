"""summit, decisions, notifications

Revision ID: 6d6fcf9f2888
Revises: 045e47a4709b
Create Date: 2026-11-27 23:03:27.352558

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d6fcf9f2888'
down_revision = '045e47a4709b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('summit_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summit_editions'))
    )
    with op.batch_alter_table('summit_editions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summit_editions_year'), ['year'], unique=False)

    op.create_table('summit_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('track', sa.String(length=80), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('room', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['summit_editions.id'], name=op.f('fk_summit_sessions_edition_id_summit_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summit_sessions')),
    sa.UniqueConstraint('uid', name=op.f('uq_summit_sessions_uid'))
    )
    with op.batch_alter_table('summit_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summit_sessions_edition_id'), ['edition_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('summit_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_summit_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['proposals.id'], name=op.f('fk_summit_decisions_merged_into_id_proposals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_summit_decisions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summit_decisions')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_summit_decisions_proposal_id'))
    )
    op.create_table('decision_sessions',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['summit_decisions.id'], name=op.f('fk_decision_sessions_decision_id_summit_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['summit_sessions.id'], name=op.f('fk_decision_sessions_session_id_summit_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('decision_id', 'session_id', name=op.f('pk_decision_sessions'))
    )
    with op.batch_alter_table('decision_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_sessions_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_percent', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('turnout_percent', sa.Float(), nullable=True))

    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.alter_column('note',
               existing_type=sa.VARCHAR(length=500),
               type_=sa.Text(),
               existing_nullable=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_notifications', sa.String(length=16), server_default='all', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_notifications')

    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.alter_column('note',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(length=500),
               existing_nullable=False)

    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_column('turnout_percent')
        batch_op.drop_column('support_percent')

    with op.batch_alter_table('decision_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_sessions_session_id'))

    op.drop_table('decision_sessions')
    op.drop_table('summit_decisions')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('summit_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summit_sessions_edition_id'))

    op.drop_table('summit_sessions')
    with op.batch_alter_table('summit_editions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summit_editions_year'))

    op.drop_table('summit_editions')
