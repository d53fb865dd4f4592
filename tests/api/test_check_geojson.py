"""The hierarchy check as GeoJSON (`/api/check.geojson`, `/api/orphans.geojson`) and the
check page `/check` that draws it."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import box, shape

from tests.geo.catalog_fixtures import C1, C2, G1, G3, M2, build_world
from tests.web.broken_world import ATTACK_NAME, OVERLAP_CODE, OVERLAP_NAME, break_world
from tests.web.page_config import config_of


def _features(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == len(body["features"])
    return body["features"]


def _by_kind(features: list[dict]) -> dict[str, dict]:
    return {f["properties"]["kind"]: f for f in features}


def test_a_valid_hierarchy_has_no_violation_features(client, db):
    build_world(db)
    assert _features(client.get("/api/check.geojson")) == []


def test_violations_come_with_codes_names_area_and_their_place(client, db):
    build_world(db)
    break_world(db)
    found = _by_kind(_features(client.get("/api/check.geojson")))
    assert set(found) == {"grid_overlap", "grid_gap", "microgrid_outside_grid"}
    overlap = found["grid_overlap"]["properties"]
    assert (overlap["code"], overlap["name"]) == (G3, "湖东网格")
    assert (overlap["other_code"], overlap["other_name"]) == (OVERLAP_CODE, OVERLAP_NAME)
    assert (overlap["layer"], overlap["other_layer"]) == ("grid", "grid")
    assert (overlap["label_zh"], overlap["label_en"]) == ("网格重叠", "grids overlap")
    expected, _ = Geod(ellps="WGS84").geometry_area_perimeter(box(120.78, 31.28, 120.8, 31.3))
    assert overlap["area_m2"] == pytest.approx(abs(expected), rel=1e-3)
    gap = found["grid_gap"]
    assert (gap["properties"]["code"], gap["properties"]["name"]) == (C1, "星海社区")
    assert gap["properties"]["other_code"] is None and gap["properties"]["other_name"] is None
    assert shape(gap["geometry"]).symmetric_difference(box(120.65, 31.28, 120.7, 31.3)).area < 1e-12
    sticking = found["microgrid_outside_grid"]["properties"]
    assert (sticking["code"], sticking["name"]) == (M2, "星海产业园")
    assert (sticking["other_code"], sticking["other_name"]) == (G1, "星海一网格")
    assert (sticking["layer"], sticking["other_layer"]) == ("microgrid", "grid")


def test_check_geojson_keeps_to_a_community_and_404s_an_unknown_one(client, db):
    build_world(db)
    break_world(db)
    assert set(_by_kind(_features(client.get(f"/api/check.geojson?community={C2}")))) == {
        "grid_overlap"
    }
    response = client.get("/api/check.geojson", params={"community": "320571009009"})
    assert response.status_code == 404


def test_the_json_check_keeps_its_shape(client, db):
    build_world(db)
    break_world(db)
    body = client.get("/api/check").json()
    assert set(body) == {"items", "total", "limit", "offset", "next"} and body["total"] == 3
    assert set(body["items"][0]) == {
        "kind", "label_zh", "label_en", "code", "other_code", "area_m2", "geometry"
    }  # fmt: skip


def test_orphans_geojson_gives_points_with_name_and_uscc(client, db):
    world = build_world(db)
    attack = break_world(db)
    body = client.get("/api/orphans.geojson").json()
    features = _features(client.get("/api/orphans.geojson"))
    assert body["numberMatched"] == 2
    by_uscc = {f["properties"]["uscc"]: f for f in features}
    assert set(by_uscc) == {world.uscc["e5"], attack}
    assert by_uscc[attack]["properties"]["name"] == ATTACK_NAME
    assert by_uscc[world.uscc["e5"]]["geometry"] == {"type": "Point", "coordinates": [120.9, 31.35]}
    first = client.get("/api/orphans.geojson", params={"limit": 1}).json()
    assert (first["numberMatched"], first["numberReturned"]) == (2, 1)
    inside = client.get("/api/orphans.geojson", params={"bbox": "120.88,31.3,121,31.4"}).json()
    assert [f["properties"]["uscc"] for f in inside["features"]] == [world.uscc["e5"]]
    assert client.get("/api/orphans.geojson", params={"limit": 0}).status_code == 422


def test_check_page_draws_each_kind_and_the_orphans_from_the_api(client, db):
    html = client.get("/check").text
    assert 'href="/check" class="active" aria-current="page">网格检查</a>' in html
    assert "/static/app/overlays.js" in html
    config = config_of(html)
    layers = {o["id"]: o for o in config["overlays"]}
    assert list(layers) == [
        "grid_overlap", "grid_gap", "grid_outside_community", "microgrid_outside_grid",
        "microgrid_overlap", "community_outside_park", "orphan",
    ]  # fmt: skip
    assert layers["grid_overlap"]["url"] == "/api/check.geojson"
    assert layers["grid_overlap"]["match"] == {"kind": "grid_overlap"}
    assert layers["grid_gap"]["label"] == "社区内有未被网格覆盖的空隙"
    assert layers["orphan"]["url"] == "/api/orphans.geojson" and layers["orphan"]["point"]
    assert [layer["id"] for layer in config["layers"]] == ["park", "community", "grid", "microgrid"]
    assert config["panel"]["clear"].startswith("无违规")
    assert "orphan" not in config["panel"]["clearOf"]


def test_check_page_in_english(client, db):
    config = config_of(client.get("/check?lang=en").text)
    labels = [o["label"] for o in config["overlays"]]
    assert "Grids overlap" in labels and "Orphan enterprises (in no grid)" in labels
    assert config["panel"]["clear"].startswith("No violations")
