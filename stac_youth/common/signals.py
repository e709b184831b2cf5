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

#: Sent with (meeting) after a meeting is created, so its discussion room can be opened.
meeting_created = _signals.signal("meeting-created")

#: Room events, each sent after the change is committed; the rooms' socket layer pushes them to live clients.
room_message_posted = _signals.signal("room-message-posted")  # sender: the Message
room_message_deleted = _signals.signal("room-message-deleted")  # sender: the Message
room_changed = _signals.signal("room-changed")  # sender: room id; kwargs: what ("presence", "queue", "lock")

#: Sent with (poll id) after a poll changed and the change is committed; kwargs: what ("opened", "ballot", "closed").
poll_changed = _signals.signal("poll-changed")

#: Sent with (the Poll) inside the transaction that drafts, opens or closes it, before the commit, so the poll's owner
#: (a proposal) moves with it; kwargs: to ("draft", "open", "closed"), actor (None for the schedule), outcome (the
#: tally's Outcome, on close). A receiver may refuse the move with ServiceError: the poll's service rolls it back.
poll_moving = _signals.signal("poll-moving")

#: Sent with (the Poll) when someone who does not manage polls is to see it; kwargs: user. A receiver answers False to
#: hide it (its owner is hidden from that user), anything else to let it be.
poll_visibility = _signals.signal("poll-visibility")

#: Sent after notifications are committed; sender: the app; kwargs: ids (the new notification ids).
notifications_created = _signals.signal("notifications-created")

#: Sent with (user) when failed sign-ins on the user's account pass the notice threshold, at most once per window.
sign_in_failures_repeated = _signals.signal("sign-in-failures-repeated")

#: Sent after the commit of a change to who may see something live, so sockets that lost it leave its channels
#: (common/channels.py). Sender: what changed, "meeting", "room", "poll" or "proposal" (the object and whatever follows
#: it, e.g. a meeting's room and polls), or "user" (a member whose region changed); kwargs: ids.
access_changed = _signals.signal("access-changed")

#: Sent with (the AgendaItem) before it is deleted (alone or with its meeting), inside the transaction. A receiver may
#: refuse with ServiceError when something others rely on hangs on it (a poll that opened); the deletion then stops.
agenda_item_deleting = _signals.signal("agenda-item-deleting")
