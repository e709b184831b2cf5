"""Demo data for development: the eight regions with their counties and a board of accounts."""

from __future__ import annotations

from sqlalchemy import select

from .common.roles import Role
from .extensions import db
from .members.accounts import find_user_by_email
from .members.bootstrap import create_account
from .members.models import County, MemberInterest, Region

REGIONS: dict[str, list[str]] = {
    "Northern California": ["Butte", "Del Norte", "Glenn", "Humboldt", "Lake", "Lassen", "Mendocino", "Modoc",
                            "Plumas", "Shasta", "Siskiyou", "Tehama", "Trinity"],
    "Capitol Area": ["Alpine", "Colusa", "El Dorado", "Nevada", "Placer", "Sacramento", "San Joaquin", "Sierra",
                     "Solano", "Sutter", "Yolo", "Yuba"],
    "Bay Area": ["Alameda", "Contra Costa", "Marin", "Napa", "San Francisco", "San Mateo", "Santa Clara", "Sonoma"],
    "Central Coast": ["Monterey", "San Benito", "San Luis Obispo", "Santa Barbara", "Santa Cruz", "Ventura"],
    "Central Valley": ["Amador", "Calaveras", "Fresno", "Kern", "Kings", "Madera", "Mariposa", "Merced",
                       "Stanislaus", "Tulare", "Tuolumne"],
    "Greater Los Angeles": ["Los Angeles"],
    "Southern Coast": ["Imperial", "Orange", "San Diego"],
    "Southern Inland": ["Inyo", "Mono", "Riverside", "San Bernardino"],
}

#: the Spanish names of the regions, as members in California schools say them
REGION_NAMES_ES = {
    "Northern California": "Norte de California", "Capitol Area": "Área del Capitolio", "Bay Area": "Área de la Bahía",
    "Central Coast": "Costa Central", "Central Valley": "Valle Central", "Greater Los Angeles": "Gran Los Ángeles",
    "Southern Coast": "Costa Sur", "Southern Inland": "Interior Sur",
}

STAFF = [
    ("admin@example.org", "Alex Rivera", Role.ADMIN, "Capitol Area"),
    ("advisor@example.org", "Morgan Lee", Role.ADVISOR, "Bay Area"),
    ("advisor2@example.org", "Dolores Martínez", Role.ADVISOR, "Central Valley"),
    ("planner@example.org", "Sam Okafor", Role.PLANNER, "Greater Los Angeles"),
]

STUDENTS = [
    ("Maya Chen", "she/her", "Bay Area", "Alameda", "Oakland High School", "11",
     ["mental health", "art", "student voice"], "I organise peer support circles at my school.", "en"),
    ("Diego Hernández", "he/him", "Central Valley", "Fresno", "Roosevelt High School", "10",
     ["soccer", "family engagement", "college access"], "Quiero que las familias tengan voz en la escuela.", "es"),
    ("Jordan Blake", "they/them", "Northern California", "Humboldt", "Eureka High School", "12",
     ["climate", "school climate", "restorative practices"], "Trail runner and debate captain.", "en"),
    ("Ana Lucía Torres", "ella", "Greater Los Angeles", "Los Angeles", "Garfield High School", "11",
     ["culturally responsive learning", "music"], "Me encanta la música y aprender de mi comunidad.", "es"),
    ("Kai Nakamura", "he/him", "Southern Coast", "San Diego", "Hoover High School", "9",
     ["robotics", "college and career"], "Building robots and better pathways.", "en"),
    ("Priya Patel", "she/her", "Capitol Area", "Sacramento", "McClatchy High School", "12",
     ["health services", "mental health"], "Future nurse. Ask me about school-based clinics.", "en"),
    ("Luis Ramírez", "él", "Central Coast", "Monterey", "Salinas High School", "10",
     ["agriculture", "student voice"], "Mi familia trabaja en el campo; quiero representar a mi región.", "es"),
    ("Tanya Whitehorse", "she/her", "Northern California", "Shasta", "Shasta High School", "11",
     ["belonging", "native youth"], "Proud member of my tribal youth council.", "en"),
    ("Marcus Johnson", "he/him", "Southern Inland", "Riverside", "Riverside Poly High School", "12",
     ["safety", "restorative practices", "basketball"], "Restorative justice circle keeper.", "en"),
    ("Sofía Gutiérrez", "ella", "Bay Area", "Santa Clara", "Overfelt High School", "9",
     ["wellness", "dance"], "Bailo folklórico y me importa el bienestar estudiantil.", "es"),
    ("Noah Kim", "he/him", "Greater Los Angeles", "Los Angeles", "Marshall High School", "10",
     ["college and career", "coding"], "Coding club lead.", "en"),
    ("Imani Brooks", "she/they", "Southern Coast", "Orange", "Santa Ana High School", "11",
     ["school climate", "poetry"], "Poet. Believer in student-led change.", "en"),
]


DEMO_MEETINGS = [
    {
        "title": "Fall kickoff: getting to know the board",
        "days_from_now": -21,
        "status": "ended",
        "description": "Welcome to the new cohort! We met each other, shared what we care about, and set goals.",
        "location": "Sacramento County Office of Education, Room 4",
        "items": [("Welcome and introductions", "presentation", 20), ("What matters in our schools", "discussion", 40),
                  ("Choosing our focus areas", "vote", 20)],
        "minutes": (
            "**Present:** 11 students, 2 advisors.\n\n"
            "- Everyone shared one thing they love about their school.\n"
            "- Top themes: mental health, belonging, student voice.\n"
            "- Next: draft proposals by region."
        ),
    },
    {
        "title": "Proposal workshop: from idea to proposal",
        "days_from_now": 7,
        "status": "published",
        "description": "Bring an idea you care about. We will turn ideas into proposals for the Summit.",
        "video_url": "https://meet.example.org/stac-proposal-workshop",
        "items": [("Check-in circle", "discussion", 15), ("What makes a strong proposal", "presentation", 20),
                  ("Break", "break", 10), ("Writing in regional groups", "discussion", 35)],
    },
    {
        "title": "Summit planning listening session",
        "days_from_now": 28,
        "status": "draft",
        "description": "Planners listen to what students want from this year's Summit.",
        "location": "Online and Fresno County Office of Education",
        "video_url": "https://meet.example.org/stac-listening",
        "items": [("Summit goals", "presentation", 15), ("Open discussion", "discussion", 45)],
    },
]


def seed_meetings(advisor) -> None:
    """Three demo meetings (past with minutes, upcoming, draft), each with an agenda; skipped when present."""
    from datetime import datetime, time, timedelta

    from .common.time import local_to_utc
    from .meetings import agenda, minutes, services
    from .meetings.models import Meeting

    for spec in DEMO_MEETINGS:
        if db.session.scalar(select(Meeting).where(Meeting.title == spec["title"])):
            continue
        day = (datetime.now() + timedelta(days=spec["days_from_now"])).date()
        starts = local_to_utc(datetime.combine(day, time(16, 0)), "America/Los_Angeles")
        meeting = services.create_meeting(advisor, services.MeetingData(
            title=spec["title"], description=spec["description"], starts_at=starts,
            ends_at=starts + timedelta(minutes=90), location=spec.get("location"), video_url=spec.get("video_url"),
        ))
        for title, kind, length in spec["items"]:
            agenda.add_item(advisor, meeting, agenda.AgendaItemData(title, "", length, None, kind))
        if spec["status"] in ("published", "ended"):
            services.publish_meeting(advisor, meeting)
        if spec["status"] == "ended":
            services.start_meeting(advisor, meeting)
            services.end_meeting(advisor, meeting)
            minutes.save_minutes(advisor, meeting, spec["minutes"])


DEMO_ROOMS = [
    ("Statewide lounge", "Say hi, share ideas and ask questions between meetings.", None,
     [("student1@example.org", "Hi everyone! Excited for the proposal workshop."),
      ("student2@example.org", "¡Hola! Yo también. Traigo una idea sobre la participación de las familias."),
      ("advisor@example.org", "Welcome! Bring one idea each, **big or small**.")]),
    ("Bay Area students", "A room for members from the Bay Area.", "Bay Area",
     [("student1@example.org", "Anyone want to meet up before the Summit?")]),
]


def seed_rooms(regions: dict[str, Region]) -> None:
    """Two demo topic rooms with a few messages; skipped when present."""
    from .members.accounts import find_user_by_email as by_email
    from .rooms import messages, rooms
    from .rooms.models import Room

    advisor = by_email("advisor@example.org")
    for title, description, region, posts in DEMO_ROOMS:
        if db.session.scalar(select(Room).where(Room.title == title)):
            continue
        room = rooms.create_topic_room(advisor, title, description, regions[region].id if region else None)
        for number, (email, body) in enumerate(posts):
            messages.post_message(by_email(email), room, body, f"seed-{number}")


THEMES = [
    "Mental health and wellness", "School climate and belonging", "Student voice in decisions",
    "Family and community engagement", "Health and social services at school", "College, career and pathways",
    "Culturally responsive learning", "Safety and restorative practices",
]

#: the Spanish names of the themes
THEME_NAMES_ES = {
    "Mental health and wellness": "Salud mental y bienestar",
    "School climate and belonging": "Ambiente escolar y sentido de pertenencia",
    "Student voice in decisions": "La voz estudiantil en las decisiones",
    "Family and community engagement": "Participación de las familias y la comunidad",
    "Health and social services at school": "Servicios de salud y sociales en la escuela",
    "College, career and pathways": "Universidad, carreras y trayectorias",
    "Culturally responsive learning": "Aprendizaje culturalmente relevante",
    "Safety and restorative practices": "Seguridad y prácticas restaurativas",
}

DEMO_PROPOSALS = [
    ("student1@example.org", "Peer support circles in every high school",
     "Trained students lead weekly peer support circles during advisory period.",
     "Mental health and wellness", "Bay Area", "submitted"),
    ("student2@example.org", "Family nights in Spanish and English",
     "Schools hold monthly family nights with interpretation and childcare.",
     "Family and community engagement", "Central Valley", "in_discussion"),
    ("student3@example.org", "Free transit passes for students",
     "Every student gets a free bus and rail pass for school, work and community activities.",
     "Mental health and wellness", "Greater Los Angeles", "in_discussion"),
    ("student4@example.org", "Students on every school site council",
     "Each school site council keeps two seats for students elected by their classmates.",
     "Family and community engagement", "Bay Area", "in_discussion"),
    ("student6@example.org", "A mental health day each semester",
     "Every student may take one excused mental health day per semester, with a check-in afterwards.",
     "Mental health and wellness", "Central Coast", "in_discussion"),
]

#: (proposal title, secret ballot, results live, closed, votes in student order: y(es), n(o), a(bstain), -(none))
DEMO_POLLS = [
    ("Free transit passes for students", False, False, True, "yyyyynyyaynn"),
    ("Students on every school site council", False, True, False, "yyny-a-y----"),
    ("A mental health day each semester", True, False, True, "yynyyyay-yny"),
]


def seed_themes() -> None:
    """The proposal themes, in order, with their Spanish names; skipped when present (a missing Spanish name is added,
    one an admin set is kept)."""
    from .proposals.models import Theme

    known = {theme.name: theme for theme in db.session.scalars(select(Theme))}
    for position, name in enumerate(THEMES, start=1):
        theme = known.get(name)
        if theme is None:
            db.session.add(Theme(name=name, name_es=THEME_NAMES_ES.get(name), position=position))
        elif theme.name_es is None:
            theme.name_es = THEME_NAMES_ES.get(name)
    db.session.commit()


def seed_proposals(regions: dict[str, Region]) -> None:
    """Two demo proposals, one submitted and one in discussion; skipped when present."""
    from .proposals import services
    from .proposals.models import Proposal, Theme

    advisor = find_user_by_email("advisor@example.org")
    for email, title, summary, theme, region, status in DEMO_PROPOSALS:
        if db.session.scalar(select(Proposal).where(Proposal.title == title)):
            continue
        theme_id = db.session.scalar(select(Theme.id).where(Theme.name == theme))
        author = find_user_by_email(email)
        proposal = services.create_proposal(author, services.ProposalData(
            title=title, summary=summary, description="", theme_id=theme_id, region_id=regions[region].id,
        ))
        services.submit_proposal(author, proposal)
        if status == "in_discussion":
            services.advance_proposal(advisor, proposal)


def seed_polls() -> None:
    """A counted poll (the proposal passed) and an open poll with live results; skipped when present."""
    from .polls import ballots, lifecycle, questions
    from .polls.models import Poll
    from .proposals.models import Proposal

    advisor = find_user_by_email("advisor@example.org")
    choices = {"y": "yes", "n": "no", "a": "abstain"}
    for title, secret, live, closed, votes in DEMO_POLLS:
        proposal = db.session.scalar(select(Proposal).where(Proposal.title == title))
        if proposal is None or db.session.scalar(select(Poll.id).where(Poll.proposal_id == proposal.id)):
            continue
        poll = lifecycle.create_poll(advisor, proposal, questions.english(questions.SUPPORT_PROPOSAL, proposal),
                                     "yes_no_abstain", secret=secret, results_live=live, quorum_percent=25)
        lifecycle.open_poll(advisor, poll)
        for number, vote in enumerate(votes, start=1):
            if vote in choices:
                ballots.cast_ballot(find_user_by_email(f"student{number}@example.org"), poll, choices[vote])
        if closed:
            lifecycle.close_poll(advisor, poll)


DEMO_SESSIONS = [  # (title, track, day 0 or 1, hour, minutes, room)
    ("Opening: students lead", "Plenary", 0, 9, 60, "Main hall"),
    ("Getting to school and back: transit for students", "Wellness", 0, 11, 75, "Room B"),
    ("Student voice on school site councils", "Student voice", 1, 10, 60, "Room A"),
]


def seed_summit() -> None:
    """A Summit edition with sessions, and the counted demo proposal adopted into one; skipped when present."""
    from datetime import date, datetime, time, timedelta

    from .common.time import local_to_utc
    from .proposals.models import Proposal, ProposalStatus
    from .summit import services
    from .summit.models import SummitEdition

    year = date.today().year + 1
    if db.session.scalar(select(SummitEdition).where(SummitEdition.year == year)):
        return
    planner = find_user_by_email("planner@example.org")
    first_day = date(year, 4, 16)
    edition = services.create_edition(planner, services.EditionData(
        year=year, title=f"Community Schools Youth Summit {year}", starts_on=first_day,
        ends_on=first_day + timedelta(days=1), place="Sacramento Convention Center"))
    sessions = {}
    for title, track, day, hour, minutes, room in DEMO_SESSIONS:
        starts = local_to_utc(datetime.combine(first_day + timedelta(days=day), time(hour)), "America/Los_Angeles")
        sessions[title] = services.add_session(planner, edition, services.SessionData(
            title=title, track=track, starts_at=starts, ends_at=starts + timedelta(minutes=minutes), room=room,
            description=""))
    decisions = [
        ("Free transit passes for students", services.DecisionData(
            kind="adopted", session_ids=(sessions["Getting to school and back: transit for students"].id,),
            response="Adopted. Transit agencies from three regions join this session to plan **free student passes** "
                     "with you; the students who wrote the proposal open it.")),
        ("A mental health day each semester", services.DecisionData(
            kind="under_review",
            response="Under review: the state's attendance rules decide what schools may excuse. We asked the "
                     "Department of Education and will answer here before the Summit.")),
    ]
    for title, decision in decisions:
        passed = db.session.scalar(select(Proposal).where(Proposal.title == title,
                                                          Proposal.status == ProposalStatus.PASSED))
        if passed is not None:
            services.decide(planner, passed, decision)


def seed_regions() -> dict[str, Region]:
    """Make sure the eight regions (with their Spanish names) and their counties exist; return them by name."""
    regions = {r.name: r for r in db.session.scalars(select(Region))}
    for position, (name, counties) in enumerate(REGIONS.items(), start=1):
        region = regions.get(name)
        if region is None:
            region = regions[name] = Region(name=name, name_es=REGION_NAMES_ES.get(name), position=position)
            db.session.add(region)
        elif region.name_es is None:
            region.name_es = REGION_NAMES_ES.get(name)
        known = {c.name for c in region.counties}
        region.counties.extend(County(name=county) for county in counties if county not in known)
    db.session.commit()
    return regions


def seed_demo_data(password: str) -> list[tuple[str, str, bool]]:
    """Regions plus the demo accounts; returns (email, role, created now) for each account."""
    regions = seed_regions()
    report = []
    for email, name, role, region in STAFF:
        created = find_user_by_email(email) is None
        if created:
            create_account(email, name, password, role, region_id=regions[region].id, pronouns=None)
        report.append((email, role, created))
    for number, (name, pronouns, region, county, school, grade, interests, bio, lang) in enumerate(STUDENTS, 1):
        email = f"student{number}@example.org"
        created = find_user_by_email(email) is None
        if created:
            county_id = next(c.id for c in regions[region].counties if c.name == county)
            user = create_account(
                email, name, password, Role.MEMBER, pronouns=pronouns, region_id=regions[region].id,
                county_id=county_id, school=school, grade=grade, bio=bio, preferred_language=lang,
                hide_school=number % 4 == 0,
            )
            user.interests = [MemberInterest(tag=tag) for tag in interests]
            db.session.commit()
        report.append((email, Role.MEMBER, created))
    seed_meetings(find_user_by_email("advisor@example.org"))
    seed_rooms(regions)
    seed_themes()
    seed_proposals(regions)
    seed_polls()
    seed_summit()
    return report
