"""Fixtures shared by the meeting page tests: an advisor with a name, and a client signed in as them."""

from __future__ import annotations

import pytest

from tests.meetings.helpers import client_for


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", display_name="Morgan Advisor")


@pytest.fixture
def as_advisor(app, advisor):
    return client_for(app, advisor)
