"""Admin use cases that are not about one member: regions, themes, user lists, the audit log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..common.audit import AuditEvent, record_audit
from ..common.errors import ServiceError
from ..extensions import db
from ..members.models import County, Region, User
from ..proposals.models import Theme


def _name_taken(model, name: str, except_id: int | None = None) -> bool:
    """Whether another row of an ordered, named list (regions, themes) has this name, ignoring case."""
    query = select(model.id).where(func.lower(model.name) == name.lower())
    if except_id is not None:
        query = query.where(model.id != except_id)
    return db.session.scalar(query) is not None


def _next_position(model) -> int:
    return (db.session.scalar(select(func.max(model.position))) or 0) + 1


def _spanish(name_es: str | None) -> str | None:
    """The Spanish form as stored: None when left empty (the one name then serves both languages)."""
    return (name_es or "").strip() or None


def add_region(admin: User, name: str, name_es: str | None = None) -> Region:
    """Add a region at the end of the list, with its Spanish name when it differs."""
    name, name_es = name.strip(), _spanish(name_es)
    if _name_taken(Region, name):
        raise ServiceError(_l("A region with this name exists already."), field="name")
    region = Region(name=name, name_es=name_es, position=_next_position(Region))
    db.session.add(region)
    db.session.flush()
    record_audit("region.created", actor=admin, region_id=region.id, name=name, name_es=name_es)
    db.session.commit()
    return region


def rename_region(admin: User, region: Region, name: str, name_es: str | None = None) -> None:
    """Give a region a new name and Spanish name (empty: the name serves both languages)."""
    name, name_es = name.strip(), _spanish(name_es)
    if _name_taken(Region, name, except_id=region.id):
        raise ServiceError(_l("A region with this name exists already."), field="name")
    old = (region.name, region.name_es)
    region.name, region.name_es = name, name_es
    record_audit("region.renamed", actor=admin, region_id=region.id, old=old, new=(name, name_es))
    db.session.commit()


def add_county(admin: User, region: Region, name: str) -> County:
    """Add a county to a region."""
    name = name.strip()
    if any(c.name.lower() == name.lower() for c in region.counties):
        raise ServiceError(_l("This region has that county already."), field="name")
    county = County(region=region, name=name)
    db.session.add(county)
    db.session.flush()
    record_audit("county.created", actor=admin, region_id=region.id, county=name)
    db.session.commit()
    return county


def add_theme(admin: User, name: str, name_es: str | None = None) -> Theme:
    """Add a proposal theme at the end of the list, with its Spanish name when it differs."""
    name, name_es = name.strip(), _spanish(name_es)
    if _name_taken(Theme, name):
        raise ServiceError(_l("A theme with this name exists already."), field="name")
    theme = Theme(name=name, name_es=name_es, position=_next_position(Theme))
    db.session.add(theme)
    db.session.flush()
    record_audit("theme.created", actor=admin, theme_id=theme.id, name=name, name_es=name_es)
    db.session.commit()
    return theme


def update_theme(admin: User, theme: Theme, name: str, active: bool, name_es: str | None = None) -> None:
    """Rename a theme (its Spanish name too), or retire it (proposals keep it; new ones cannot choose it)."""
    name, name_es = name.strip(), _spanish(name_es)
    if _name_taken(Theme, name, except_id=theme.id):
        raise ServiceError(_l("A theme with this name exists already."), field="name")
    old = (theme.name, theme.name_es, theme.active)
    theme.name, theme.name_es, theme.active = name, name_es, active
    record_audit("theme.updated", actor=admin, theme_id=theme.id, old=old, new=(name, name_es, active))
    db.session.commit()


def all_themes() -> list[Theme]:
    """Every theme, retired ones too, in order."""
    return list(db.session.scalars(select(Theme).order_by(Theme.position)))


def list_users(query: str = "", role: str | None = None, page: int = 1):
    """Users for the admin table, newest first, with a name or email search."""
    stmt = select(User).where(User.deleted_at.is_(None)).order_by(User.created_at.desc(), User.id.desc())
    if role:
        stmt = stmt.where(User.role == role)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(User.display_name.ilike(like) | User.email.ilike(like))
    return db.paginate(stmt, page=page, per_page=50, error_out=False)


def audit_page(action: str | None = None, page: int = 1):
    """Audit events, newest first, optionally of one action, with who acted and about whom."""
    stmt = (select(AuditEvent).options(selectinload(AuditEvent.actor), selectinload(AuditEvent.subject))
            .order_by(AuditEvent.id.desc()))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return db.paginate(stmt, page=page, per_page=50, error_out=False)


def audit_actions() -> list[str]:
    """The distinct actions present in the log, for the filter."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
