"""Tests of meetings: agendas, attendance, calendars, minutes and the live screen."""
