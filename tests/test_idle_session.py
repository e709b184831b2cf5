"""Reads and ballots outside the session's transaction while it holds nothing: no BEGIN or COMMIT round trip for
them on PostgreSQL, no ORM bookkeeping for a ballot's transaction on either database."""

from __future__ import annotations

from sqlalchemy import select, text

from stac_youth.common.database import autocommit_connection, columns_of, instance_from_row, session_is_idle
from stac_youth.extensions import db
from stac_youth.members.accounts import load_user_from_login_id
from stac_youth.members.models import Region, User
from tests.conftest import login


def test_idle_until_the_session_sends_a_statement_or_holds_a_change(app, make_user):
    user_id = make_user("member").id
    db.session.commit()
    db.session.remove()
    assert session_is_idle(db.session)
    with autocommit_connection(db.session) as connection:
        row = connection.execute(select(*columns_of(User)).where(User.id == user_id)).one()
    instance_from_row(db.session, User, row)  # adding a loaded object begins a session transaction, not a connection
    assert db.session().in_transaction() and session_is_idle(db.session)
    db.session.add(Region(name="Pending region"))
    assert not session_is_idle(db.session)  # a change a statement elsewhere would not see
    db.session.rollback()
    db.session.execute(select(1))
    assert not session_is_idle(db.session)  # the session's transaction has its connection: stay in it
    db.session.commit()
    assert session_is_idle(db.session)


def test_a_autocommit_connection_is_outside_any_transaction(app):
    db.session.commit()
    with autocommit_connection(db.session) as connection:
        connection.execute(text("INSERT INTO regions (name, position) VALUES ('Alone region', 99)"))
        if connection.dialect.name == "postgresql":  # autocommit: committed at once, seen from another connection
            with db.engine.connect() as other:
                assert other.scalar(text("SELECT count(*) FROM regions WHERE name = 'Alone region'")) == 1
        connection.rollback()
    with db.engine.connect() as other:  # the sqlite3 driver began a transaction for the write, rolled back here
        expected = 1 if db.engine.dialect.name == "postgresql" else 0
        assert other.scalar(text("SELECT count(*) FROM regions WHERE name = 'Alone region'")) == expected


def test_the_signed_in_user_is_read_without_beginning_the_requests_transaction(app, client, make_user):
    user = make_user("member")
    db.session.commit()
    login(client, user)
    with client.session_transaction() as cookie_session:
        login_id = cookie_session["_user_id"]
    db.session.remove()
    loaded = load_user_from_login_id(login_id)
    assert loaded.id == user.id and loaded in db.session
    assert session_is_idle(db.session)  # no connection taken by the session: on PostgreSQL, no BEGIN sent
    assert load_user_from_login_id(login_id.rsplit(":", 1)[0] + ":not-the-token") is None
