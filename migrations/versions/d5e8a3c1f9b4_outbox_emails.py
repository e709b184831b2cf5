"""outbox_emails: every email is written in the transaction that causes it and sent by the mail sender

Revision ID: d5e8a3c1f9b4
Revises: c3d19e5a7b21
Create Date: 2026-12-07 23:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd5e8a3c1f9b4'
down_revision = 'c3d19e5a7b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_emails',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('gave_up_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_emails')),
    )
    op.create_index('ix_outbox_emails_sent_at_next_attempt_at', 'outbox_emails', ['sent_at', 'next_attempt_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_outbox_emails_sent_at_next_attempt_at', table_name='outbox_emails')
    op.drop_table('outbox_emails')
