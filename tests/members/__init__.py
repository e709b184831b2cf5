"""Tests of members: invitations, login, sessions, profiles, avatars, privacy."""
