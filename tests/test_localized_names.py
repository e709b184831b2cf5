"""Admin-managed names in both languages: the helper, the admin screens and their audit, and where names show."""

from __future__ import annotations

import html
import json
from types import SimpleNamespace

from flask_babel import force_locale
from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.i18n import inner_quotes, localized_name, unquoted
from stac_youth.extensions import db
from stac_youth.members.models import Region
from stac_youth.proposals.models import Theme
from tests.meetings.helpers import client_for
from tests.proposals.helpers import make_proposal


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def _audits(action: str) -> list[dict]:
    return [event.details for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_localized_name_picks_the_spanish_form_only_for_spanish_readers_and_only_when_set(app):
    both = SimpleNamespace(name="Bay Area", name_es="Área de la Bahía")
    one = SimpleNamespace(name="Sacramento", name_es=None)
    empty = SimpleNamespace(name="Inland", name_es="")
    with force_locale("es"):
        assert [localized_name(x) for x in (both, one, empty, None)] == ["Área de la Bahía", "Sacramento", "Inland", ""]
    with force_locale("en"):
        assert [localized_name(x) for x in (both, one)] == ["Bay Area", "Sacramento"]


def test_quotes_are_never_doubled():
    assert unquoted("“Free transit”") == unquoted('"Free transit"') == unquoted(" «Free transit» ") == "Free transit"
    assert unquoted("The “big” idea") == "The “big” idea"
    assert inner_quotes("The “big” idea") == "The ‘big’ idea"


def test_admin_sets_and_clears_the_spanish_name_of_a_theme_and_it_is_audited(app, make_user):
    admin = client_for(app, make_user("admin"))
    form = _page(admin, "/admin/themes")
    assert 'name="new-name_es"' in form and "Spanish name (optional)" in form
    assert admin.post("/admin/themes", data={"new-name": "Climate action", "new-name_es": " Acción climática "}
                      ).status_code == 302
    theme = db.session.scalars(select(Theme).where(Theme.name == "Climate action")).one()
    assert theme.name_es == "Acción climática"
    assert 'value="Acción climática"' in _page(admin, "/admin/themes")
    assert admin.post(f"/admin/themes/{theme.id}", data={"name": "Climate", "name_es": "Clima", "active": "1"}
                      ).status_code == 302
    db.session.expire_all()
    assert (theme.name, theme.name_es) == ("Climate", "Clima")
    assert admin.post(f"/admin/themes/{theme.id}", data={"name": "Climate", "name_es": "", "active": "1"}
                      ).status_code == 302
    db.session.expire_all()
    assert theme.name_es is None  # empty: the one name serves both languages
    created, *updates = _audits("theme.created") + _audits("theme.updated")
    assert created["name_es"] == "Acción climática"
    assert [update["new"] for update in updates] == [["Climate", "Clima", True], ["Climate", None, True]]
    assert updates[0]["old"] == ["Climate action", "Acción climática", True]


def test_admin_sets_the_spanish_name_of_a_region_and_it_is_audited(app, make_user):
    admin = client_for(app, make_user("admin"))
    assert "Spanish name (optional)" in _page(admin, "/admin/regions")
    assert admin.post("/admin/regions", data={"new-name": "High Desert", "new-name_es": "Alto Desierto"}
                      ).status_code == 302
    region = db.session.scalars(select(Region).where(Region.name == "High Desert")).one()
    assert region.name_es == "Alto Desierto"
    assert admin.post(f"/admin/regions/{region.id}/rename", data={"name": "High Desert", "name_es": "Desierto Alto"}
                      ).status_code == 302
    db.session.expire_all()
    assert region.name_es == "Desierto Alto"
    assert _audits("region.created")[-1]["name_es"] == "Alto Desierto"
    assert _audits("region.renamed")[-1] == {"region_id": region.id, "old": ["High Desert", "Alto Desierto"],
                                             "new": ["High Desert", "Desierto Alto"]}
    member = client_for(app, make_user("member"))
    assert member.post(f"/admin/regions/{region.id}/rename", data={"name": "X", "name_es": "Y"}).status_code == 403


def test_theme_and_region_names_show_in_the_readers_language(app, make_user):
    theme = Theme(name="Climate action", name_es="Acción climática", position=99)
    db.session.add(theme)
    db.session.commit()
    bay = db.session.scalars(select(Region).where(Region.name == "Bay Area")).one()
    make_proposal(make_user("member"), "submitted", theme_id=theme.id, region_id=bay.id, title="Solar roofs")
    spanish = client_for(app, make_user("member", preferred_language="es", region_id=bay.id))
    english = client_for(app, make_user("member", preferred_language="en"))
    for url in ("/proposals", "/proposals?theme=" + str(theme.id)):
        shown_es, shown_en = _page(spanish, url), _page(english, url)
        assert "Acción climática" in shown_es and "Climate action" not in shown_es
        assert "Climate action" in shown_en and "Acción climática" not in shown_en
    assert "Área de la Bahía" in _page(spanish, "/proposals") and "Bay Area" in _page(english, "/proposals")
    export = json.loads(spanish.get("/account/export.json").get_data(as_text=True))
    assert "Área de la Bahía" in json.dumps(export, ensure_ascii=False)
