"""Tests of proposals and voting: tallies of polls."""
