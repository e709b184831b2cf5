"""instance_from_row: a row read with Core becomes the session's ORM instance, as a query would have made it."""

from __future__ import annotations

from sqlalchemy import inspect, select

from stac_youth.common.database import columns_of, instance_from_row
from stac_youth.extensions import db
from stac_youth.members.models import Region, User


def _row(user_id: int):
    return db.session.connection().execute(select(*columns_of(User)).where(User.id == user_id)).one()


def test_the_instance_is_persistent_clean_and_lazy_loads_its_relations(app, make_user):
    region = db.session.scalars(select(Region)).first()
    region_name = region.name
    user_id = make_user("member", display_name="Row Made", region_id=region.id).id
    db.session.expunge_all()
    user = instance_from_row(db.session, User, _row(user_id))
    state = inspect(user)
    assert state.persistent and not db.session.dirty and not state.unloaded - {"region", "county", "interests"}
    assert (user.display_name, user.role, user.is_active) == ("Row Made", "member", True)
    assert user.region.name == region_name  # a relationship loads on first use, as after a query
    assert db.session.get(User, user_id) is user


def test_a_change_to_it_is_written_like_any_other(app, make_user):
    user_id = make_user("member", display_name="Before").id
    db.session.expunge_all()
    user = instance_from_row(db.session, User, _row(user_id))
    user.display_name = "After"
    db.session.commit()
    db.session.expunge_all()
    assert db.session.get(User, user_id).display_name == "After"


def test_an_instance_already_in_the_session_is_the_one_returned(app, make_user):
    user = make_user("member")
    user.display_name = "Changed here, not yet stored"
    assert instance_from_row(db.session, User, _row(user.id)) is user
    assert user.display_name == "Changed here, not yet stored"
