"""Rows of the seeded data set, part one: regions, themes, accounts, meetings with agendas, rooms and messages.

Every builder appends plain dicts to `Rows.tables[<table name>]` with explicit ids, so rows can refer to each other
before anything is written; dataset.py writes them in foreign-key order. Times are naive UTC, like the app's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import dataset_text as text

DAY = timedelta(days=1)


@dataclass
class Person:
    """An account as the builders need it: who may vote, see, post, and when they were on the board."""

    id: int
    role: str
    region_id: int | None
    joined: datetime
    left: datetime | None = None  # former members: when they left the board (not a column; they are inactive)

    def on_board(self, at: datetime) -> bool:
        """Whether the member was on the board at that moment (eligible for a poll opened then)."""
        return self.joined <= at and (self.left is None or self.left > at)


@dataclass
class Rows:
    """Rows to insert, by table, with the id counters and the lookups the later builders need."""

    rng: random.Random
    now: datetime
    tables: dict[str, list[dict]] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    regions: list[int] = field(default_factory=list)
    themes: list[int] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    meeting_regions: dict[int, list[int]] = field(default_factory=dict)
    rooms: list[dict] = field(default_factory=list)

    def add(self, table: str, row: dict, with_id: bool = True) -> dict:
        """Append a row, giving it the table's next id unless the table has no integer id."""
        if with_id:
            row = {"id": self.next_id(table), **row}
        self.tables.setdefault(table, []).append(row)
        return row

    def next_id(self, table: str) -> int:
        self.next_ids[table] = self.next_ids.get(table, 0) + 1
        return self.next_ids[table]

    def ago(self, days_min: float, days_max: float) -> datetime:
        """A random moment between days_max and days_min days ago (negative days are in the future)."""
        return (self.now - self.rng.uniform(days_min, days_max) * DAY).replace(microsecond=0)

    def staff(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]

    def members(self, at: datetime | None = None, region_ids: list[int] | None = None) -> list[Person]:
        """Members on the board at `at` (now: the active ones), optionally of some regions only."""
        at = at or self.now
        return [p for p in self.people if p.role == "member" and p.on_board(at)
                and (not region_ids or p.region_id in region_ids)]


def add_regions_and_themes(rows: Rows) -> dict[int, list[int]]:
    """The app's eight regions with their counties and its eight themes; returns region id -> county ids."""
    from stac_youth.seed import REGIONS, THEMES

    counties: dict[int, list[int]] = {}
    for position, (name, county_names) in enumerate(REGIONS.items(), start=1):
        region = rows.add("regions", {"name": name, "position": position})
        rows.regions.append(region["id"])
        counties[region["id"]] = [rows.add("counties", {"region_id": region["id"], "name": county})["id"]
                                  for county in county_names]
    for position, name in enumerate(THEMES, start=1):
        rows.themes.append(rows.add("themes", {"name": name, "position": position, "active": True})["id"])
    return counties


def _user(rows: Rows, email: str, name: str, role: str, password_hash: str, region_id: int | None,
          created_at: datetime, active: bool = True, **profile) -> dict:
    base = {"email": email, "password_hash": password_hash, "role": role, "active": active, "session_version": 1,
            "created_at": created_at, "deleted_at": None, "display_name": name, "pronouns": None,
            "region_id": region_id, "county_id": None, "school": None, "grade": None, "bio": None,
            "preferred_language": "en", "timezone": "America/Los_Angeles", "avatar_filename": None,
            "hide_school": False, "hide_bio": False, "email_notifications": "all"}
    return rows.add("users", base | profile)


def add_people(rows: Rows, members: int, former: int, counties: dict[int, list[int]], password_hash: str) -> None:
    """Staff (1 admin, 3 advisors, 2 planners), the board's members and former members (inactive), in regions.

    Most members joined before the seeded year; one in ten joined 45-90 days ago, so older polls were opened before
    they could vote in them. Former members joined long ago and left the board 20-60 days ago.
    """
    rng = rows.rng
    staff = [("admin", "admin"), ("advisor", "advisor"), ("advisor", "advisor"), ("advisor", "advisor"),
             ("planner", "planner"), ("planner", "planner")]
    for number, (label, role) in enumerate(staff, start=1):
        region = rows.regions[number % len(rows.regions)]
        user = _user(rows, f"{label}-{number}@example.org", f"{rng.choice(text.FIRST_NAMES)} "
                     f"{rng.choice(text.LAST_NAMES)}", role, password_hash, region, rows.ago(700, 900))
        rows.people.append(Person(user["id"], role, region, user["created_at"]))
    # Greater Los Angeles and the Bay Area send more members than the rural regions.
    weights = [1.0, 1.2, 1.8, 1.0, 1.4, 2.2, 1.5, 1.1][: len(rows.regions)]
    for number in range(members + former):
        is_former = number >= members
        region = rng.choices(rows.regions, weights=weights)[0]
        county = rng.choice(counties[region])
        if is_former:
            joined, left = rows.ago(420, 720), rows.ago(20, 60)
        else:
            joined = rows.ago(45, 90) if number % 10 == 9 else rows.ago(380, 720)
            left = None
        name = f"{rng.choice(text.FIRST_NAMES)} {rng.choice(text.LAST_NAMES)}"
        user = _user(
            rows, f"member-{number + 1:05d}@example.org", name, "member", password_hash, region, joined,
            active=not is_former, pronouns=rng.choice(text.PRONOUNS), county_id=county,
            school=f"{rng.choice(text.LAST_NAMES)} {rng.choice(text.SCHOOL_KINDS)}", grade=str(rng.randint(9, 12)),
            bio=rng.choice(text.BIOS), preferred_language="es" if rng.random() < 0.3 else "en",
            hide_school=rng.random() < 0.2, hide_bio=rng.random() < 0.1,
        )
        rows.people.append(Person(user["id"], "member", region, joined, left))
        for tag in rng.sample(text.INTERESTS, rng.randint(1, 3)):
            rows.add("member_interests", {"user_id": user["id"], "tag": tag})


def add_meetings(rows: Rows, count: int, items_per_meeting: int) -> None:
    """Meetings over the past ten months and the next two: ended ones with minutes and attendance, one live,
    published ones with RSVPs, a few drafts; each with its agenda and its room. One in four is regional."""
    rng = rows.rng
    advisors = rows.staff("advisor")
    for index in range(count):
        # Spread from 300 days ago to 60 days ahead; the one closest to now is live.
        offset = 300 - 360 * index / max(1, count - 1)
        starts = (rows.now - offset * DAY).replace(hour=rng.choice([0, 1, 2, 23]), minute=0, second=0, microsecond=0)
        status = "ended" if offset > 1 else ("published" if offset > -40 else "draft")
        creator = rng.choice(advisors).id
        meeting = rows.add("meetings", {
            "uid": f"00000000-0000-4000-8000-{index + 1:012d}", "title": f"{rng.choice(text.MEETING_TOPICS)} "
            f"{starts:%B %Y}", "description": "Bring one idea you care about. Snacks and interpretation provided.",
            "starts_at": starts, "ends_at": starts + timedelta(minutes=rng.choice([60, 90, 120])),
            "location": "County Office of Education, Room 4" if index % 3 else None,
            "video_url": "https://meet.example.org/stac-board" if index % 3 != 1 else None, "status": status,
            "sequence": 1 if status != "draft" else 0, "created_by_id": creator, "created_at": starts - 20 * DAY,
            "updated_at": starts - 10 * DAY, "current_item_id": None, "current_item_started_at": None,
        })
        rows.meetings.append(meeting)
        regional = index % 4 == 3
        rows.meeting_regions[meeting["id"]] = rng.sample(rows.regions, rng.randint(1, 2)) if regional else []
        for region_id in rows.meeting_regions[meeting["id"]]:
            rows.add("meeting_regions", {"meeting_id": meeting["id"], "region_id": region_id}, with_id=False)
        length = max(1, items_per_meeting + rng.randint(-2, 2))
        chosen = [text.AGENDA_ITEMS[0]] + rng.sample(text.AGENDA_ITEMS[1:], min(length, len(text.AGENDA_ITEMS)) - 1)
        if not any(kind == "vote" for _title, kind, _m in chosen):  # every meeting votes on something
            chosen[-1] = next(item for item in text.AGENDA_ITEMS if item[1] == "vote")
        for position, (title, kind, minutes) in enumerate(chosen):
            rows.add("agenda_items", {
                "meeting_id": meeting["id"], "position": position, "title": title,
                "description": "Read the *summary* first; questions welcome.", "minutes": minutes,
                "presenter": rng.choice(text.FIRST_NAMES) if kind == "presentation" else None, "kind": kind})
        room = rows.add("rooms", {"kind": "meeting", "title": meeting["title"], "description": "",
                                  "meeting_id": meeting["id"], "region_id": None, "locked": False,
                                  "created_by_id": creator, "created_at": meeting["created_at"]})
        rows.rooms.append(room | {"opens": starts - timedelta(minutes=30), "closes": meeting["ends_at"],
                                  "regions": rows.meeting_regions[meeting["id"]]})
        _meeting_people(rows, meeting)


def _meeting_people(rows: Rows, meeting: dict) -> None:
    """RSVPs for published and ended meetings; attendance and minutes for ended ones."""
    rng = rows.rng
    if meeting["status"] == "draft":
        return
    invited = rows.members(meeting["starts_at"], rows.meeting_regions[meeting["id"]])
    for person in rng.sample(invited, int(len(invited) * 0.4)):
        rows.add("rsvps", {"meeting_id": meeting["id"], "user_id": person.id,
                           "answer": rng.choices(["yes", "maybe", "no"], weights=[6, 2.5, 1.5])[0],
                           "updated_at": meeting["starts_at"] - rng.uniform(1, 10) * DAY})
    if meeting["status"] != "ended":
        return
    present = rng.sample(invited, int(len(invited) * rng.uniform(0.5, 0.7)))
    for person in present:
        rows.add("attendances", {"meeting_id": meeting["id"], "user_id": person.id,
                                 "checked_in_at": meeting["starts_at"] + timedelta(minutes=rng.randint(0, 20))})
    rows.add("minutes_revisions", {"meeting_id": meeting["id"], "author_id": meeting["created_by_id"],
                                   "body": text.MINUTES.format(present=len(present)),
                                   "created_at": meeting["ends_at"] + DAY})


def mark_live_meeting(rows: Rows) -> None:
    """The last ended meeting runs now instead: started 30 minutes ago, at its second agenda item (as
    `start_meeting` plus one advance), members checked in, no minutes yet."""
    ended = [m for m in rows.meetings if m["status"] == "ended"]
    if not ended:
        return
    meeting = ended[-1]
    shift = rows.now - timedelta(minutes=30) - meeting["starts_at"]
    meeting["starts_at"] += shift
    meeting["ends_at"] += shift
    items = [item for item in rows.tables["agenda_items"] if item["meeting_id"] == meeting["id"]]
    meeting["status"] = "live"
    meeting["current_item_id"] = items[min(1, len(items) - 1)]["id"]
    meeting["current_item_started_at"] = rows.now - timedelta(minutes=5)
    for table in ("attendances", "rsvps"):
        for row in rows.tables.get(table, []):
            if row["meeting_id"] == meeting["id"]:
                row["checked_in_at" if table == "attendances" else "updated_at"] += shift
    room = next(r for r in rows.rooms if r.get("meeting_id") == meeting["id"])
    room["opens"], room["closes"] = meeting["starts_at"] - timedelta(minutes=30), meeting["ends_at"]
    rows.tables["minutes_revisions"] = [m for m in rows.tables.get("minutes_revisions", [])
                                        if m["meeting_id"] != meeting["id"]]


def add_topic_rooms(rows: Rows) -> None:
    """Statewide topic rooms and one room per region, made by advisors a year ago."""
    advisors = rows.staff("advisor")
    region_names = {row["id"]: row["name"] for row in rows.tables["regions"]}
    topics = [(title, description, None) for title, description in text.ROOM_TOPICS]
    topics += [(f"{name} students", f"A room for members from {name}.", region_id)
               for region_id, name in region_names.items()]
    for number, (title, description, region_id) in enumerate(topics):
        created = rows.now - (360 - number) * DAY
        room = rows.add("rooms", {"kind": "topic", "title": title, "description": description, "meeting_id": None,
                                  "region_id": region_id, "locked": False,
                                  "created_by_id": advisors[number % len(advisors)].id, "created_at": created})
        rows.rooms.append(room | {"opens": created, "closes": rows.now, "regions": [region_id] if region_id else []})


def add_messages(rows: Rows, count: int) -> None:
    """`count` messages over the rooms, most in the statewide lounge, then regional, meeting and proposal rooms.

    Ids follow time, as when the app stores them; a few are deleted by an advisor. Every member has read the
    lounge and their region's room up to some point (room_reads)."""
    rng = rows.rng
    open_rooms = [r for r in rows.rooms if r["opens"] < rows.now]
    weights = [12.0 if r["kind"] == "topic" and r["title"] == text.ROOM_TOPICS[0][0]
               else 3.0 if r["kind"] == "topic" else 1.0 for r in open_rooms]
    advisors = rows.staff("advisor")
    drawn: list[tuple[datetime, int, int]] = []
    authors_by_room = {r["id"]: rows.members(region_ids=r["regions"]) or advisors for r in open_rooms}
    for room in rng.choices(open_rooms, weights=weights, k=count):
        start, end = room["opens"], min(room["closes"], rows.now)
        at = start + (end - start) * rng.random()
        author = rng.choice(advisors) if rng.random() < 0.05 else rng.choice(authors_by_room[room["id"]])
        drawn.append((at.replace(microsecond=0), room["id"], author.id))
    drawn.sort()
    last_in_room: dict[int, int] = {}
    for at, room_id, author_id in drawn:
        message_id = rows.next_id("messages")
        deleted = rng.random() < 0.005
        body = " ".join(rng.sample(text.MESSAGE_SENTENCES, rng.randint(1, 2)))
        rows.add("messages", {"id": message_id, "room_id": room_id, "author_id": author_id,
                              "client_id": f"seed-{message_id}", "body": body, "created_at": at,
                              "deleted_at": at + timedelta(minutes=10) if deleted else None,
                              "deleted_by_id": advisors[0].id if deleted else None}, with_id=False)
        last_in_room[room_id] = message_id
    lounge = next((r for r in rows.rooms if r["title"] == text.ROOM_TOPICS[0][0]), None)
    regional = {r["region_id"]: r["id"] for r in rows.rooms if r["kind"] == "topic" and r["region_id"]}
    for person in rows.members():
        for room_id in {lounge["id"] if lounge else None, regional.get(person.region_id)} - {None}:
            if room_id in last_in_room:
                rows.add("room_reads", {"room_id": room_id, "user_id": person.id,
                                        "last_read_id": rng.randint(1, last_in_room[room_id])})
