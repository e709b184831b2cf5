"""bilingual names, generated poll questions, the member's own language choice, meeting cancel reasons

- regions.name_es, themes.name_es: the Spanish form of an admin-managed name (empty: the one name serves both).
- polls.question_kind: set when the app wrote the question itself; it is then drawn in the reader's language from
  the kind and the poll's proposal, and `question` keeps the English form.
- users.language_chosen: whether the member picked a language; until then sign-in keeps the browser's language.
  Members whose stored language is not the default picked it, so they start as chosen.
- meetings.cancel_reason: why an advisor cancelled a meeting (the new `cancelled` status), shown to members.

Revision ID: c3d19e5a7b21
Revises: af149d79010a
Create Date: 2026-12-07 20:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3d19e5a7b21'
down_revision = 'af149d79010a'
branch_labels = None
depends_on = None

GENERATED_QUESTION_PREFIX = 'Do you support the proposal “'


def upgrade():
    op.add_column('regions', sa.Column('name_es', sa.String(length=80), nullable=True))
    op.add_column('themes', sa.Column('name_es', sa.String(length=120), nullable=True))
    op.add_column('polls', sa.Column('question_kind', sa.String(length=32), nullable=True))
    op.add_column('meetings', sa.Column('cancel_reason', sa.String(length=300), nullable=True))
    op.add_column('users', sa.Column('language_chosen', sa.Boolean(), nullable=False, server_default=sa.false()))
    users = sa.table('users', sa.column('preferred_language', sa.String), sa.column('language_chosen', sa.Boolean))
    op.execute(users.update().where(users.c.preferred_language != 'en').values(language_chosen=True))
    polls = sa.table('polls', sa.column('question', sa.String), sa.column('proposal_id', sa.Integer),
                     sa.column('question_kind', sa.String))
    op.execute(polls.update().where(polls.c.proposal_id.is_not(None),
                                    polls.c.question.startswith(GENERATED_QUESTION_PREFIX, autoescape=True))
               .values(question_kind='support_proposal'))


def downgrade():
    # Plain DROP COLUMNs (SQLite 3.35+): a batch copy of these tables would break the rows that refer to them.
    op.drop_column('users', 'language_chosen')
    op.drop_column('polls', 'question_kind')
    op.drop_column('themes', 'name_es')
    op.drop_column('regions', 'name_es')
    op.drop_column('meetings', 'cancel_reason')
