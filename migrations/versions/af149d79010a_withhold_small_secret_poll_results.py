"""withhold the results of secret polls closed with fewer than 5 ballots

A data migration, no schema change: a secret poll now publishes its results only when at least 5 ballots were cast
(stac_youth/common/small_counts.py). Polls closed before that rule keep no count, turnout, support or outcome: they
store what lifecycle._store_result stores today. The ballots stay, so a recount could rebuild the tally; the
downgrade does not (publishing those counts again is what this revision is for).

Revision ID: af149d79010a
Revises: 72690310d66e
Create Date: 2026-12-02 10:00:00.000000

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'af149d79010a'
down_revision = '72690310d66e'
branch_labels = None
depends_on = None

MIN_GROUP = 5


def upgrade():
    polls = sa.table('polls', sa.column('id', sa.Integer), sa.column('secret', sa.Boolean),
                     sa.column('status', sa.String), sa.column('result_json', sa.Text),
                     sa.column('outcome', sa.String), sa.column('support_percent', sa.Float),
                     sa.column('turnout_percent', sa.Float))
    bind = op.get_bind()
    closed = bind.execute(sa.select(polls.c.id, polls.c.result_json).where(
        polls.c.secret.is_(True), polls.c.status == 'closed', polls.c.result_json.is_not(None))).all()
    for poll_id, raw in closed:
        stored = json.loads(raw)
        if stored.get('withheld') or stored.get('cast', 0) >= MIN_GROUP:
            continue
        bind.execute(polls.update().where(polls.c.id == poll_id).values(
            result_json=json.dumps({'withheld': True, 'eligible': stored.get('eligible', 0)}), outcome='withheld',
            support_percent=None, turnout_percent=None))


def downgrade():
    pass
