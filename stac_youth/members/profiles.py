"""Profiles, the member directory and who sees which fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..common.audit import record_audit
from ..common.errors import ServiceError
from ..common.roles import Role
from ..common.signals import access_changed
from ..extensions import db
from .avatars import delete_avatar_file, reencode_avatar, store_avatar
from .models import County, MemberInterest, Region, User

MAX_INTERESTS = 12
GRADES = ("8", "9", "10", "11", "12", "college", "adult")
_GRADE_WORDS = {"college": _l("College"), "adult": _l("Adult")}
_TAG_CLEAN = re.compile(r"[^\w\- ]+", re.UNICODE)


@dataclass(frozen=True)
class ProfileView:
    """A profile as one viewer may see it: hidden fields are None unless the viewer may read them."""

    user: User
    email: str | None
    school: str | None
    bio: str | None
    can_edit: bool
    showing_hidden: bool


def grade_label(grade: str | None) -> str:
    """A grade as people read it: "Grade 11", "College"."""
    if not grade:
        return ""
    return str(_GRADE_WORDS.get(grade) or _l("Grade %(n)s", n=grade))


def parse_interests(raw: str) -> list[str]:
    """Comma-separated tags, cleaned, lower-cased, de-duplicated, at most 12 of 40 characters."""
    tags: list[str] = []
    for part in raw.split(","):
        tag = " ".join(_TAG_CLEAN.sub("", part).lower().split())[:40]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_INTERESTS:
        raise ServiceError(_l("List at most %(n)d interests.", n=MAX_INTERESTS), field="interests")
    return tags


def update_profile(user: User, data: dict) -> None:
    """Save the profile fields of the user's own profile."""
    region_id = data.get("region_id")
    county_id = data.get("county_id")
    if region_id and db.session.get(Region, region_id) is None:
        raise ServiceError(_l("Choose a region from the list."), field="region_id")
    if county_id:
        county = db.session.get(County, county_id)
        if county is None or county.region_id != region_id:
            raise ServiceError(_l("Choose a county in your region."), field="county_id")
    if data.get("grade") and data["grade"] not in GRADES:
        raise ServiceError(_l("Choose a grade from the list."), field="grade")
    tags = parse_interests(data.get("interests") or "")
    old_region_id = user.region_id
    user.display_name = data["display_name"].strip()
    user.pronouns = (data.get("pronouns") or "").strip() or None
    user.region_id = region_id or None
    user.county_id = county_id or None
    user.school = (data.get("school") or "").strip() or None
    user.grade = data.get("grade") or None
    user.bio = (data.get("bio") or "").strip() or None
    language = data.get("preferred_language") or user.preferred_language
    if language != user.preferred_language:  # a language picked here wins over the browser's at later sign-ins
        user.language_chosen = True
    user.preferred_language = language
    user.timezone = data.get("timezone") or user.timezone
    user.hide_school = bool(data.get("hide_school"))
    user.hide_bio = bool(data.get("hide_bio"))
    # Keep the rows of tags that stay: replacing them would INSERT the same (user, tag) before the old row's
    # DELETE is flushed, and the unique constraint would turn re-saving an unchanged profile into a 500.
    kept = {interest.tag: interest for interest in user.interests}
    user.interests = [kept.get(tag) or MemberInterest(tag=tag) for tag in tags]
    db.session.commit()
    if user.region_id != old_region_id:  # regional rooms and meetings open or close to them
        access_changed.send("user", ids=[user.id])


def set_avatar(user: User, data: bytes) -> None:
    """Replace the user's avatar with a re-encoded copy of the uploaded picture."""
    clean = reencode_avatar(data)
    old = user.avatar_filename
    user.avatar_filename = store_avatar(clean)
    db.session.commit()
    delete_avatar_file(old)


def remove_avatar(user: User) -> None:
    """Go back to initials."""
    old = user.avatar_filename
    user.avatar_filename = None
    db.session.commit()
    delete_avatar_file(old)


def may_see_email(viewer: User) -> bool:
    """Emails are shown to advisors and admins only."""
    return viewer.role in (Role.ADVISOR, Role.ADMIN)


def view_profile(viewer: User, user: User) -> ProfileView:
    """What the viewer sees of a profile; an adult reading a student's hidden fields is audited."""
    own = viewer.id == user.id
    staff = viewer.role in (Role.ADVISOR, Role.ADMIN)
    hidden_fields = [name for name, hidden in (("school", user.hide_school), ("bio", user.hide_bio)) if hidden]
    reveal = own or staff
    if staff and not own and hidden_fields and user.role == Role.MEMBER:
        record_audit("profile.hidden_fields_viewed", actor=viewer, subject=user, fields=hidden_fields)
        db.session.commit()
    return ProfileView(
        user=user,
        email=user.email if (own or may_see_email(viewer)) else None,
        school=user.school if (reveal or not user.hide_school) else None,
        bio=user.bio if (reveal or not user.hide_bio) else None,
        can_edit=own,
        showing_hidden=bool(hidden_fields) and reveal and not own,
    )


@dataclass(frozen=True)
class DirectoryEntry:
    """One member in the directory, with only the fields the viewer may see."""

    user: User
    email: str | None
    school: str | None


@dataclass(frozen=True)
class DirectoryPage:
    entries: list[DirectoryEntry]
    pagination: object


def directory(viewer: User, region_id: int | None = None, query: str = "", page: int = 1,
              per_page: int = 24) -> DirectoryPage:
    """Active members matching a region and a name or interest search; hidden fields stay hidden here."""
    stmt = (
        select(User)
        .where(User.active.is_(True), User.deleted_at.is_(None))
        .options(selectinload(User.interests), selectinload(User.region))
        .order_by(User.display_name, User.id)  # the id breaks ties, or pages of namesakes overlap on PostgreSQL
    )
    if region_id:
        stmt = stmt.where(User.region_id == region_id)
    query = query.strip()
    if query:
        like = f"%{query.lower()}%"
        interest_match = select(MemberInterest.user_id).where(MemberInterest.tag.like(like))
        stmt = stmt.where(or_(User.display_name.ilike(like), User.id.in_(interest_match)))
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    show_email = may_see_email(viewer)
    entries = [
        DirectoryEntry(
            user=user,
            email=user.email if show_email else None,
            school=user.school if (user.id == viewer.id or not user.hide_school) else None,
        )
        for user in pagination.items
    ]
    return DirectoryPage(entries=entries, pagination=pagination)


def list_regions() -> list[Region]:
    """Regions in their display order, with counties."""
    return list(db.session.scalars(select(Region).options(selectinload(Region.counties)).order_by(Region.position)))
