"""Imports every feature's models so Alembic and the mappers see them all."""

from .common.audit import AuditEvent  # noqa: F401
from .common.channels import SocketChannel  # noqa: F401
from .common.outbox import OutboxEmail  # noqa: F401
from .common.sockets import SocketConnection  # noqa: F401
from .meetings.models import (  # noqa: F401
    AgendaItem,
    Attendance,
    CalendarFeed,
    Meeting,
    MinutesRevision,
    Rsvp,
)
from .members.models import (  # noqa: F401
    County,
    Invitation,
    LoginSession,
    MemberInterest,
    PasswordResetToken,
    Region,
    User,
)
from .notifications.models import Notification  # noqa: F401
from .polls.models import (  # noqa: F401
    Ballot,
    Participation,
    Poll,
    PollCount,
    PollEligibility,
    PollOption,
)
from .proposals.models import (  # noqa: F401
    Comment,
    CommentReport,
    Cosponsor,
    Proposal,
    ProposalEvent,
    Theme,
)
from .rooms.models import Message, MessageReport, Mute, Presence, Room, RoomRead, SpeakerRequest  # noqa: F401
from .summit.models import Decision, SummitEdition, SummitSession  # noqa: F401
