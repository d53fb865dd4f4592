"""The emergency API's plan map (/api/plans/{id}/map) and the pages built on it: routes with
their load, shelters with their fill, the schedule per enterprise, the printable plan."""

from __future__ import annotations

from shapely.geometry import mapping

from tests.api.test_emergency_api import _extras
from tests.geo.test_evacuation_plan import ZONE, world
from tests.logins import quick_login


def _planned(client, db, mode: str = "walk") -> dict:  # type: ignore[no-untyped-def]
    world(db)
    hazard = client.post(
        "/api/hazards",
        json={"name": "化工火灾", "scenario": "chemical_fire", "zone": mapping(ZONE)},
    ).json()
    plan = client.post(f"/api/hazards/{hazard['id']}/plans", json={"mode": mode})
    assert plan.status_code == 201, plan.text
    return plan.json()


def test_the_plan_map_draws_every_used_road_piece_with_its_load(client, db):
    plan = _planned(client, db)
    answer = client.get(f"/api/plans/{plan['id']}/map")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    groups = plan["result"]["groups"]
    used = {e for g in groups for e in g["edges"]}
    routes = body["routes"]["features"]
    assert {f["properties"]["edge"] for f in routes} == used
    for f in routes:
        p = f["properties"]
        assert f["geometry"]["type"] == "LineString" and p["length_m"] > 0
        assert 0 < p["peak"] <= p["capacity"] and p["ratio"] == p["peak"] / p["capacity"]
    loads = {f["properties"]["id"]: f["properties"] for f in body["shelters"]["features"]}
    for s in plan["result"]["shelters"]:
        assert loads[s["shelter_id"]]["load"] == s["load"] <= s["capacity"]
    routed = plan["evacuees"] - plan["unplaced"]
    assert sum(r["people"] for r in body["schedule"]) == routed
    assert all(r["name"] and r["route_m"] > 0 and r["groups"] for r in body["schedule"])
    assert body["hazard"]["zone"]["type"] == "MultiPolygon"
    assert body["plan"]["ete100_min"] == plan["ete100_min"]


def test_the_plan_map_of_a_missing_plan_is_a_404_naming_it(client, db):
    answer = client.get("/api/plans/987654/map")
    assert answer.status_code == 404 and "987654" in answer.json()["message"]


def test_the_emergency_page_lists_the_key_sites_and_speaks_english_on_request(client, db):
    world(db)
    _extras(db)
    page = client.get("/emergency", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "应急疏散" in page.text and "KS1" in page.text
    assert "/static/app/emergency.js" in page.text
    assert "cdn" not in page.text.lower()
    english = client.get("/emergency?lang=en", headers={"Accept": "text/html"})
    assert "Emergency evacuation" in english.text and "Run plan" in english.text


def test_the_printed_plan_is_an_a4_page_in_chinese_with_the_schedule(client, db):
    plan = _planned(client, db)
    page = client.get(f"/emergency/plans/{plan['id']}/print", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    html = page.text
    assert "应急疏散预案" in html and "各企业疏散安排" in html and "年" in html
    assert "/static/app/plan_print.css" in html
    for group in plan["result"]["groups"][:3]:
        assert f"×{group['people']}" in html
    english = client.get(f"/emergency/plans/{plan['id']}/print?lang=en").text
    assert "Evacuation plan" in english and "Schedule per enterprise" in english
    missing = client.get("/emergency/plans/987654/print", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "987654" in missing.text


def test_names_from_the_data_are_escaped_on_the_printed_plan(client, db):
    world(db)
    attack = '<script>alert("x")</script>'
    hazard = client.post(
        "/api/hazards", json={"name": attack, "scenario": "flood", "zone": mapping(ZONE)}
    ).json()
    plan = client.post(f"/api/hazards/{hazard['id']}/plans", json={"name": attack}).json()
    html = client.get(f"/emergency/plans/{plan['id']}/print").text
    assert attack not in html and "&lt;script&gt;" in html


def test_other_roles_get_no_emergency_page(client, db):
    viewer = quick_login(db, "viewer")
    page = client.get("/emergency", headers={**viewer.headers, "Accept": "text/html"})
    assert page.status_code == 403
