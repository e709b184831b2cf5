"""@mentions: who a text names, by their display name written after an @ ("@Ana Lucía Torres")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select

from ..extensions import db
from ..members.models import User


def mentioned_in(text: str, candidates: Iterable[User] | None = None) -> list[User]:
    """The active members and staff whose display name follows an @ in the text, longest names first."""
    if not text or "@" not in text:
        return []
    people = list(candidates) if candidates is not None else list(db.session.scalars(
        select(User).where(User.active.is_(True), User.deleted_at.is_(None), User.display_name.is_not(None))))
    folded = text.casefold()
    found = []
    for person in sorted(people, key=lambda user: -len(user.display_name or "")):
        name = (person.display_name or "").casefold()
        at = folded.find("@" + name) if name else -1
        named = False
        while at != -1:
            end = at + 1 + len(name)
            if end == len(folded) or not folded[end].isalnum():  # "@Ana" does not name "Ana María"
                named = True
                # used up: a shorter name ("@Ana") cannot be read inside this longer one ("@Ana María")
                folded = folded[:at] + "\0" * (end - at) + folded[end:]
            at = folded.find("@" + name, at + 1)
        if named:
            found.append(person)
    return found


#: What an @mention of an erased member reads as in the texts that named them (stored text: one language for all).
FORMER_MEMBER_MENTION = "@former member"


def mention_pattern(name: str) -> re.Pattern:
    """An @mention of this display name, in any case, not followed by a letter or digit (as mentioned_in reads it)."""
    return re.compile("@" + re.escape(name) + r"(?![^\W_])", re.IGNORECASE)


def without_mentions_of(text: str, name: str) -> str:
    """The text with every @mention of the name replaced by "@former member"."""
    return mention_pattern(name).sub(FORMER_MEMBER_MENTION, text) if name else text


def like_mention(name: str) -> str:
    """A LIKE pattern (escape character "\\") for texts that may @mention the name; without_mentions_of decides."""
    escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%@{escaped}%"
