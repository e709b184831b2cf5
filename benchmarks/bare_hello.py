"""The anchor for the page benchmark: a bare Flask app with one hello route.

`GET /` answers a short text/html page. No sessions, database, templates or extensions: what is left is the cost of
Flask and gunicorn itself under the same command as the app (`gunicorn -k gthread -w 1 --threads N
benchmarks.bare_hello:app`).
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "<!doctype html><title>hello</title><p>hello, world</p>\n"
