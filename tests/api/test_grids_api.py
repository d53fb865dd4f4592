"""Grids, micro-grids, hierarchy checks and staffing through the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely.geometry import MultiPolygon, box
from sqlalchemy import event, text

from api.app import create_app
from api.deps import get_session
from geo import catalog
from geo.models import Grid
from tests.geo.catalog_fixtures import C1, C2, G1, G2, G3, M1, M2, RETIRED, build_world


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


def test_grids_lists_live_grids_without_geometry_by_default(client, db):
    build_world(db)
    body = client.get("/api/grids").json()
    assert [g["code"] for g in body["items"]] == [G1, G2, G3]
    assert (body["total"], body["limit"], body["offset"], body["next"]) == (3, 100, 0, None)
    assert all(g["geometry"] is None for g in body["items"])
    with_shapes = client.get("/api/grids", params={"geometry": "true"}).json()
    assert with_shapes["items"][0]["geometry"]["type"] == "MultiPolygon"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"community": C1}, [G1, G2]),
        ({"kind": "dedicated"}, [G2]),
        ({"q": "金鸡湖"}, [G2]),
        ({"q": C2}, [G3]),
        ({"bbox": "120.71,31.21,120.72,31.22"}, [G3]),
        ({"bbox": "120.64,31.21,120.66,31.22", "kind": "base"}, [G1]),
        ({"bbox": "121.5,31.0,121.6,31.1"}, []),
    ],
)
def test_grids_are_filtered(client, db, params, expected):
    build_world(db)
    assert _codes(client.get("/api/grids", params=params)) == expected


@pytest.mark.parametrize(
    ("bbox", "problem"),
    [
        ("120.6,31.2,120.7", "four numbers"),
        ("a,b,c,d", "four numbers"),
        ("120.6,31.2,120.7,nan", "four numbers"),
        ("120.8,31.2,120.7,31.3", "min > max"),
        ("120.6,31.2,190,31.3", "out of lon/lat range"),
    ],
)
def test_a_malformed_bbox_is_422_naming_the_problem(client, db, bbox, problem):
    response = client.get("/api/grids", params={"bbox": bbox})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input" and body["message"].startswith("bbox")
    assert problem in body["message"]


def test_unknown_kind_and_bad_paging_are_422(client, db):
    assert client.get("/api/grids", params={"kind": "huge"}).status_code == 422
    for params in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        assert client.get("/api/grids", params=params).status_code == 422


def test_pages_link_to_the_next_until_the_last(client, db):
    build_world(db)
    first = client.get("/api/grids", params={"limit": 2, "community": C1, "kind": "base"})
    assert first.json()["next"] is None  # one grid only: a single page
    first = client.get("/api/grids", params={"limit": 2}).json()
    assert [g["code"] for g in first["items"]] == [G1, G2]
    query = parse_qs(urlsplit(first["next"]).query)
    assert query == {"limit": ["2"], "offset": ["2"]}
    second = client.get(first["next"]).json()
    assert [g["code"] for g in second["items"]] == [G3]
    assert (second["total"], second["offset"], second["next"]) == (3, 2, None)


def test_a_grid_is_read_with_area_counts_and_geometry(client, db):
    build_world(db)
    grid = client.get(f"/api/grids/{G1}").json()
    assert (grid["name"], grid["kind"], grid["community_code"]) == ("星海一网格", "base", C1)
    assert (grid["enterprise_count"], grid["microgrid_count"], grid["version"]) == (2, 2, 1)
    assert grid["geometry"]["type"] == "MultiPolygon" and grid["valid_to"] is None
    expected, _ = Geod(ellps="WGS84").geometry_area_perimeter(box(120.6, 31.2, 120.65, 31.3))
    assert grid["area_m2"] == pytest.approx(abs(expected), rel=1e-4)
    assert client.get(f"/api/grids/{G1}", params={"geometry": "false"}).json()["geometry"] is None


def test_a_retired_grid_is_read_with_its_end(client, db):
    build_world(db)
    grid = client.get(f"/api/grids/{RETIRED}").json()
    ended = datetime.fromisoformat(grid["valid_to"])
    assert ended == datetime(2020, 12, 31, tzinfo=UTC) and grid["enterprise_count"] == 0


def test_an_unknown_grid_is_404_in_chinese_then_english(client, db):
    response = client.get("/api/grids/320571001001099")
    assert response.status_code == 404
    assert response.json()["message"] == (
        "网格 320571001001099 不存在 / grid 320571001001099 does not exist"
    )


def test_microgrids_are_listed_filtered_and_read(client, db):
    build_world(db)
    assert _codes(client.get("/api/microgrids")) == [M1, M2]
    assert _codes(client.get("/api/microgrids", params={"kind": "park"})) == [M2]
    assert _codes(client.get("/api/microgrids", params={"grid": G2})) == []
    assert _codes(client.get("/api/microgrids", params={"q": "楼宇"})) == [M1]
    assert _codes(client.get("/api/microgrids", params={"bbox": "120.63,31.24,120.64,31.3"})) == [
        M2
    ]
    micro = client.get(f"/api/microgrids/{M1}").json()
    assert (micro["grid_code"], micro["community_code"], micro["enterprise_count"]) == (G1, C1, 1)
    assert micro["area_m2"] > 0 and micro["geometry"]["type"] == "MultiPolygon"
    missing = client.get("/api/microgrids/320571001001001099")
    assert missing.status_code == 404 and missing.json()["message"].startswith("微网格")


def test_the_bbox_filter_can_use_the_spatial_index(db):
    # the listing filters with the bare column against an envelope (sargable), and that
    # filter alone is answered from the GiST index. (The whole listing's plan is not asserted:
    # on a table of a few rows the planner may as well take the live-grids index and filter.)
    build_world(db)
    conn = db.connection()
    seen: list[str] = []

    def grab(_conn, _cursor, statement, _parameters, _context, _many):
        seen.append(statement)

    event.listen(conn, "before_cursor_execute", grab)
    catalog.list_grids(db, bbox=(120.71, 31.21, 120.72, 31.22))
    event.remove(conn, "before_cursor_execute", grab)
    assert "ST_Intersects(grid.geom, ST_MakeEnvelope(" in seen[-1]
    db.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        row[0]
        for row in conn.exec_driver_sql(
            "EXPLAIN SELECT count(*) FROM grid "
            "WHERE ST_Intersects(grid.geom, ST_MakeEnvelope(120.71, 31.21, 120.72, 31.22, 4326))"
        )
    )
    assert "idx_grid_geom" in plan, plan


def _overlap(db, world) -> None:
    """A second grid in community C2 laid over the corner of G3."""
    db.add(
        Grid(
            community_id=world.grids[G3].community_id, code="320571001002002", name="重叠网格",
            kind="base", geom=from_shape(MultiPolygon([box(120.78, 31.28, 120.8, 31.3)]), 4326),
        )
    )  # fmt: skip
    db.flush()


def test_check_reports_an_overlap_with_its_place_and_area(client, db):
    world = build_world(db)
    assert client.get("/api/check").json()["total"] == 0
    _overlap(db, world)
    body = client.get("/api/check").json()
    overlaps = [v for v in body["items"] if v["kind"] == "grid_overlap"]
    assert len(overlaps) == 1
    overlap = overlaps[0]
    assert (overlap["code"], overlap["other_code"]) == (G3, "320571001002002")
    assert (overlap["label_zh"], overlap["label_en"]) == ("网格重叠", "grids overlap")
    expected, _ = Geod(ellps="WGS84").geometry_area_perimeter(box(120.78, 31.28, 120.8, 31.3))
    assert overlap["area_m2"] == pytest.approx(abs(expected), rel=1e-3)
    assert overlap["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert client.get("/api/check", params={"community": C1}).json()["total"] == 0
    assert client.get("/api/check", params={"community": C2}).json()["total"] == 1
    assert client.get("/api/check", params={"community": "320571009009"}).status_code == 404


def _flags(item) -> list[str]:
    return [flag["kind"] for flag in item["flags"]]


def test_staffing_lists_grids_with_flags(client, db):
    build_world(db)
    body = client.get("/api/staffing").json()
    assert [g["grid_code"] for g in body["items"]] == [G1, G2, G3] and body["total"] == 3
    g2 = body["items"][1]
    assert _flags(g2) == ["no_leader", "understaffed_full_time"] and g2["flagged"]
    assert g2["flags"][0]["message"].startswith("未配备网格长")
    assert g2["staff_by_role"]["instructor"] == 1 and g2["staff_by_role"]["full_time"] == 0
    flagged = client.get("/api/staffing", params={"flagged_only": "true"}).json()
    assert [g["grid_code"] for g in flagged["items"]] == [G2] and flagged["total"] == 1
    by_community = client.get("/api/staffing", params={"community": C2, "limit": 1}).json()
    assert [g["grid_code"] for g in by_community["items"]] == [G3]
    assert client.get("/api/staffing", params={"community": "320571009009"}).status_code == 404


def test_one_grid_staffing_and_404(client, db):
    build_world(db)
    g3 = client.get(f"/api/grids/{G3}/staffing").json()
    assert (g3["enterprises"], g3["employees"], g3["staff"], g3["employees_per_staff"]) == (
        2, 3008, 2, 1504.0
    )  # fmt: skip
    assert g3["flags"] == [] and g3["required_full_time"] == 1
    for code in (RETIRED, "320571001001099"):
        assert client.get(f"/api/grids/{code}/staffing").status_code == 404


def test_staffing_norms_come_from_the_settings(test_settings, db, admin):
    build_world(db)
    strict = test_settings.model_copy(
        update={"staffing_employees_per_staff": 1000, "staffing_min_part_time": 1}
    )
    app = create_app(strict)
    app.dependency_overrides[get_session] = lambda: db
    with TestClient(app, headers=admin.headers) as strict_client:
        g3 = strict_client.get(f"/api/grids/{G3}/staffing").json()
        flagged = strict_client.get("/api/staffing", params={"flagged_only": "true"}).json()
    app.state.engine.dispose()
    assert _flags(g3) == ["too_many_employees_per_staff", "too_few_part_time"]
    assert "1504" in g3["flags"][0]["message"] and "1000" in g3["flags"][0]["message"]
    assert [g["grid_code"] for g in flagged["items"]] == [G2, G3]
