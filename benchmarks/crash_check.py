"""After the crash test: every acknowledged ballot and message against the stored rows, orphans and counters.

A ballot is found by its poll and receipt hash (secret ballots carry no voter), with its participation row
(poll, voter); on an open poll the ballot also names its voter. Orphans: on open polls, a participation without
its voter's ballot or a ballot without its voter's participation; on secret polls, where nothing links the two,
the difference between the poll's participations and ballots. Counters: each poll_counts row against the ballots
(the app's own counted_keys) and the turnout counter against the participations. Messages: the acknowledged id
holds the same room, author, client id and text. The data set's consistency checks (dataset.CHECKS) run too.
"""

from __future__ import annotations

import json
from collections import Counter

CAST = "_cast"


def receipt_hash(code: str) -> str:
    """The hash the app stores for a receipt code (polls._receipt_hash)."""
    from stac_youth.common.tokens import hash_token

    return hash_token("".join(ch for ch in code.upper() if ch.isalnum()))


def _lost_ballots(acknowledged: list[dict], ballots: list, participations: set) -> list[dict]:
    """Acknowledged ballots without their ballot row (by receipt hash), participation, or (open polls) voter."""
    by_receipt = {(poll_id, receipt): voter_id for poll_id, voter_id, receipt, _choices in ballots}
    lost = []
    for ballot in acknowledged:
        key = (ballot["poll_id"], receipt_hash(ballot["receipt"]))
        stored_voter = by_receipt.get(key, "missing")
        if (stored_voter == "missing" or (ballot["poll_id"], ballot["voter_id"]) not in participations
                or (not ballot["secret"] and stored_voter != ballot["voter_id"])):
            lost.append(ballot | {"stored": stored_voter != "missing"})
    return lost


def _orphans(secret: dict[int, bool], ballots: list, participations: set) -> dict:
    """Participations and ballots without each other: per member on open polls, per poll on secret ones."""
    open_ballots = {(poll_id, voter_id) for poll_id, voter_id, _r, _c in ballots if not secret.get(poll_id)}
    open_participations = {pair for pair in participations if not secret.get(pair[0])}
    per_poll_ballots = Counter(poll_id for poll_id, _v, _r, _c in ballots)
    per_poll_participations = Counter(poll_id for poll_id, _u in participations)
    secret_difference = sum(abs(per_poll_ballots[p] - per_poll_participations[p]) for p, s in secret.items() if s)
    return {
        "participations_without_ballot": len(open_participations - open_ballots),
        "ballots_without_participation": len(open_ballots - open_participations),
        "secret_poll_difference": secret_difference,
        "open_ballots_without_voter": sum(1 for p, v, _r, _c in ballots if not secret.get(p) and v is None),
    }


def _counter_mismatches(methods: dict[int, str], ballots: list, participations: set, counters: list) -> list:
    """(poll, counter, stored, expected) for every live counter that differs from the ballots or participations."""
    import stac_youth.models  # noqa: F401 - every model mapped first: importing the polls module builds statements

    from .app_api import app_attr

    counted_keys = app_attr("counted_keys")

    expected: Counter = Counter()
    for poll_id, _voter, _receipt, choices in ballots:
        for key in counted_keys(methods[poll_id], json.loads(choices)):
            expected[(poll_id, key)] += 1
    for poll_id, _user in participations:
        expected[(poll_id, CAST)] += 1
    stored = {(poll_id, choice): count for poll_id, choice, count in counters}
    keys = set(stored) | set(expected)
    return sorted((p, k, stored.get((p, k)), expected[(p, k)]) for p, k in keys
                  if stored.get((p, k), 0) != expected[(p, k)])


def _lost_messages(acknowledged: list[dict], stored: dict) -> list[dict]:
    """Acknowledged messages not stored under their id with the same room, author, client id and text."""
    lost = []
    for message in acknowledged:
        row = stored.get(message["id"])
        if row != (message["room_id"], message["author_id"], message["client_id"], message["body"]):
            lost.append(message | {"stored_as": list(row) if row else None})
    return lost


def check_rows(url: str, ballots_acked: list[dict], messages_acked: list[dict]) -> dict:
    """Compare what was acknowledged with what is stored; every figure is a count of problems (0 is good)."""
    from sqlalchemy import create_engine, text

    from .dataset import consistency

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            def rows(sql):
                return [tuple(r) for r in conn.execute(text(sql))]

            polls = rows("SELECT id, method, secret FROM polls")
            ballots = rows("SELECT poll_id, voter_id, receipt_hash, choices FROM ballots")
            participations = set(rows("SELECT poll_id, user_id FROM poll_participations"))
            counters = rows("SELECT poll_id, choice, count FROM poll_counts")
            stored_messages = {r[0]: tuple(r[1:]) for r in rows(
                "SELECT id, room_id, author_id, client_id, body FROM messages")}
            doubled_messages = rows("SELECT count(*) FROM (SELECT 1 FROM messages GROUP BY room_id, author_id, "
                                    "client_id HAVING count(*) > 1) d")[0][0]
            model_checks = {name: n for name, n in consistency(conn).items() if n}
    finally:
        engine.dispose()
    secret = {poll_id: bool(is_secret) for poll_id, _m, is_secret in polls}
    methods = {poll_id: method for poll_id, method, _s in polls}
    lost_ballots = _lost_ballots(ballots_acked, ballots, participations)
    orphans = _orphans(secret, ballots, participations)
    mismatches = _counter_mismatches(methods, ballots, participations, counters)
    lost_messages = _lost_messages(messages_acked, stored_messages)
    doubled_ballots = sum(n - 1 for n in Counter((p, v) for p, v, _r, _c in ballots if v is not None).values() if n > 1)
    return {
        "ballots_stored": len(ballots),
        "participations_stored": len(participations),
        "messages_stored": len(stored_messages),
        "lost_ballots": len(lost_ballots),
        "lost_messages": len(lost_messages),
        "orphans": sum(orphans.values()),
        "orphan_detail": orphans,
        "counter_mismatches": len(mismatches),
        "doubled": doubled_ballots + doubled_messages,
        "model_checks_failed": model_checks,
        "examples": {"lost_ballots": lost_ballots[:5], "lost_messages": lost_messages[:5],
                     "counter_mismatches": [list(m) for m in mismatches[:5]]},
    }
