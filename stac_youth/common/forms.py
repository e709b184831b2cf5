"""Small helpers shared by forms."""

from __future__ import annotations

from flask import flash


def attach_error(form, error) -> None:
    """Show a service error on the field it names, or as a message above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")
