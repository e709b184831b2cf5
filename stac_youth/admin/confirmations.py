"""The words of the admin actions that ask first (common/confirm.py): the dialog and the page say the same."""

from __future__ import annotations

from flask_babel import gettext as _

from ..common.confirm import Confirmation, register
from ..common.templating import member_name

DEACTIVATE_USER = "user.deactivate"
REVOKE_INVITATION = "invitation.revoke"


@register(DEACTIVATE_USER)
def deactivate_user(user) -> Confirmation:
    """Deactivating an account (an admin can reactivate it later)."""
    return Confirmation(
        question=_("Deactivate the account of %(name)s?", name=member_name(user)),
        consequence=_("They are signed out on every device now and cannot sign in until an admin reactivates the "
                      "account."),
        yes=_("Yes, deactivate"),
    )


@register(REVOKE_INVITATION)
def revoke_invitation(invitation) -> Confirmation:
    """Withdrawing a pending invitation: its link stops working."""
    return Confirmation(
        question=_("Withdraw the invitation sent to %(email)s?", email=invitation.email),
        consequence=_("The link in the invitation stops working. You can send a new invitation later."),
        yes=_("Yes, withdraw the invitation"),
    )
