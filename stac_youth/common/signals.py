"""Signals through which features react to each other without importing upward."""

from blinker import Namespace

_signals = Namespace()

#: Sent with (user) when an export is built; receivers return {section_name: data}.
collect_personal_data = _signals.signal("collect-personal-data")

#: Sent with (user) after an account is erased, so each feature can anonymise what it holds.
account_erased = _signals.signal("account-erased")

#: Sent with (user) when every session of a user must end (logout everywhere, role change, deactivation).
sessions_revoked = _signals.signal("sessions-revoked")

#: Sent with (meeting_id) after a meeting's live state changed (started, ended, moved to another item).
meeting_state_changed = _signals.signal("meeting-state-changed")

#: Sent with (user, token) when one device login ends, so its live sockets can close.
login_ended = _signals.signal("login-ended")
