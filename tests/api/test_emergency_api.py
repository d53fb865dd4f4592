"""The emergency API: hazards around a key site or drawn, the affected report, plans."""

from __future__ import annotations

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, mapping

from geo.models import KeySite, Network, ParkingZone
from tests.geo.road_fixtures import lonlat, square
from tests.geo.test_evacuation_plan import ZONE, _point, world
from tests.logins import quick_login


def _extras(db) -> None:  # type: ignore[no-untyped-def]
    db.add(
        KeySite(
            code="KS1",
            name="液化气站",
            category="hazardous_chemicals",
            hazard_class="medium",
            geom=_point(300, 300),
        )
    )
    from shapely.geometry import LineString

    db.add(
        Network(
            code="GAS1",
            kind="gas",
            name="中压燃气管",
            geom=from_shape(LineString([lonlat(0, 310), lonlat(600, 310)]), 4326),
        )
    )
    db.add(
        ParkingZone(
            code="P1",
            name="北停车场",
            kind="public",
            capacity=80,
            geom=from_shape(MultiPolygon([square(200, 200, 240, 240)]), 4326),
        )
    )
    db.flush()


def test_a_hazard_around_a_key_site_and_what_it_affects(client, db):
    world(db)
    _extras(db)
    made = client.post("/api/hazards", json={"scenario": "gas_leak", "key_site": "KS1"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == "液化气站 · 燃气泄漏" and body["zone"]["type"] == "MultiPolygon"
    report = client.get(f"/api/hazards/{body['id']}/affected").json()
    # medium class: the gas-leak radii as they are (50 m core, 300 m zone) around (300, 300);
    # 丁厂 at 354 m is outside, 丙厂 inside but closed
    assert {e["name"] for e in report["enterprises"]} == {"甲厂", "乙厂"}  # 丙厂 is closed
    assert report["totals"]["people"] == 400 and report["totals"]["people_night"] == 130
    assert report["key_sites"][0]["code"] == "KS1"
    assert report["networks"][0]["code"] == "GAS1"
    assert 580 < report["networks"][0]["length_in_zone_m"] < 610  # the circle's chord
    assert report["parking_zones"][0]["code"] == "P1"
    assert {s["code"] for s in report["shelters_unusable"]} == {"S3"}


def test_a_drawn_hazard_gets_planned_and_saved(client, db):
    world(db)
    drawn = client.post(
        "/api/hazards",
        json={
            "name": "化工火灾",
            "scenario": "chemical_fire",
            "time_of_day": "night",
            "zone": mapping(ZONE),
        },
    )
    assert drawn.status_code == 201, drawn.text
    hazard_id = drawn.json()["id"]
    planned = client.post(f"/api/hazards/{hazard_id}/plans", json={"mode": "walk"})
    assert planned.status_code == 201, planned.text
    plan = planned.json()
    assert plan["evacuees"] == 130 and plan["unplaced"] == 0 and plan["ete100_min"] > 0
    assert plan["parameters"]["time_of_day"] == "night"
    again = client.get(f"/api/plans/{plan['id']}").json()
    assert again["result"] == plan["result"]
    driving = client.post(f"/api/hazards/{hazard_id}/plans", json={"mode": "drive"}).json()
    compared = client.get(f"/api/hazards/{hazard_id}/plans").json()
    assert {p["id"] for p in compared} == {plan["id"], driving["id"]}
    assert {p["mode"] for p in compared} == {"walk", "drive"}
    assert compared[0]["ete100_min"] <= compared[1]["ete100_min"]  # quickest first
    assert client.get("/api/hazards").json()[0]["id"] == hazard_id


def test_bad_hazards_are_refused_and_others_may_not_look(client, db):
    world(db)
    neither = client.post("/api/hazards", json={"scenario": "gas_leak"})
    assert neither.status_code == 422 and "key_site" in neither.json()["message"]
    unknown = client.post("/api/hazards", json={"scenario": "meteor", "key_site": "KS9"})
    assert unknown.status_code == 422
    missing = client.post("/api/hazards", json={"scenario": "gas_leak", "key_site": "KS9"})
    assert missing.status_code == 404 and "KS9" in missing.json()["message"]
    viewer = quick_login(db, "viewer")
    assert client.get("/api/hazards", headers=viewer.headers).status_code == 403
    assert client.get("/api/plans/1", headers=viewer.headers).status_code == 403


def test_the_hazard_class_scales_the_radii(db):
    from sqlalchemy import func, select

    from geo.evacuation.hazards import hazard_at_site
    from geo.models import Hazard

    world(db)
    _extras(db)
    db.add(
        KeySite(
            code="KS2",
            name="危化品仓库",
            category="hazardous_chemicals",
            hazard_class="major",
            geom=_point(100, 100),
        )
    )
    db.flush()
    areas = []
    for code in ("KS1", "KS2"):
        hazard = hazard_at_site(db, code, scenario="chemical_fire")
        area = func.ST_Area(func.geography(Hazard.zone))
        areas.append(db.scalar(select(area).where(Hazard.id == hazard.id)))
    assert 3.9 < areas[1] / areas[0] < 4.1  # major: twice the radius of medium
