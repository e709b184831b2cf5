"""Imports every feature's models so Alembic and the mappers see them all."""

from .common.audit import AuditEvent  # noqa: F401
from .members.models import County, Invitation, MemberInterest, PasswordResetToken, Region, User  # noqa: F401
