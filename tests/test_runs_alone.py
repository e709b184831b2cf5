"""Statements that run as transactions of their own on PostgreSQL: no BEGIN or COMMIT round trip for them."""

from __future__ import annotations

from sqlalchemy import select, text

from stac_youth.common.database import autocommit_connection, columns_of, instance_from_row, runs_alone
from stac_youth.extensions import db
from stac_youth.members.accounts import load_user_from_login_id
from stac_youth.members.models import Region, User
from tests.conftest import login


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def test_only_on_postgresql_and_only_while_the_session_has_sent_and_holds_nothing(app, make_user):
    user_id = make_user("member").id
    db.session.commit()
    db.session.remove()
    assert runs_alone(db.session) is _on_postgresql()
    with autocommit_connection(db.session) as connection:
        row = connection.execute(select(*columns_of(User)).where(User.id == user_id)).one()
    instance_from_row(db.session, User, row)  # adding a loaded object begins a session transaction, not a connection
    assert db.session().in_transaction() and runs_alone(db.session) is _on_postgresql()
    db.session.add(Region(name="Pending region"))
    assert not runs_alone(db.session)  # a change the statement would have to see
    db.session.rollback()
    db.session.execute(select(1))
    assert not runs_alone(db.session)  # the session's transaction has its connection: stay in it
    db.session.commit()
    assert runs_alone(db.session) is _on_postgresql()


def test_each_statement_on_an_autocommit_connection_is_committed_at_once(app):
    db.session.commit()
    with autocommit_connection(db.session) as connection:
        connection.execute(text("INSERT INTO regions (name, position) VALUES ('Alone region', 99)"))
        with db.engine.connect() as other:  # another connection sees it while the first is still open
            assert other.scalar(text("SELECT count(*) FROM regions WHERE name = 'Alone region'")) == 1


def test_the_signed_in_user_is_read_without_beginning_the_requests_transaction(app, client, make_user):
    user = make_user("member")
    db.session.commit()
    login(client, user)
    with client.session_transaction() as cookie_session:
        login_id = cookie_session["_user_id"]
    db.session.remove()
    loaded = load_user_from_login_id(login_id)
    assert loaded.id == user.id and loaded in db.session
    assert runs_alone(db.session) is _on_postgresql()  # PostgreSQL: no connection taken, so no BEGIN sent
    assert load_user_from_login_id(login_id.rsplit(":", 1)[0] + ":not-the-token") is None
