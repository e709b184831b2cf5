"""The anchor of the ballot and page goals: a textbook Flask app on the app's own stack.

What a Flask tutorial would write, with the same libraries, settings and server as the app: Flask-SQLAlchemy
models, Flask-Login loading the signed-in user's row through the ORM on every request, Flask-WTF's CSRF check on
every form, the same session cookie settings and SQLite pragmas (stac_youth.common.database.configure_sqlite), and
`gunicorn -k gthread -w 1 --threads 100 benchmarks.textbook:app` on a database of the same kind (TEXTBOOK_DATABASE_URL,
SECRET_KEY from the environment). Two routes are measured:

* `POST /vote` (the textbook ballot): a FlaskForm with poll_id and choice, validated with its CSRF token, one ORM
  insert of a (poll, user) row under a unique constraint, commit, 303 redirect to /voted (409 on a second vote);
* `GET /` (the textbook signed-in page): one query (the 20 latest notes) rendered into a template that extends a
  minimal base template.

`prepare(url, users, secret_key)` creates the tables, the users and the notes, and returns each user's signed
session cookie and CSRF token, made with Flask-Login's login_user and Flask-WTF's generate_csrf in a test request
context and signed with the app's session serializer: what a browser holds after signing in and opening a form.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, abort, redirect, render_template, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, generate_csrf
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired

from stac_youth.common.database import configure_sqlite

USER_AGENT = "stac-youth-benchmark/1"
NOTES = 200
db = SQLAlchemy()
login_manager = LoginManager()
csrf = CSRFProtect()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class TextbookUser(UserMixin, db.Model):
    __tablename__ = "textbook_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_active(self) -> bool:
        return self.active


class TextbookVote(db.Model):
    __tablename__ = "textbook_votes"
    __table_args__ = (UniqueConstraint("poll_id", "user_id", name="uq_textbook_votes_poll_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("textbook_users.id"))
    choice: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=_now)


class TextbookNote(db.Model):
    __tablename__ = "textbook_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=_now, index=True)


class VoteForm(FlaskForm):
    poll_id = IntegerField(validators=[InputRequired()])
    choice = StringField(validators=[AnyOf(["yes", "no", "abstain"])])


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(TextbookUser, int(user_id))


def create_app(database_url: str | None = None, secret_key: str | None = None) -> Flask:
    """The textbook app on database_url (else TEXTBOOK_DATABASE_URL) with the app's production cookie settings."""
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "textbook_templates"))
    app.config.update(
        SECRET_KEY=secret_key or os.environ.get("SECRET_KEY", "textbook-not-a-secret"),
        SQLALCHEMY_DATABASE_URI=database_url or os.environ.get("TEXTBOOK_DATABASE_URL", "sqlite://"),
        SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_REFRESH_EACH_REQUEST=False, WTF_CSRF_TIME_LIMIT=3600,
    )
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)

    @app.get("/healthz")
    def healthz():
        return "ok\n"

    @app.get("/")
    @login_required
    def page():
        notes = db.session.scalars(select(TextbookNote).order_by(TextbookNote.created_at.desc()).limit(20)).all()
        return render_template("page.html", notes=notes)

    @app.post("/vote")
    @login_required
    def vote():
        form = VoteForm()
        if not form.validate_on_submit():
            abort(400)
        db.session.add(TextbookVote(poll_id=form.poll_id.data, user_id=current_user.id, choice=form.choice.data))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return "already voted\n", 409
        return redirect(url_for("voted"), 303)

    @app.get("/voted")
    @login_required
    def voted():
        return render_template("voted.html")

    return app


def prepare(database_url: str, users: int, secret_key: str) -> list[tuple[int, str, str]]:
    """Tables, `users` users and the notes; (user id, session cookie, CSRF token) per user."""
    app = create_app(database_url, secret_key)
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        db.create_all()
        db.session.execute(TextbookUser.__table__.insert(), [
            {"email": f"textbook-{i:05d}@example.org", "display_name": f"Textbook User {i:05d}", "active": True}
            for i in range(users)])
        db.session.execute(TextbookNote.__table__.insert(), [
            {"title": f"Note {i}", "body": f"Minutes of working group {i % 12}: *agenda* item {i % 9} agreed.",
             "created_at": _now()} for i in range(NOTES)])
        db.session.commit()
        ids = db.session.scalars(select(TextbookUser.id).order_by(TextbookUser.id)).all()
        credentials = []
        for user_id in ids:
            # A fresh application context each: Flask-WTF keeps the drawn token in `g`, which would otherwise be
            # shared by every user signed in here.
            with app.app_context(), app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                                             headers={"User-Agent": USER_AGENT}):
                login_user(db.session.get(TextbookUser, user_id))
                token = generate_csrf()
                credentials.append((user_id, serializer.dumps(dict(session)), token))
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
    return credentials


def stored_votes(database_url: str) -> list[tuple[int, int]]:
    """Every stored (poll_id, user_id) pair."""
    app = create_app(database_url)
    with app.app_context():
        rows = [tuple(row) for row in db.session.execute(select(TextbookVote.poll_id, TextbookVote.user_id))]
        db.session.remove()
        db.engine.dispose()
    return rows


app = create_app() if os.environ.get("TEXTBOOK_DATABASE_URL") else None
