"""Live proposal pages: a proposal's page follows it (common/subjects.py) and hears when its status, its timeline or
one of its polls changed, so it shows the new state without a reload."""

from __future__ import annotations

from ..common.subjects import register_subject, subject_name, watch_changes
from ..polls.models import Poll
from .models import Proposal, ProposalEvent
from .services import get_visible_proposal

#: the one Summit board (summit/events.py follows it too): it lists every proposal with its status
BOARD = subject_name("board", 0)

register_subject("proposal", get_visible_proposal, follows="proposal")
watch_changes(Proposal, lambda proposal: (subject_name("proposal", proposal.id), BOARD), ("status", "title", "summary"))
watch_changes(ProposalEvent, lambda entry: (subject_name("proposal", entry.proposal_id),))
watch_changes(Poll, lambda poll: (subject_name("proposal", poll.proposal_id),) if poll.proposal_id else (),
              ("status", "outcome", "question"))
