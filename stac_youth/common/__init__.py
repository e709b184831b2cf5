"""Pieces every feature uses: policy, audit, Markdown, time, signals."""
