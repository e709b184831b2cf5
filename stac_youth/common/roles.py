"""The four roles a user can hold."""

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    ADVISOR = "advisor"
    PLANNER = "planner"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)
ADULT_ROLES = frozenset({Role.ADVISOR, Role.PLANNER, Role.ADMIN})
