"""Proposals and voting: proposals, comments, polls, ballots and tallies."""
