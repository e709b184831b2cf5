"""Live meeting pages: a meeting's page follows it (common/subjects.py) and hears when it was published, started,
ended, cancelled or edited, so it shows the new state without a reload."""

from __future__ import annotations

from ..common.subjects import register_subject, subject_name, watch_changes
from .models import Meeting, MinutesRevision
from .services import get_visible_meeting

register_subject("meeting", get_visible_meeting, follows="meeting")
watch_changes(Meeting, lambda meeting: (subject_name("meeting", meeting.id),),
              ("status", "title", "description", "starts_at", "ends_at", "location", "video_url"))
watch_changes(MinutesRevision, lambda revision: (subject_name("meeting", revision.meeting_id),))
