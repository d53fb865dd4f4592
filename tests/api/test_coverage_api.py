"""The coverage API: figures, enterprises, unvisited list, tour, closing, reports, my list."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from geo.coverage import months
from geo.models import Enterprise, Visit
from tests.geo.catalog_fixtures import C1, G1, G2, G3, build_world
from tests.logins import add_login

OCT = "2026-10"


def _visit(db, world, short: str, when: datetime, check: str = "verified") -> None:
    enterprise = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc[short]))
    db.add(Visit(enterprise_id=enterprise, visited_at=when, check_result=check))
    db.flush()


def test_coverage_per_grid_counts_a_members_visits_at_once(client, db):
    world = build_world(db)
    member = add_login(db, "grid_member", grids=[G1])
    now = months.current_month()
    bodies = (
        {"uscc": world.uscc["e1"], "lon": 120.6101, "lat": 31.2101},
        {"uscc": world.uscc["e1"]},
        {"uscc": world.uscc["e2"], "lon": 120.7, "lat": 31.2},
    )
    for body in bodies:  # one transaction here: each visit still gets its own time
        answer = client.post("/api/visits", json=body, headers=member.headers)
        assert answer.status_code == 201, answer.text
    answer = client.get(f"/api/coverage?month={now:%Y-%m}&level=grid&community={C1}").json()
    assert answer["closed"] is False and answer["month"] == f"{now:%Y-%m}"
    by_code = {i["code"]: i for i in answer["items"]}
    assert set(by_code) == {G1, G2}
    g1 = by_code[G1]
    assert (g1["visited"], g1["verified"], g1["flagged"], g1["total"], g1["percent"]) == (
        2, 1, 1, 2, 100.0)  # fmt: skip
    members = client.get(f"/api/coverage?month={now:%Y-%m}&level=member&grid={G1}").json()
    mine = next(i for i in members["items"] if i["code"] == member.username)
    assert (mine["visited"], mine["total"]) == (2, 2)
    bad = client.get("/api/coverage?month=2026-1&level=grid")
    assert bad.status_code == 422 and "YYYY-MM" in bad.json()["message"]
    assert client.get(f"/api/coverage?month={OCT}&level=street").status_code == 422
    finer = client.get(f"/api/coverage?month={OCT}&level=community&grid={G1}")
    assert finer.status_code == 422 and "level=community takes no grid" in finer.json()["message"]


def test_enterprises_and_the_unvisited_list_sorted_by_days_since_the_last_visit(client, db):
    world = build_world(db)
    _visit(db, world, "e4", datetime(2026, 8, 1, tzinfo=UTC))
    _visit(db, world, "e7", datetime(2026, 9, 20, tzinfo=UTC))
    _visit(db, world, "e3", datetime(2026, 10, 5, tzinfo=UTC), "flagged")
    features = client.get(f"/api/coverage/enterprises?month={OCT}&community=320571001002")
    assert features.headers["content-type"].startswith("application/geo+json")
    props = {f["properties"]["uscc"]: f["properties"] for f in features.json()["features"]}
    assert set(props) == {world.uscc["e4"], world.uscc["e7"]}  # e6 is closed: not counted
    assert props[world.uscc["e4"]]["state"] == "unvisited"
    assert props[world.uscc["e4"]]["days_since_last_visit"] == 91
    unvisited = client.get(f"/api/coverage/unvisited?month={OCT}&grid={G3}").json()["items"]
    assert [i["uscc"] for i in unvisited] == [world.uscc["e4"], world.uscc["e7"]]
    g1 = client.get(f"/api/coverage/unvisited?month={OCT}&grid={G1}").json()["items"]
    assert all(i["last_visited_at"] is None and i["days_since_last_visit"] is None for i in g1)
    flagged = client.get(f"/api/coverage/enterprises?month={OCT}&grid={G2}").json()
    assert flagged["features"][0]["properties"]["state"] == "flagged"
    assert client.get(f"/api/coverage/unvisited?month={OCT}").status_code == 422


def test_closing_a_month_freezes_it_and_refuses_twice_current_and_future(client, db):
    build_world(db)
    leader = add_login(db, "grid_leader", grids=[G1])
    viewer = add_login(db, "viewer")
    assert client.post("/api/coverage/2026-09/close", headers=viewer.headers).status_code == 403
    first = client.post("/api/coverage/2026-09/close", headers=leader.headers)
    assert first.status_code == 201, first.text
    assert client.post("/api/coverage/2026-09/close").status_code == 409
    now = months.current_month()
    assert client.post(f"/api/coverage/{now:%Y-%m}/close").status_code == 422
    assert client.post("/api/coverage/2031-01/close").status_code == 422
    # an ended month closes on its first read
    read = client.get("/api/coverage?month=2026-08&level=grid").json()
    assert read["closed"] is True
    assert client.post("/api/coverage/2026-08/close").status_code == 409


def test_the_route_lists_each_unvisited_enterprise_once(client, db):
    world = build_world(db)
    answer = client.get(f"/api/coverage/route?grid={G3}&month={OCT}&start_lon=120.7&start_lat=31.2")
    body = answer.json()
    assert answer.status_code == 200, answer.text
    assert sorted(body["order"]) == sorted([world.uscc["e4"], world.uscc["e7"]])
    assert [s["uscc"] for s in body["stops"]] == body["order"]
    assert body["line"]["type"] == "LineString" and body["length_m"] > 0
    assert body["along_roads"] is False and body["notes"]
    half = client.get(f"/api/coverage/route?grid={G3}&month={OCT}&start_lon=120.7")
    assert half.status_code == 422


def test_reports_have_chinese_headers_and_neutralise_formulas(client, db):
    world = build_world(db)
    evil = db.scalar(select(Enterprise).where(Enterprise.uscc == world.uscc["e7"]))
    evil.name = '=HYPERLINK("http://evil","点我")'
    db.flush()
    book = load_workbook(io.BytesIO(client.get(f"/api/reports/coverage.xlsx?month={OCT}").content))
    assert book.sheetnames == ["按网格", "按网格员", "未走访企业"]
    grid_headers = [c.value for c in book["按网格"][1]]
    assert grid_headers[:3] == ["月份", "编码", "名称"] and "走访率(%)" in grid_headers
    names = [row[3] for row in book["未走访企业"].iter_rows(min_row=2, values_only=True)]
    assert "'" + evil.name in names
    assert book["按网格"]["B2"].value == G1
    response = client.get(f"/api/reports/coverage.csv?month={OCT}")
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0] == "层级" and "企业总数" in lines[0]
    levels = {line[0] for line in lines[1:]}
    assert levels == {"网格", "网格员", "未走访企业"}
    cells = [cell for line in lines for cell in line]
    assert "'" + evil.name in cells and evil.name not in cells


def test_my_enterprises_nearest_first_with_this_months_state(client, db):
    world = build_world(db)
    member = add_login(db, "grid_member", grids=[G1])
    client.post("/api/visits", json={"uscc": world.uscc["e2"]}, headers=member.headers)
    mine = client.get("/api/my/enterprises?lon=120.63&lat=31.28", headers=member.headers).json()
    items = mine["items"]
    assert [i["uscc"] for i in items] == [world.uscc["e2"], world.uscc["e1"]]
    assert items[0]["distance_m"] < 1 and items[1]["distance_m"] > 7000
    assert items[0]["visited_this_month"] is True and items[0]["state"] == "visited"
    assert items[1]["visited_this_month"] is False and items[1]["state"] == "unvisited"
    assert set(items[0]) >= {"uscc", "name", "address", "lon", "lat", "distance_m"}


def test_the_same_visit_posted_twice_is_refused_with_409_and_nothing_written(client, db):
    world = build_world(db)
    member = add_login(db, "grid_member", grids=[G1])
    when = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    body = {"uscc": world.uscc["e2"], "visited_at": when}
    assert client.post("/api/visits", json=body, headers=member.headers).status_code == 201
    again = client.post("/api/visits", json=body, headers=member.headers)
    assert again.status_code == 409, again.text
    assert world.uscc["e2"] in again.json()["message"] and "已有" in again.json()["message"]
    enterprise = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e2"]))
    assert len(db.scalars(select(Visit).where(Visit.enterprise_id == enterprise)).all()) == 1
    after = client.post("/api/visits", json={"uscc": world.uscc["e2"]}, headers=member.headers)
    assert after.status_code == 201  # the transaction is still usable after the refusal


def test_the_app_runs_the_month_closer_while_it_serves_unless_turned_off(test_settings):
    from fastapi.testclient import TestClient

    from api.app import create_app

    application = create_app(test_settings)
    with TestClient(application):
        closer = application.state.closer
        assert closer is not None and closer.running
    assert closer.join(timeout=30)  # stopped on leaving: it ends within its current round
    application.state.engine.dispose()
    off = create_app(test_settings.model_copy(update={"coverage_autoclose": False}))
    with TestClient(off):
        assert off.state.closer is None
    off.state.engine.dispose()
