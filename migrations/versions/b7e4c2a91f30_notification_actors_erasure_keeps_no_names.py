"""notification actors by id; stored names and emails of members rewritten or removed

Notifications that named someone ("Imani Brooks mentioned you") kept the name in their params, so it outlived an
erasure. They now keep the actor's user id (notifications.actor_id) and read the name when shown. This revision adds
the column and rewrites what is stored:

- mention and co-sponsor notifications: the stored name becomes the actor's id where the link tells who it was (the
  proposal's author, the comment's author, the one member of that name who wrote in that room), else the one member
  of that name; otherwise the name is dropped (the text then reads "Former member");
- notifications addressed to erased members are deleted;
- audit details keep no email (the invitation row, or the subject's id, says whom an event concerned; a failed
  sign-in on an unknown account is noted as "unknown", as the code now writes it);
- invitations to erased members keep no email.

Downgrade drops the column; names and emails removed here are not restored.

Revision ID: b7e4c2a91f30
Revises: 6d6fcf9f2888
Create Date: 2026-12-03 10:00:00.000000

"""
import json
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4c2a91f30'
down_revision = '6d6fcf9f2888'
branch_labels = None
depends_on = None

ACTOR_KINDS = ('mention', 'cosponsor_invited')
PROPOSAL_LINK = re.compile(r"/proposals/(\d+)(?:#comment-(\d+))?$")
ROOM_LINK = re.compile(r"/rooms/(\d+)$")

users = sa.table('users', sa.column('id', sa.Integer), sa.column('display_name', sa.String),
                 sa.column('deleted_at', sa.DateTime))
notifications = sa.table('notifications', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                         sa.column('kind', sa.String), sa.column('actor_id', sa.Integer),
                         sa.column('params', sa.Text), sa.column('link', sa.String),
                         sa.column('created_at', sa.DateTime))
proposals = sa.table('proposals', sa.column('id', sa.Integer), sa.column('author_id', sa.Integer))
comments = sa.table('proposal_comments', sa.column('id', sa.Integer), sa.column('author_id', sa.Integer))
messages = sa.table('messages', sa.column('room_id', sa.Integer), sa.column('author_id', sa.Integer),
                    sa.column('created_at', sa.DateTime))
audit_events = sa.table('audit_events', sa.column('id', sa.Integer), sa.column('action', sa.String),
                        sa.column('subject_id', sa.Integer), sa.column('detail', sa.Text))
invitations = sa.table('invitations', sa.column('user_id', sa.Integer), sa.column('email', sa.String))


def _only(ids) -> int | None:
    ids = set(ids)
    return ids.pop() if len(ids) == 1 else None


def _actor_of(conn, kind: str, link: str, name, created_at) -> int | None:
    """Who the notification was about: from what its link points at, else the one member with that name."""
    proposal = PROPOSAL_LINK.search(link or "")
    if proposal and kind == 'cosponsor_invited':  # only a proposal's author invites co-sponsors
        return conn.scalar(sa.select(proposals.c.author_id).where(proposals.c.id == int(proposal.group(1))))
    if proposal and proposal.group(2):
        return conn.scalar(sa.select(comments.c.author_id).where(comments.c.id == int(proposal.group(2))))
    if not name:
        return None
    room = ROOM_LINK.search(link or "")
    if room:
        writers = _only(conn.scalars(
            sa.select(users.c.id).join(messages, messages.c.author_id == users.c.id)
            .where(messages.c.room_id == int(room.group(1)), users.c.display_name == name,
                   messages.c.created_at <= created_at)))
        if writers is not None:
            return writers
    return _only(conn.scalars(sa.select(users.c.id).where(users.c.display_name == name)))


def _notifications_name_actors(conn) -> None:
    erased = sa.select(users.c.id).where(users.c.deleted_at.is_not(None))
    conn.execute(notifications.delete().where(notifications.c.user_id.in_(erased)))
    rows = conn.execute(sa.select(notifications.c.id, notifications.c.kind, notifications.c.params,
                                  notifications.c.link, notifications.c.created_at)
                        .where(notifications.c.kind.in_(ACTOR_KINDS))).all()
    for row in rows:
        params = json.loads(row.params or "{}")
        name = params.pop("name", None)
        actor_id = _actor_of(conn, row.kind, row.link, name, row.created_at)
        conn.execute(notifications.update().where(notifications.c.id == row.id)
                     .values(actor_id=actor_id, params=json.dumps(params, default=str, sort_keys=True)))


def _audit_details_keep_no_email(conn) -> None:
    rows = conn.execute(sa.select(audit_events.c.id, audit_events.c.action, audit_events.c.subject_id,
                                  audit_events.c.detail).where(audit_events.c.detail.like('%"email"%'))).all()
    for row in rows:
        detail = json.loads(row.detail or "{}")
        if "email" not in detail:
            continue
        del detail["email"]
        if row.action == "login.failed" and row.subject_id is None:
            detail["account"] = "unknown"
        conn.execute(audit_events.update().where(audit_events.c.id == row.id)
                     .values(detail=json.dumps(detail, default=str, sort_keys=True)))


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_actor_id_users'), 'users', ['actor_id'], ['id'],
                                    ondelete='SET NULL')

    conn = op.get_bind()
    _notifications_name_actors(conn)
    _audit_details_keep_no_email(conn)
    erased = sa.select(users.c.id).where(users.c.deleted_at.is_not(None))
    conn.execute(invitations.update().where(invitations.c.user_id.in_(erased)).values(email=""))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_actor_id_users'), type_='foreignkey')
        batch_op.drop_column('actor_id')
