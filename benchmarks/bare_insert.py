"""The anchor for the vote benchmark: a bare Flask route that inserts one row in one transaction.

`POST /vote` with form fields poll_id, user_id and choice inserts one row into bench_inserts (UNIQUE (poll_id,
user_id)) through SQLAlchemy Core in one transaction: 200 when stored, 409 on a duplicate, 400 on a bad form. No
sessions, CSRF, rendering or locking: what is left is Flask + SQLAlchemy + one commit, under the same gunicorn
command as the app (`gunicorn -k gthread -w 1 --threads N benchmarks.bare_insert:app`). The database is
BENCH_DATABASE_URL, with the app's own SQLite pragmas (stac_youth.common.database.configure_sqlite) on SQLite and
SQLAlchemy's default pool on both kinds, as the app has.
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, Integer, MetaData, String, Table, UniqueConstraint, create_engine, insert
from sqlalchemy.exc import IntegrityError

from stac_youth.common.database import configure_sqlite

metadata = MetaData()
bench_inserts = Table(
    "bench_inserts", metadata,
    Column("id", Integer, primary_key=True),
    Column("poll_id", Integer, nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("choice", String(16), nullable=False),
    UniqueConstraint("poll_id", "user_id", name="uq_bench_inserts_poll_user"),
)
CHOICES = frozenset({"yes", "no", "abstain"})


def make_engine(url: str):
    """An engine on url with the app's SQLite pragmas (no-op on PostgreSQL)."""
    engine = create_engine(url)
    configure_sqlite(engine)
    return engine


app = Flask(__name__)
engine = make_engine(os.environ["BENCH_DATABASE_URL"]) if os.environ.get("BENCH_DATABASE_URL") else None


@app.get("/")
def index():
    return "bare insert server\n"


@app.post("/vote")
def vote():
    try:
        row = {"poll_id": int(request.form["poll_id"]), "user_id": int(request.form["user_id"]),
               "choice": request.form["choice"]}
    except (KeyError, ValueError):
        return "bad form\n", 400
    if row["choice"] not in CHOICES:
        return "bad choice\n", 400
    try:
        with engine.begin() as conn:
            conn.execute(insert(bench_inserts).values(**row))
    except IntegrityError:
        return "already voted\n", 409
    return "stored\n", 200
