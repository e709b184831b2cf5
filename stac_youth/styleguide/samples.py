"""Sample data for the style guide: invented people and things, never database rows or real members."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from flask import url_for
from flask_babel import gettext as _

from ..meetings.models import MeetingStatus
from ..polls.models import PollStatus
from ..proposals.models import ProposalStatus

SAMPLE_PHOTO = "img/styleguide/sample-photo.svg"
AVATAR_SIZES = ("xs", "sm", "md", "lg")
TONES = ("success", "warning", "danger", "info", "neutral")
MEETING_STATUSES = tuple(status.value for status in MeetingStatus)
PROPOSAL_STATUSES = tuple(status.value for status in ProposalStatus)
POLL_STATUSES = tuple(status.value for status in PollStatus)
#: Invented names (none is a demo account's), one per avatar tone: ids 6..11 fall on tones 0..5.
NAMES = ("Ana Flores", "Theo Nguyen", "Rosa Díaz", "Caleb Wright", "Luz Ortega", "Femi Adeyemi")


@dataclass(frozen=True)
class Copy:
    """One copy of the components on the page: a language and a colour mode."""

    lang: str
    mode: str

    @property
    def prefix(self) -> str:
        """What every id in this copy starts with, so ids stay unique across the four copies."""
        return f"sg-{self.lang}-{self.mode}"

    @property
    def language_name(self) -> str:
        """The language's name in itself."""
        return {"en": "English", "es": "Español"}[self.lang]


COPIES = (Copy("en", "light"), Copy("en", "dark"), Copy("es", "light"), Copy("es", "dark"))


def copy_title(copy: Copy) -> str:
    """The heading of a copy, in its own language (call inside force_locale): "Español · oscuro"."""
    mode = _("light") if copy.mode == "light" else _("dark")
    return f"{copy.language_name} · {mode}"


@lru_cache(maxsize=4)
def sprite_icons(static_folder: str) -> tuple[str, ...]:
    """The names of the icons in the sprite, in order."""
    sprite = Path(static_folder) / "vendor" / "bootstrap-icons" / "icons.svg"
    return tuple(re.findall(r'<symbol[^>]*\bid="([^"]+)"', sprite.read_text(encoding="utf-8")))


def member(number: int, photo: bool = False, erased: bool = False) -> SimpleNamespace:
    """An invented member as the avatar macro reads one; id 6 + n falls on avatar tone n."""
    name = NAMES[number % len(NAMES)]
    return SimpleNamespace(
        id=6 + number, display_name=name, initials="".join(word[0] for word in name.split()[:2]).upper(),
        avatar_filename="sample.svg" if photo else None,
        avatar_src=url_for("static", filename=SAMPLE_PHOTO) if photo else None,
        is_deleted=erased,
    )


def region(name: str, name_es: str) -> SimpleNamespace:
    """A region name in both languages, as the localized_name filter reads one."""
    return SimpleNamespace(name=name, name_es=name_es)


def attendance_rows() -> list[SimpleNamespace]:
    """Rows for the sample table: a region, its members, who came, and the turnout."""
    rows = [(region("North Coast", "Costa Norte"), 24, 18), (region("Central Valley", "Valle Central"), 31, 22),
            (region("Desert Region", "Región del Desierto"), 12, 5)]
    return [SimpleNamespace(region=place, members=members, present=present, turnout=round(100 * present / members))
            for place, members, present in rows]


#: Sample objects link to id 0, which no row ever has: a click on a sample finds nothing rather than something real.
NO_ROW = 0
#: Fixed times (naive UTC, like the columns): a Wednesday evening in California.
STARTS = datetime(2026, 3, 12, 1, 0)
ENDS = datetime(2026, 3, 12, 2, 30)


def meetings() -> list[tuple[SimpleNamespace, dict]]:
    """Sample meetings with what their cards are told per viewer (an RSVP, a count of who came)."""
    statewide, regional = [], [region("Central Valley", "Valle Central"), region("North Coast", "Costa Norte")]

    def meeting(title, status, location, regions):
        later = timedelta(days=7 * (len(made) - 2))  # a week apart, the live one in the middle of the list
        made.append(SimpleNamespace(id=NO_ROW, title=title, status=status, starts_at=STARTS + later,
                                    ends_at=ENDS + later, location=location, regions=regions))
        return made[-1]

    made: list[SimpleNamespace] = []

    return [
        (meeting(_("Board meeting: spring priorities"), "live", _("Online"), statewide), {"attended": 18}),
        (meeting(_("Regional check-in"), "published", _("Fresno Youth Center"), regional), {"rsvp": "yes"}),
        (meeting(_("Planning the Summit"), "published", None, statewide), {"rsvp": "maybe"}),
        (meeting(_("Winter wrap-up"), "ended", _("Online"), statewide), {"attended": 14, "rsvp": "no"}),
        (meeting(_("Field trip briefing"), "cancelled", None, regional), {}),
        (meeting(_("Next steps for mentoring"), "draft", None, statewide), {}),
    ]


def polls() -> list[tuple[SimpleNamespace, dict]]:
    """Sample polls: open and waiting for the viewer, closed with its result, and a draft."""
    proposal = SimpleNamespace(id=NO_ROW, title=_("More shade in the school yard"))
    item = SimpleNamespace(id=NO_ROW, title=_("Choose the Summit theme"))
    result = json.dumps({"counts": {"yes": 8, "no": 2, "abstain": 1}, "cast": 11, "eligible": 12})

    def poll(status, method, question, **extra):
        fields = {"id": NO_ROW, "status": status, "method": method, "secret": False, "question": question,
                  "question_kind": None, "proposal": None, "agenda_item": None, "outcome": None, "result_json": None,
                  "results_live": False, "eligible_count": 12, **extra}
        return SimpleNamespace(**fields)

    return [
        (poll("open", "yes_no_abstain", _("Should we ask for more shade in school yards?"), proposal=proposal,
              secret=True), {"waiting": True, "turnout": _("7 of 12 members voted")}),
        (poll("closed", "yes_no_abstain", _("Do we meet online in summer?"), agenda_item=item, outcome="passed",
              result_json=result), {}),
        (poll("draft", "approval", _("Which themes should the Summit cover?"), agenda_item=item), {}),
    ]


def proposals() -> list[tuple[SimpleNamespace, dict]]:
    """Sample proposals by invented students, with what their cards are told (support in %, comments)."""
    theme = region("Mental health and wellness", "Salud mental y bienestar")

    def proposal(number, title, summary, status, place):
        return SimpleNamespace(id=NO_ROW, title=title, summary=summary, status=status, theme=theme, region=place,
                               author=member(number))

    return [
        (proposal(0, _("More shade in the school yard"), _("Trees and shade sails so we can stay outside at lunch."),
                  "in_vote", region("Central Valley", "Valle Central")), {"support": 68.4, "comments": 12}),
        (proposal(2, _("Peer mentors for new students"), _("Older students help new ones find their way."),
                  "adopted", None), {"comments": 1}),
        (proposal(4, _("Quiet rooms during exams"), _("A calm place to study before a test."), "draft", None), {}),
    ]


def sessions() -> list[tuple[SimpleNamespace, dict]]:
    """Sample Summit sessions: one with the proposals it carries, one compact, one with none adopted yet."""

    def session(title, room, track):
        return SimpleNamespace(id=NO_ROW, title=title, starts_at=STARTS, ends_at=ENDS, room=room, track=track)

    carried = [SimpleNamespace(id=NO_ROW, title=_("More shade in the school yard")),
               SimpleNamespace(id=NO_ROW, title=_("Peer mentors for new students"))]
    return [
        (session(_("Wellness at school"), _("Hall B"), _("Health")), {"proposals": carried}),
        (session(_("Getting around: transit passes"), _("Room 12"), None), {"proposals": []}),
        (session(_("Closing circle"), _("Main stage"), None), {"compact": True}),
    ]


def notifications() -> list[tuple[SimpleNamespace, str]]:
    """Sample notifications with their sentences: two unread, one read."""

    def notification(kind, read):
        return SimpleNamespace(id=NO_ROW, kind=kind, read_at=STARTS if read else None, created_at=STARTS)

    return [
        (notification("poll_opened", False), _("A poll is open: “Should we ask for more shade in school yards?”")),
        (notification("mention", False), _("%(name)s mentioned you in Statewide lounge", name=NAMES[1])),
        (notification("agenda_published", True), _("The agenda of “Regional check-in” is ready")),
    ]


def build(copy: Copy, static_folder: str) -> dict:
    """Everything one copy of the components shows (call inside force_locale(copy.lang))."""
    return {
        "icons": sprite_icons(static_folder),
        "sizes": AVATAR_SIZES,
        "photo_member": member(0, photo=True),
        "tone_members": [member(n) for n in range(len(NAMES))],
        "erased_member": member(0, erased=True),
        "tones": TONES,
        "meeting_statuses": MEETING_STATUSES,
        "proposal_statuses": PROPOSAL_STATUSES,
        "poll_statuses": POLL_STATUSES,
        "rows": attendance_rows(),
        "meetings": meetings(),
        "polls": polls(),
        "proposals": proposals(),
        "sessions": sessions(),
        "notifications": notifications(),
    }
