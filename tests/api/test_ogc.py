"""OGC API – Features Part 1 Core and Part 2 (CRS) under /ogc, on a real PostGIS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, MultiPolygon, Point, box
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import (
    Enterprise,
    Hazard,
    KeySite,
    Network,
    ParkingZone,
    Problem,
    Road,
    Shelter,
    Staff,
    Visit,
)
from tests.geo.catalog_fixtures import G1, G2, G3, M1, RETIRED, World, build_world

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
COLLECTION_IDS = [
    "park", "community", "grid", "microgrid", "enterprise", "key_site", "network", "road",
    "parking_zone", "shelter", "visit", "problem", "hazard",
]  # fmt: skip
TRICKY_NAME = '测试<b>粗体</b>"引号"&amp;<script>x</script>'
TRICKY_USCC = "91320571MA9R5JKB4C"


@dataclass
class Places:
    """What `add_places` made: the catalogue world plus one or two rows of every other layer."""

    world: World
    tricky_id: int
    road_id: int
    visit_ids: list[int]


def _geom(shape):  # type: ignore[no-untyped-def]
    return from_shape(shape, 4326)


def _square(minx: float, miny: float, maxx: float, maxy: float):  # type: ignore[no-untyped-def]
    return _geom(MultiPolygon([box(minx, miny, maxx, maxy)]))


def add_places(db: Session) -> Places:
    """build_world's hierarchy, enterprises and staff, plus key sites (a point and a polygon),
    a network with JSON attributes, a road, a parking zone, a shelter, visits, a problem and a
    hazard; flushed, not committed."""
    world = build_world(db)
    grid_id = db.scalar(select(Enterprise.grid_id).where(Enterprise.uscc == world.uscc["e3"]))
    tricky = Enterprise(
        uscc=TRICKY_USCC, name=TRICKY_NAME, employees_day=9, employees_night=1,
        grid_id=grid_id, geom=_geom(Point(120.68, 31.26)),
    )  # fmt: skip
    db.add(tricky)
    db.flush()
    sites = [
        KeySite(code="KS-1", name="危化品仓库", category="hazardous_chemicals",
                hazard_class="major", enterprise_id=tricky.id, grid_id=grid_id,
                last_inspected=date(2024, 4, 1), inspection_interval_days=30,
                geom=_geom(Point(120.681, 31.261))),
        KeySite(code="KS-2", name="人员密集场所", category="crowded_place",
                geom=_geom(box(120.71, 31.21, 120.715, 31.215))),
    ]  # fmt: skip
    db.add_all(sites)
    db.flush()
    road = Road(code="R-1", name="星湖街", road_class="arterial", lanes=4, width_m=7.0,
                speed_kmh=40.5, oneway=False,
                geom=_geom(LineString([(120.6, 31.25), (120.8, 31.25)])))  # fmt: skip
    db.add_all([
        road,
        Network(code="N-1", kind="water", name="供水干管", operator="园区水务",
                attributes={"diameter_mm": 600, "material": "球墨铸铁"},
                geom=_geom(LineString([(120.61, 31.21), (120.69, 31.29)]))),
        ParkingZone(code="P-1", name="路侧停车", kind="road_side", capacity=40, grid_id=grid_id,
                    geom=_square(120.66, 31.24, 120.662, 31.242)),
        Shelter(code="S-1", name="中央公园避难场所", kind="park_square", capacity=3000,
                effective_area_m2=4500.5, address="星湖街 1 号", geom=_geom(Point(120.7, 31.3))),
        Hazard(name="气体泄漏", scenario="gas_leak", key_site_id=sites[0].id,
               core=_square(120.68, 31.26, 120.682, 31.262),
               zone=_square(120.675, 31.255, 120.687, 31.267)),
    ])  # fmt: skip
    staff_id = db.scalar(select(Staff.id).where(Staff.staff_no == "full1"))
    visits = [
        Visit(enterprise_id=tricky.id, staff_id=staff_id, check_result="verified", distance_m=3.0,
              visited_at=datetime(2024, 5, 2, 9, 30, tzinfo=UTC), notes="正常",
              geom=_geom(Point(120.6801, 31.2601))),
        Visit(enterprise_id=tricky.id, visited_at=datetime(2024, 6, 3, 14, 0, tzinfo=UTC)),
    ]  # fmt: skip
    db.add_all(visits)
    db.add(Problem(code="PR-1", enterprise_id=tricky.id, category="demand", title="用电扩容",
                   due_date=date(2024, 7, 1), geom=_geom(Point(120.68, 31.26))))  # fmt: skip
    db.flush()
    return Places(world, tricky.id, road.id, [v.id for v in visits])


@pytest.fixture
def places(db: Session) -> Places:
    return add_places(db)


def _ok(response, media: str = "application/json"):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    return response.json()


def _rels(body: dict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in body["links"]}


def _features(client, cid: str, **params):  # type: ignore[no-untyped-def]
    return _ok(client.get(f"/ogc/collections/{cid}/items", params=params), "application/geo+json")


def _bad_request(response, *named: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) >= {"error", "message"}
    for name in named:
        assert name in body["message"]
    return str(body["message"])


# -- landing page, conformance, collections -------------------------------------------------


def test_landing_page_links_to_openapi_and_conformance_to_core_geojson_oas30_crs(client, db):
    body = _ok(client.get("/ogc"))
    rels = _rels(body)
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"].endswith("/openapi.json")
    assert rels["data"].endswith("/ogc/collections")
    api = _ok(client.get(rels["service-desc"]))
    assert "/ogc/collections/{collection_id}/items" in api["paths"]
    classes = set(_ok(client.get(rels["conformance"]))["conformsTo"])
    base = "http://www.opengis.net/spec/ogcapi-features-"
    assert {
        f"{base}1/1.0/conf/core", f"{base}1/1.0/conf/geojson", f"{base}1/1.0/conf/oas30",
        f"{base}2/1.0/conf/crs",
    } <= classes  # fmt: skip


def test_collections_list_every_layer_with_a_place_and_no_accounts(client, db):
    body = _ok(client.get("/ogc/collections"))
    assert [c["id"] for c in body["collections"]] == COLLECTION_IDS
    assert _rels(body)["self"].endswith("/ogc/collections")
    for coll in body["collections"]:
        assert coll["itemType"] == "feature"
        assert coll["crs"] == [CRS84, EPSG_4326, EPSG_4490]
        assert coll["storageCrs"] == CRS84
        assert not coll["title"].isascii() and coll["description"].isascii()
        assert _rels(coll)["items"].endswith(f"/ogc/collections/{coll['id']}/items")
        assert coll["extent"]["spatial"]["bbox"] == [[-180, -90, 180, 90]]  # no rows yet


def test_a_collection_has_its_extent_from_the_live_rows(client, places):
    body = _ok(client.get("/ogc/collections/grid"))
    assert body["title"] == "网格" and body["extent"]["temporal"] is None
    assert body["extent"]["spatial"]["crs"] == CRS84
    assert body["extent"]["spatial"]["bbox"] == [pytest.approx([120.6, 31.2, 120.8, 31.3])]
    links = {link["rel"]: link for link in body["links"]}
    assert links["items"]["type"] == "application/geo+json"


# -- items -------------------------------------------------------------------------------


def test_items_page_through_next_links_until_exhausted(client, places):
    first = _features(client, "enterprise", limit=3)
    matched, url, seen, pages = first["numberMatched"], None, [], 0
    assert matched == 8 and first["numberReturned"] == 3 and first["timeStamp"].endswith("Z")
    body = first
    while True:
        pages += 1
        assert body["numberReturned"] == len(body["features"])
        seen += [f["id"] for f in body["features"]]
        url = _rels(body).get("next")
        if url is None:
            break
        body = _ok(client.get(url), "application/geo+json")
    assert pages == 3 and len(seen) == len(set(seen)) == matched
    assert seen == sorted(seen)
    assert "prev" not in _rels(first) and "offset=3" in _rels(body)["prev"]
    assert _rels(first)["collection"].endswith("/ogc/collections/enterprise")


def test_grids_are_live_only_and_features_carry_parent_codes_not_ids(client, places):
    body = _features(client, "grid")
    codes = [f["properties"]["code"] for f in body["features"]]
    assert codes == [G1, G2, G3] and RETIRED not in codes
    props = body["features"][0]["properties"]
    assert props["community_code"] == "320571001001"
    assert props["kind"] == "base" and isinstance(props["version"], int)
    feature = _features(client, "enterprise", uscc=places.world.uscc["e1"])["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [120.61, 31.21]}
    props = feature["properties"]
    assert (props["grid_code"], props["microgrid_code"]) == (G1, M1)
    assert props["employees_day"] == 120 and props["status"] == "operating"


def test_no_collection_exposes_internal_ids_or_secrets(client, places):
    for cid in COLLECTION_IDS:
        for feature in _features(client, cid)["features"]:
            assert isinstance(feature["id"], int)
            names = set(feature["properties"])
            assert not {n for n in names if n.endswith("_id") or "password" in n}, cid


def test_bbox_keeps_features_that_intersect_it_in_its_crs_axis_order(client, places):
    body = _features(client, "enterprise", bbox="120.74,31.24,120.78,31.28")
    uscc = {f["properties"]["uscc"] for f in body["features"]}
    assert uscc == {places.world.uscc[k] for k in ("e4", "e6", "e7")}
    assert body["numberMatched"] == 3
    lines = _features(client, "road", bbox="120.70,31.24,120.71,31.26")
    assert [f["id"] for f in lines["features"]] == [places.road_id]
    for params in (
        {"bbox": "31.24,120.74,31.28,120.78", "bbox-crs": EPSG_4326},  # latitude first
        {"bbox": "120.74,31.24,120.78,31.28", "bbox-crs": CRS84},
        {"bbox": "120.74,31.24,0,120.78,31.28,100"},  # heights ignored
    ):
        assert _features(client, "enterprise", **params)["features"] == body["features"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "dedicated"}, [G2]),
        ({"community_code": "320571001002"}, [G3]),
        ({"name": "星海一网格", "kind": "base"}, [G1]),
        ({"kind": "base", "bbox": "120.71,31.21,120.72,31.22"}, [G3]),
        ({"name": "不存在"}, []),
    ],
)
def test_property_filters_match_exactly(client, places, params, expected):
    body = _features(client, "grid", **params)
    assert [f["properties"]["code"] for f in body["features"]] == expected
    assert body["numberMatched"] == len(expected)


def test_typed_property_filters(client, places):
    found = _features(client, "enterprise", employees_day=120)["features"]
    assert [f["properties"]["uscc"] for f in found] == [places.world.uscc["e1"]]
    assert len(_features(client, "road", oneway="false", lanes=4)["features"]) == 1
    assert len(_features(client, "road", width_m="7")["features"]) == 1
    assert len(_features(client, "key_site", last_inspected="2024-04-01")["features"]) == 1
    message = _bad_request(
        client.get("/ogc/collections/enterprise/items", params={"employees_day": "many"}),
        "employees_day",
    )
    assert "many" in message


def test_datetime_filters_the_temporal_property(client, places):
    may = _features(client, "visit", datetime="2024-05-01T00:00:00Z/2024-05-31T23:59:59Z")
    assert [f["id"] for f in may["features"]] == places.visit_ids[:1]
    assert len(_features(client, "visit", datetime="2024-06-01T00:00:00Z/..")["features"]) == 1
    assert len(_features(client, "grid", datetime="2024-06-01T00:00:00Z")["features"]) == 3
    _bad_request(client.get("/ogc/collections/visit/items?datetime=soon"), "datetime")


@pytest.mark.parametrize(
    ("crs", "header", "point"),
    [(None, CRS84, [120.7, 31.3]), (CRS84, CRS84, [120.7, 31.3]),
     (EPSG_4326, EPSG_4326, [31.3, 120.7]), (EPSG_4490, EPSG_4490, [31.3, 120.7])],
)  # fmt: skip
def test_crs_epsg_swaps_axes_and_sets_content_crs(client, places, crs, header, point):
    response = client.get("/ogc/collections/shelter/items", params={"crs": crs} if crs else {})
    assert response.status_code == 200
    assert response.headers["content-crs"] == f"<{header}>"
    assert response.json()["features"][0]["geometry"]["coordinates"] == point
    grid = _features(client, "grid", crs=header, kind="dedicated")["features"][0]
    x, y = grid["geometry"]["coordinates"][0][0][0]
    assert [x, y] == ([120.7, 31.2] if point[0] > 90 else [31.2, 120.7])


def test_unsupported_crs_is_400_naming_the_parameter(client, places):
    url = "/ogc/collections/shelter/items"
    _bad_request(client.get(url, params={"crs": "EPSG:3857"}), "crs", "EPSG:3857")
    _bad_request(
        client.get(url, params={"bbox": "1,2,3,4", "bbox-crs": "urn:ogc:def:crs:EPSG::3857"}),
        "bbox-crs",
    )
    _bad_request(client.get(f"{url}/1", params={"crs": "CRS84"}), "crs")


def test_unknown_query_parameters_are_400_naming_them(client, places):
    response = client.get("/ogc/collections/grid/items", params={"colour": "red", "size": "1"})
    _bad_request(response, "colour", "size")
    assert set(response.json()["detail"]["parameters"]) == {"colour", "size"}
    _bad_request(client.get("/ogc/collections/network/items", params={"attributes": "{}"}))
    _bad_request(client.get("/ogc/collections", params={"limit": "5"}), "limit")
    _bad_request(client.get("/ogc/collections/grid/items/1", params={"bbox": "1,2,3,4"}), "bbox")
    _bad_request(client.get("/ogc/collections/grid/items?kind=base&kind=dedicated"), "kind")
    _bad_request(client.get("/ogc/collections/grid/items", params={"f": "html"}), "f")


@pytest.mark.parametrize(
    ("name", "value"),
    [("bbox", "120.6,31.2,120.7"), ("bbox", "a,b,c,d"), ("bbox", "120.6,31.2,120.7,nan"),
     ("bbox", "120.8,31.2,120.7,31.3"), ("bbox", "120.6,31.2,190,31.3"), ("bbox", "1,2,3,4,5"),
     ("bbox", ""), ("limit", "0"), ("limit", "abc"), ("limit", "1.5"), ("offset", "-1")],
)  # fmt: skip
def test_a_bad_bbox_or_paging_is_400_naming_the_parameter(client, places, name, value):
    response = client.get("/ogc/collections/enterprise/items", params={name: value})
    _bad_request(response, name)


def test_limit_above_the_maximum_is_cut_to_it(client, places):
    body = _features(client, "enterprise", limit=20000)
    assert body["numberReturned"] == 8 and "next" not in _rels(body)
    assert _features(client, "enterprise", offset=100)["features"] == []


def test_unknown_collection_or_feature_is_404(client, places):
    retired = places.world.grids[RETIRED].id
    missing = "users users/items users/schema users/queryables staff/items/1 enterprise/items/abc"
    for path in [*missing.split(), "enterprise/items/999999999", f"grid/items/{retired}"]:
        response = client.get(url := f"/ogc/collections/{path}")
        assert response.status_code == 404, url
        assert response.json()["error"] == "not_found"


def test_one_feature_by_id_with_links_and_crs_and_markup_verbatim(client, places):
    url = f"/ogc/collections/enterprise/items/{places.tricky_id}"
    feature = _ok(client.get(url, params={"crs": EPSG_4490}), "application/geo+json")
    assert feature["type"] == "Feature" and feature["id"] == places.tricky_id
    assert feature["geometry"]["coordinates"] == [31.26, 120.68]
    assert {"self", "collection"} <= set(_rels(feature))
    assert client.get(url).headers["content-crs"] == f"<{CRS84}>"
    assert feature["properties"]["name"] == TRICKY_NAME  # markup comes back verbatim, as JSON
    response = client.get("/ogc/collections/enterprise/items", params={"name": TRICKY_NAME})
    assert response.headers["content-type"].startswith("application/geo+json")
    assert response.json()["features"][0]["properties"]["name"] == TRICKY_NAME
    assert "&lt;" not in response.text and "\\u003c" not in response.text


def test_values_keep_their_json_types(client, places):
    road = _features(client, "road")["features"][0]["properties"]
    assert road["width_m"] == 7.0 and isinstance(road["width_m"], float)
    assert road["speed_kmh"] == 40.5 and road["oneway"] is False and road["lanes"] == 4
    network = _features(client, "network")["features"][0]["properties"]
    assert network["attributes"] == {"diameter_mm": 600, "material": "球墨铸铁"}
    site = _features(client, "key_site", code="KS-1")["features"][0]["properties"]
    assert site["last_inspected"] == "2024-04-01" and site["enterprise_uscc"] == TRICKY_USCC
    visits = _features(client, "visit")["features"]
    assert visits[0]["properties"]["visited_at"].startswith("2024-05-02T09:30:00")
    assert visits[1]["geometry"] is None and visits[0]["properties"]["staff_no"] == "full1"
    hazard = _features(client, "hazard")["features"][0]
    assert hazard["geometry"]["type"] == "MultiPolygon"
    assert hazard["properties"]["key_site_code"] == "KS-1"
    kinds = [f["geometry"]["type"] for f in _features(client, "key_site")["features"]]
    assert kinds == ["Point", "Polygon"]  # key sites mix points and polygons


# -- schema and queryables ---------------------------------------------------------------


def test_schema_types_every_property(client, db):
    body = _ok(client.get("/ogc/collections/enterprise/schema"), "application/schema+json")
    props = body["properties"]
    assert body["$id"].endswith("/ogc/collections/enterprise/schema")
    assert props["geometry"] == {"x-ogc-role": "primary-geometry", "format": "geometry-point"}
    assert props["id"]["x-ogc-role"] == "id"
    assert props["employees_day"]["type"] == "integer" and props["name"]["type"] == "string"
    assert props["name"]["title"] == "企业名称"
    assert "operating" in props["status"]["enum"]
    road = _ok(client.get("/ogc/collections/road/schema"), "application/schema+json")
    assert road["properties"]["width_m"]["type"] == "number"
    assert road["properties"]["oneway"]["type"] == "boolean"
    site = _ok(client.get("/ogc/collections/key_site/schema"), "application/schema+json")
    assert site["properties"]["last_inspected"] == {
        "title": "最近检查日期", "type": "string", "format": "date"
    }  # fmt: skip
    assert site["properties"]["geometry"]["format"] == "geometry-any"
    problem = _ok(client.get("/ogc/collections/problem/schema"), "application/schema+json")
    assert problem["properties"]["reported_at"]["format"] == "date-time"


def test_queryables_are_the_filterable_properties(client, db):
    body = _ok(client.get("/ogc/collections/network/queryables"), "application/schema+json")
    assert body["additionalProperties"] is False
    assert "attributes" not in body["properties"] and "id" not in body["properties"]
    assert {"code", "name", "kind", "operator", "geometry"} == set(body["properties"])
    grid = _ok(client.get("/ogc/collections/grid/queryables"), "application/schema+json")
    assert grid["properties"]["community_code"]["type"] == "string"
    assert grid["properties"]["version"]["type"] == "integer"
