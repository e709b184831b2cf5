"""Tests of rooms: live discussion, presence, the speakers queue and moderation."""
