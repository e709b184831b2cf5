"""Live Summit pages: the proposal, the sessions that carry it and the Summit board follow each decision
(common/subjects.py), so an open page shows a decision once a planner records it."""

from __future__ import annotations

from sqlalchemy import inspect

from ..common.errors import NotFound
from ..common.subjects import register_subject, subject_name, watch_changes
from ..proposals.events import BOARD
from .models import Decision
from .services import get_session


def _visible_session(_user, session_id: int):
    """Every signed-in member sees every Summit session."""
    return get_session(session_id)


def _visible_board(_user, board_id: int):
    """There is one board, seen by every signed-in member."""
    if board_id != 0:
        raise NotFound("There is one Summit board.")
    return board_id


def _decision_subjects(decision: Decision) -> list[str]:
    """A decision shows on its proposal's page, the board, and the pages of the sessions it was and is carried by."""
    history = inspect(decision).attrs.sessions.history
    sessions = {s.id for s in (*history.added, *history.unchanged, *history.deleted) if s.id is not None}
    return [subject_name("proposal", decision.proposal_id), BOARD,
            *(subject_name("session", session_id) for session_id in sessions)]


register_subject("session", _visible_session)
register_subject("board", _visible_board)
watch_changes(Decision, _decision_subjects)
