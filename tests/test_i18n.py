"""The Spanish catalog is complete, compiled and consistent, and pages come out in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.sqlite_only  # translations: the same on any database (make test-postgres skips it)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "stac_youth" / "translations"
ES_PO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
ES_MO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo"
SKIPPED_DIRS = {"node_modules", "__pycache__"}
#: A Python %-placeholder: %(name)s, %(n)d, ...
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
#: Source files that call a gettext function, so extraction must read them.
GETTEXT_CALL = re.compile(r"(?<![\w.])(?:_|_l|gettext|ngettext|lazy_gettext)\(")

UPDATE_HINT = (
    "Run: pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.* __pycache__ node_modules' "
    "-o stac_youth/translations/messages.pot . && pybabel update -i stac_youth/translations/messages.pot "
    "-d stac_youth/translations, translate es/LC_MESSAGES/messages.po, then pybabel compile -d "
    "stac_youth/translations"
)


def _keep_dir(path: str) -> bool:
    """Skip .venv, .git, node_modules and caches, but keep templates/_macros (Babel's default drops "_" folders)."""
    name = Path(path).name
    return not name.startswith(".") and name not in SKIPPED_DIRS


def _extract():
    """(filename, lineno, message, comments, context) for every message in the source, read as babel.cfg says."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, filename="babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(["_l", "lazy_gettext"])}
    return list(extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords, directory_filter=_keep_dir))


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    """msgid -> {"plural": bool, "where": ["file:line", ...]} extracted from the source right now."""
    messages: dict[str, dict] = {}
    for filename, lineno, message, _comments, context in _extract():
        assert context is None, f"{filename}:{lineno} uses a message context; extend this test for it"
        msgid = message if isinstance(message, str) else message[0]
        if not msgid:
            continue
        entry = messages.setdefault(msgid, {"plural": False, "where": []})
        entry["plural"] |= not isinstance(message, str)
        entry["where"].append(f"{filename}:{lineno}")
    return messages


@pytest.fixture
def fresh_locale_per_request(app):
    """Choose the language anew on every request, as production does.

    The `app` fixture keeps one app context open for the whole test and Flask reuses it for each test request,
    so Flask-Babel's cache in `g` would otherwise keep the locale of the test's first request.
    """
    app.before_request_funcs.setdefault(None, []).insert(0, refresh)


@pytest.fixture(scope="module")
def spanish_po():
    with open(ES_PO, "rb") as po:
        return read_po(po, locale="es")


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)


def _key(message):
    return tuple(message.id) if isinstance(message.id, tuple | list) else message.id


def test_extraction_reads_every_file_that_translates():
    """babel.cfg covers every Python module and template (.html and .txt, _macros included) that calls _()."""
    read = {filename for filename, *_rest in _extract()}
    sources = [*ROOT.glob("stac_youth/**/*.py"), *ROOT.glob("templates/**/*.html"), *ROOT.glob("templates/**/*.txt")]
    calling = {
        path.relative_to(ROOT).as_posix()
        for path in sources
        if "__pycache__" not in path.parts and GETTEXT_CALL.search(path.read_text(encoding="utf-8"))
    }
    assert {"templates/_macros/forms.html", "templates/email/invitation.txt"} <= calling
    assert calling <= read, f"babel.cfg does not extract from: {sorted(calling - read)}"


def test_every_source_message_has_a_spanish_translation(extracted, spanish_po):
    assert len(extracted) > 100, "extraction found suspiciously few messages; check babel.cfg"
    problems = []
    for msgid, info in sorted(extracted.items()):
        message = spanish_po.get(msgid)
        where = ", ".join(info["where"][:3])
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        elif info["plural"] and not message.pluralizable:
            problems.append(f"needs plural forms: {msgid!r} ({where})")
        elif not all(_forms(message)):
            problems.append(f"untranslated: {msgid!r} ({where})")
    assert not problems, f"{len(problems)} message(s) without Spanish:\n" + "\n".join(problems) + "\n" + UPDATE_HINT


def test_spanish_catalog_has_no_fuzzy_entries(spanish_po):
    fuzzy = [message.id for message in spanish_po if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy entries in {ES_PO.relative_to(ROOT)}: {fuzzy}"


def test_compiled_spanish_catalog_matches_the_po(spanish_po):
    """A .po edited without `pybabel compile` leaves a stale .mo; the app reads only the .mo."""
    with open(ES_MO, "rb") as mo:
        compiled = read_mo(mo)
    in_po = {_key(message): _forms(message) for message in spanish_po
             if message.id and not message.fuzzy and all(_forms(message))}
    in_mo = {_key(message): _forms(message) for message in compiled if message.id}
    stale = sorted(str(key) for key in in_po.keys() ^ in_mo.keys())
    stale += sorted(str(key) for key in in_po.keys() & in_mo.keys() if in_po[key] != in_mo[key])
    assert not stale, f"messages.mo is out of date ({len(stale)}): {stale[:10]}. Run: pybabel compile -d " \
                      "stac_youth/translations"


def test_spanish_keeps_every_placeholder(spanish_po):
    problems = []
    for message in spanish_po:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple | list) else (message.id,)
        spanish = _forms(message)
        wanted = set().union(*(_placeholders(text) for text in english))
        for form in spanish:
            if not form:
                continue
            if _placeholders(form) != wanted:
                problems.append(f"{english[0]!r}: {form!r} has {sorted(_placeholders(form))}, wants {sorted(wanted)}")
                continue
            sample = {name: 1 for name in wanted}
            try:
                form % sample
            except (KeyError, ValueError, TypeError) as error:
                problems.append(f"{english[0]!r}: {form!r} does not format: {error}")
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("fresh_locale_per_request")
def test_spanish_member_gets_spanish_pages(client, make_user):
    user = make_user("member", preferred_language="es")
    assert login(client, user).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="es"' in page
    assert "Cerrar sesión" in page
    assert "Sign out" not in page


@pytest.mark.usefixtures("fresh_locale_per_request")
def test_english_member_gets_english_pages(client, make_user):
    user = make_user("member", preferred_language="en")
    assert login(client, user).status_code == 302
    page = client.get("/", headers={"Accept-Language": "es-MX"}).get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Sign out" in page


@pytest.mark.usefixtures("fresh_locale_per_request")
def test_anonymous_spanish_browser_gets_spanish_login(client):
    page = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="es"' in page
    assert "Iniciar sesión" in page
    assert "Correo electrónico" in page
    assert "Sign in" not in page


@pytest.mark.usefixtures("fresh_locale_per_request")
def test_language_switch_is_remembered_on_the_user(client, make_user):
    user = make_user("member", preferred_language="en")
    assert login(client, user).status_code == 302
    assert "Sign out" in client.get("/").get_data(as_text=True)

    response = client.post("/language", data={"lang": "es", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="es"' in page and "Cerrar sesión" in page

    from stac_youth.extensions import db
    from stac_youth.members.models import User

    db.session.expire_all()
    assert db.session.get(User, user.id).preferred_language == "es"

    # Signing out forgets the session's choice; signing in again (from an English browser) uses the saved one.
    assert client.post("/logout").status_code == 302
    english = {"Accept-Language": "en-US"}
    assert '<html lang="en"' in client.get("/login", headers=english).get_data(as_text=True)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=english).status_code == 302
    page = client.get("/", headers=english).get_data(as_text=True)
    assert '<html lang="es"' in page and "Cerrar sesión" in page


@pytest.mark.usefixtures("fresh_locale_per_request")
def test_language_switch_ignores_unknown_languages(client, make_user):
    user = make_user("member", preferred_language="en")
    assert login(client, user).status_code == 302
    assert client.post("/language", data={"lang": "fr"}).status_code == 302
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


@pytest.mark.usefixtures("fresh_locale_per_request")
def test_error_pages_are_spanish_for_a_spanish_user(client, make_user):
    user = make_user("member", preferred_language="es")
    assert login(client, user).status_code == 302

    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403
    text = forbidden.get_data(as_text=True)
    assert '<html lang="es"' in text and "No tienes acceso a esta página" in text

    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert '<html lang="es"' in text and "No encontramos esa página" in text
