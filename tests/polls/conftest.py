"""Fixtures shared by the poll tests: an advisor and five members, named so that pages can be read by name."""

from __future__ import annotations

import pytest


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", display_name="Ada Advisor")


@pytest.fixture
def members(make_user):
    return [make_user("member", display_name=f"Member {name}") for name in ("Ana", "Ben", "Cy", "Dee", "Eli")]
