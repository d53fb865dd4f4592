"""Enterprises and orphans through the JSON API: filters, text search, paging, reads."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from geo.models import Enterprise
from tests.geo.catalog_fixtures import C1, G1, G3, M1, build_world


def _names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def test_enterprises_are_listed_by_name_then_id(client, db):
    build_world(db)
    expected = list(db.scalars(select(Enterprise.name).order_by(Enterprise.name, Enterprise.id)))
    body = client.get("/api/enterprises").json()
    assert [e["name"] for e in body["items"]] == expected and body["total"] == 7
    assert all(e["geometry"] is None for e in body["items"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"community": C1}, {"苏州星海科技有限公司", "100%_纯净水厂", "金鸡湖软件有限公司"}),
        ({"grid": G3}, {"湖东物流有限公司", "已注销机械厂", "AB纯净水厂"}),
        ({"microgrid": M1}, {"苏州星海科技有限公司"}),
        ({"industry": "I"}, {"金鸡湖软件有限公司"}),
        ({"size_class": "micro", "grid": G1}, {"100%_纯净水厂"}),
        ({"status": "closed"}, {"已注销机械厂"}),
        ({"q": "纯净水"}, {"100%_纯净水厂", "AB纯净水厂"}),
        ({"bbox": "120.74,31.24,120.755,31.255"}, {"湖东物流有限公司"}),
        ({"bbox": "120.85,31.3,121,31.4"}, {"园外贸易有限公司"}),
    ],
)
def test_enterprises_are_filtered(client, db, params, expected):
    build_world(db)
    assert set(_names(client.get("/api/enterprises", params=params))) == expected


@pytest.mark.parametrize("q", ["%_纯净水", "%", "0%_", "_纯"])
def test_search_takes_percent_and_underscore_literally(client, db, q):
    build_world(db)
    assert _names(client.get("/api/enterprises", params={"q": q})) == ["100%_纯净水厂"]


def test_search_matches_a_uscc_prefix_in_any_case(client, db):
    world = build_world(db)
    code = world.uscc["e3"]
    for q in (code[:14], code[:14].lower(), code):
        assert _names(client.get("/api/enterprises", params={"q": q})) == ["金鸡湖软件有限公司"]


def test_unknown_vocabulary_values_are_422(client, db):
    for params in ({"industry": "Z"}, {"size_class": "huge"}, {"status": "bankrupt"}):
        response = client.get("/api/enterprises", params=params)
        assert response.status_code == 422 and "known:" in response.json()["message"]
    assert client.get("/api/enterprises", params={"bbox": "x"}).status_code == 422


def test_following_next_walks_every_enterprise_once(client, db):
    build_world(db)
    seen, url, pages = [], "/api/enterprises?limit=3&status=operating", 0
    while url:
        body = client.get(url).json()
        seen += [e["uscc"] for e in body["items"]]
        url, pages = body["next"], pages + 1
        assert body["total"] == 6 and body["limit"] == 3
    assert pages == 2 and len(seen) == len(set(seen)) == 6
    beyond = client.get("/api/enterprises", params={"offset": 50}).json()
    assert (beyond["items"], beyond["total"], beyond["next"]) == ([], 7, None)


def test_an_enterprise_is_read_with_its_places_and_raw_coordinates(client, db):
    world = build_world(db)
    code = world.uscc["e1"]
    db.execute(
        update(Enterprise)
        .where(Enterprise.uscc == code)
        .values(coord_source="gcj02", raw_x=120.6146, raw_y=31.2081, raw_crs="gcj02")
    )
    body = client.get(f"/api/enterprises/{code.lower()}").json()
    assert body["uscc"] == code and body["name"] == "苏州星海科技有限公司"
    assert (body["grid_code"], body["grid_name"]) == (G1, "星海一网格")
    assert (body["microgrid_code"], body["microgrid_name"]) == (M1, "一号楼宇")
    assert (body["community_code"], body["address"]) == (C1, "苏州星海科技有限公司地址")
    assert (body["lon"], body["lat"]) == pytest.approx((120.61, 31.21))
    assert (body["coord_source"], body["raw_x"], body["raw_y"]) == ("gcj02", 120.6146, 31.2081)
    assert body["geometry"] == {"type": "Point", "coordinates": [120.61, 31.21]}
    assert body["compound"] is None
    bare = client.get(f"/api/enterprises/{code}", params={"geometry": "false"}).json()
    assert bare["geometry"] is None


def test_an_unknown_enterprise_is_404(client, db):
    response = client.get("/api/enterprises/91320594MA1XXXXX0X")
    assert response.status_code == 404
    assert response.json()["message"] == (
        "企业 91320594MA1XXXXX0X 不存在 / enterprise 91320594MA1XXXXX0X does not exist"
    )


def test_orphans_are_the_enterprises_in_no_grid(client, db):
    world = build_world(db)
    body = client.get("/api/orphans", params={"geometry": "true"}).json()
    assert [e["uscc"] for e in body["items"]] == [world.uscc["e5"]] and body["total"] == 1
    orphan = body["items"][0]
    assert orphan["grid_code"] is None and orphan["geometry"]["type"] == "Point"
    assert client.get("/api/orphans", params={"q": "湖东"}).json()["total"] == 0
    assert client.get("/api/orphans", params={"bbox": "120.6,31.2,120.8,31.3"}).json()["total"] == 0
    detail = client.get(f"/api/enterprises/{world.uscc['e5']}").json()
    assert detail["grid_name"] is None and detail["community_code"] is None
