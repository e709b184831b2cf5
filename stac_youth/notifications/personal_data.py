"""What the notifications area holds about a member, and what erasure changes."""

from __future__ import annotations

from sqlalchemy import delete

from ..common.signals import account_erased
from ..extensions import db
from .models import Notification


@account_erased.connect
def forget_erased_reader(user, **_extra) -> None:
    """The erased member's own notifications go; those about them keep only their id, so they read "Former member"."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id)
                       .execution_options(synchronize_session=False))
