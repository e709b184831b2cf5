"""Fixtures shared by the Summit service tests: a planner, an advisor, four students and a passed proposal."""

from __future__ import annotations

import pytest

from stac_youth.proposals.models import ProposalStatus

from .helpers import voted_proposal


@pytest.fixture
def planner(make_user):
    return make_user("planner")


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


@pytest.fixture
def students(make_user):
    return [make_user("member") for _ in range(4)]


@pytest.fixture
def passed(students, advisor):
    proposal, _poll = voted_proposal(students[0], advisor, students, ["yes", "yes", "no"])
    assert proposal.status == ProposalStatus.PASSED
    return proposal
