"""The coverage map and the visits page as HTML: titles, navigation by role, local assets,
escaped community names; both render without the coverage API (their JS asks it later)."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box

from geo import places
from geo.models import Community, Park
from tests.geo.catalog_fixtures import C2, G3, build_world
from tests.logins import add_login, quick_login
from web.pages.coverage import recent_months

CDN = re.compile(r"https?://(?!127\.0\.0\.1|localhost)[^\s\"']+\.(js|css)")
ATTACK = "<img src=x onerror=alert(1)>"


def _community(db, name: str) -> None:
    park = Park(code="320571", name="示范园区", geom=from_shape(MultiPolygon([box(0, 0, 1, 1)])))
    db.add(park)
    db.flush()
    db.add(Community(park_id=park.id, code="320571001001", name=name,
                     geom=from_shape(MultiPolygon([box(0, 0, 1, 1)]))))  # fmt: skip
    db.flush()


def test_coverage_page_is_chinese_first_and_loads_its_scripts(client):
    html = client.get("/coverage").text
    assert "<title>走访覆盖 · " in html
    assert CDN.search(html) is None
    for src in ("coverage.js", "coverage_panel.js", "fieldwork.css", "gridmap.js"):
        assert f"/static/app/{src}" in html
        assert client.get(f"/static/app/{src}").status_code == 200
    assert "gridmapCoverage.init(" in html and "已结账" in html


def test_coverage_page_in_english(client):
    html = client.get("/coverage?lang=en").text
    assert "<title>Visit coverage · " in html and '"closed"' in html


def test_coverage_page_escapes_community_names_in_its_config(client, db):
    _community(db, ATTACK + "</script>")
    html = client.get("/coverage").text
    # inside the page's <script>, the name is JSON and cannot close the script element
    assert ATTACK + "</script>" not in html and ATTACK + "<\\/script>" in html
    assert '"community": "320571001001"' in html


def test_coverage_page_opens_the_community_asked_for(client, db):
    _community(db, "星海社区")
    assert '"community": "320571009"' in client.get("/coverage?community=320571009").text


def test_coverage_page_opens_on_a_grid_leaders_own_community(app, db):
    build_world(db)
    leader = add_login(db, "grid_leader", grids=[G3])
    with TestClient(app) as c:
        html = c.get("/coverage", headers=leader.headers).text
    assert f'"community": "{C2}"' in html
    assert places.community_of_grids(db, grid_ids=[]) is None


def test_visits_page_has_the_phone_form(client):
    html = client.get("/visits").text
    assert "<title>走访记录 · " in html
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "记录走访" in html and "/static/app/visits.js" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_visits_page_in_english(client):
    assert "Record visit" in client.get("/visits?lang=en").text


def test_navigation_shows_visits_to_grid_staff_only(app, db):
    member, viewer = quick_login(db, "grid_member"), quick_login(db, "viewer")
    with TestClient(app) as c:
        member_nav = c.get("/coverage", headers=member.headers).text
        viewer_nav = c.get("/coverage", headers=viewer.headers).text
        assert c.get("/visits", headers=viewer.headers).status_code == 403
    assert 'href="/visits"' in member_nav and 'href="/coverage"' in member_nav
    assert 'href="/visits"' not in viewer_nav and 'href="/coverage"' in viewer_nav


def test_recent_months_cross_the_year():
    assert recent_months(date(2026, 1, 31), 3) == ["2026-01", "2025-12", "2025-11"]
    assert len(recent_months(date(2026, 11, 28))) == 12
