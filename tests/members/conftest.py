"""Fixtures shared by the profile tests: a Bay Area student who hides school and bio."""

from __future__ import annotations

import pytest

from stac_youth.members.models import MemberInterest
from tests.members.helpers import _region


@pytest.fixture
def student(make_user):
    """A student who hides school and bio."""
    region = _region("Bay Area")
    return make_user(
        "member",
        email="maya@example.org",
        display_name="Maya Chen",
        region_id=region.id,
        school="Oakland High School",
        bio="I organise **peer support** circles.",
        hide_school=True,
        hide_bio=True,
        interests=[MemberInterest(tag="mental health"), MemberInterest(tag="art")],
    )
