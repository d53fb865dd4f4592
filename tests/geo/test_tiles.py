"""Vector tiles from PostGIS: features, attributes, clusters, shared edges, cache and versions."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
from shapely.geometry import shape
from shapely.ops import unary_union
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from geo.db import make_engine
from geo.errors import InvalidInput, NotFound
from geo.tile_cache import LayerVersions, TileCache
from geo.tiles import TILE_LAYERS, Tiles, check_tile, render_tile

LON, LAT = 120.7212, 31.3087  # a point in Suzhou Industrial Park


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The Web Mercator tile holding lon/lat at zoom z."""
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def decode(data: bytes, layer: str) -> list[dict]:
    """The features of `layer` in an MVT (none when the tile is empty)."""
    if not data:
        return []
    return mapbox_vector_tile.decode(data).get(layer, {}).get("features", [])


def box_wkt(west: float, south: float, east: float, north: float) -> str:
    return f"SRID=4326;MULTIPOLYGON((({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south})))"  # noqa: E501


def add_grid(db, code: str, wkt: str, *, retired: bool = False) -> int:
    """A grid (with a park and community made on first use) of the given shape."""
    db.execute(
        text(
            "INSERT INTO park (code, name, geom) VALUES ('320571', '示范园', :g) "
            "ON CONFLICT (code) DO NOTHING"
        ),
        {"g": box_wkt(120.5, 31.1, 121.0, 31.5)},
    )
    db.execute(
        text(
            "INSERT INTO community (park_id, code, name, geom) "
            "SELECT id, '320571001001', '星海社区', geom FROM park WHERE code = '320571' "
            "ON CONFLICT (code) DO NOTHING"
        )
    )
    return db.execute(
        text(
            "INSERT INTO grid (community_id, code, name, geom, valid_from, valid_to) "
            "SELECT id, :code, :name, :g, now() - interval '2 days', "
            "CASE WHEN :retired THEN now() - interval '1 day' END "
            "FROM community WHERE code = '320571001001' RETURNING id"
        ),
        {"code": code, "name": f"网格{code[-3:]}", "g": wkt, "retired": retired},
    ).scalar_one()


def add_enterprises(db, points: list[tuple[float, float]], *, grid_id: int | None = None) -> None:
    """Enterprises at `points` (employees 10 + index, so the last is the largest)."""
    db.execute(
        text(
            "INSERT INTO enterprise (uscc, name, industry, size_class, employees_day, "
            "contact_phone, grid_id, geom) VALUES (:uscc, :name, 'C', 'small', :emp, "
            "'13800000000', :grid, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
        ),
        [
            {"uscc": f"91320500{i:010d}", "name": f"苏州测试企业{i:04d}有限公司", "emp": 10 + i,
             "grid": grid_id, "lon": lon, "lat": lat}
            for i, (lon, lat) in enumerate(points)
        ],
    )  # fmt: skip


def spread(n: int, *, west=120.70, south=31.29, size=0.05) -> list[tuple[float, float]]:
    """n points on a seeded-free lattice inside a box (deterministic)."""
    side = math.ceil(math.sqrt(n))
    return [
        (west + size * (i % side + 0.5) / side, south + size * (i // side + 0.5) / side)
        for i in range(n)
    ]


def render(db, layer: str, z: int, x: int, y: int) -> bytes:
    return render_tile(db, TILE_LAYERS[layer], z=z, x=x, y=y)


# -- addresses and layers -------------------------------------------------------------------


@pytest.mark.parametrize("z, x, y", [(-1, 0, 0), (23, 0, 0), (3, 8, 0), (3, 0, 8), (0, -1, 0)])
def test_tile_outside_the_pyramid_is_refused(z, x, y):
    with pytest.raises(InvalidInput):
        check_tile(z, x, y)


def test_unknown_layer_is_not_found_naming_the_known_ones(db):
    with pytest.raises(NotFound, match="enterprise"):
        Tiles(cache_bytes=1024).tile(db, "secrets", z=0, x=0, y=0)


@pytest.mark.parametrize("layer", sorted(TILE_LAYERS))
@pytest.mark.parametrize("z", [3, 12, 16])
def test_every_layer_sql_runs_and_an_empty_area_gives_an_empty_tile(db, layer, z):
    assert render(db, layer, *tile_of(-150.0, -40.0, z)) == b""


# -- features and attributes ----------------------------------------------------------------


def test_grid_inside_the_tile_comes_with_its_attributes_and_one_outside_does_not(db):
    inside = add_grid(db, "320571001001001", box_wkt(120.715, 31.305, 120.725, 31.312))
    add_grid(db, "320571001001002", box_wkt(120.80, 31.38, 120.81, 31.39))
    add_grid(db, "320571001001003", box_wkt(120.716, 31.306, 120.72, 31.31), retired=True)
    features = decode(render(db, "grid", *tile_of(LON, LAT, 15)), "grid")
    assert [f["properties"]["code"] for f in features] == ["320571001001001"]
    props = features[0]["properties"]
    assert props["id"] == inside and features[0]["id"] == inside
    assert props["kind"] == "base" and props["community_code"] == "320571001001"
    assert features[0]["geometry"]["type"] == "Polygon"


def test_enterprise_point_carries_popup_fields_and_never_the_phone(db):
    grid = add_grid(db, "320571001001001", box_wkt(120.715, 31.305, 120.725, 31.312))
    add_enterprises(db, [(LON, LAT)], grid_id=grid)
    (feature,) = decode(render(db, "enterprise", *tile_of(LON, LAT, 17)), "enterprise")
    props = feature["properties"]
    assert props["uscc"] == "913205000000000000" and props["name"] == "苏州测试企业0000有限公司"
    assert (props["industry"], props["size_class"], props["employees_day"]) == ("C", "small", 10)
    assert props["grid_code"] == "320571001001001" and props["count"] == 1
    assert not {"contact_phone", "contact_name", "address"} & props.keys()
    assert "13800000000" not in str(props)


def test_neighbouring_grids_keep_their_shared_edge_with_no_gap(db):
    # a wiggly shared edge, much finer than a tile unit at zoom 10
    edge = [(120.72, 31.28 + i * 0.0004) for i in range(101)]
    edge = [(x + (0.00007 if i % 2 else -0.00005), y) for i, (x, y) in enumerate(edge)]
    west = [(120.70, 31.28), *edge, (120.70, 31.32), (120.70, 31.28)]
    east = [(120.74, 31.28), (120.74, 31.32), *reversed(edge), (120.74, 31.28)]
    for code, ring in (("320571001001001", west), ("320571001001002", east)):
        coords = ", ".join(f"{x} {y}" for x, y in ring)
        add_grid(db, code, f"SRID=4326;MULTIPOLYGON((({coords})))")
    features = decode(render(db, "grid", *tile_of(120.72, 31.30, 10)), "grid")
    shapes = [shape(f["geometry"]) for f in features]
    assert len(shapes) == 2
    joined = unary_union(shapes)
    assert joined.geom_type == "Polygon" and not joined.interiors  # no sliver between them
    assert shapes[0].intersection(shapes[1]).area == pytest.approx(0, abs=1e-6)


def test_hazard_zone_and_core_are_both_in_the_tile(db):
    db.execute(
        text(
            "INSERT INTO hazard (name, scenario, core, zone) VALUES ('储罐泄漏', 'gas_leak', "
            ":core, :zone)"
        ),
        {"core": box_wkt(120.720, 31.308, 120.722, 31.309),
         "zone": box_wkt(120.715, 31.305, 120.727, 31.312)},
    )  # fmt: skip
    features = decode(render(db, "hazard", *tile_of(LON, LAT, 14)), "hazard")
    assert sorted(f["properties"]["part"] for f in features) == ["core", "zone"]


# -- clusters ---------------------------------------------------------------------------------


def test_low_zoom_enterprise_tile_is_clusters_counting_every_enterprise_in_it(db):
    add_enterprises(db, spread(600))
    z, x, y = tile_of(120.72, 31.31, 12)
    features = decode(render(db, "enterprise", z, x, y), "enterprise")
    inside = db.execute(
        text(
            "SELECT count(*) FROM enterprise "
            "WHERE geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326)"
        ),
        {"z": z, "x": x, "y": y},
    ).scalar_one()
    assert 0 < len(features) < inside <= 600
    assert sum(f["properties"]["count"] for f in features) == inside
    biggest = max(features, key=lambda f: f["properties"]["count"])
    assert biggest["properties"]["name"].startswith("苏州测试企业")  # a representative's name
    assert all(0 <= c <= 4096 for f in features for c in f["geometry"]["coordinates"])


def test_zoom_15_clusters_are_grouped_from_the_points_as_stored_cells_would_be(db):
    """No level-20 cells are stored (migration 0012): zoom 15 groups its points by level-19
    cell, each drawn at its members' mean position with count, employees and largest one."""
    z, x, y = tile_of(LON, LAT, 15)
    west, east = x / 2**15 * 360 - 180, (x + 1) / 2**15 * 360 - 180
    # a lattice over the tile and beyond its edges, and clumps sharing cells
    points = spread(400, west=west - 0.001, south=LAT - 0.006, size=east - west + 0.002)
    points += [(LON + i / 1e6, LAT + (i % 3) / 1e6) for i in range(30)]
    add_enterprises(db, points)
    features = decode(render(db, "enterprise", z, x, y), "enterprise")
    rows = db.execute(
        text(
            "SELECT tile_cell(geom) AS k, id, employees_day, (ST_X(geom) + 180) / 360 AS u, "
            "(1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2 AS v FROM enterprise"
        )
    ).all()
    m = sum(((x >> b) & 1) << (2 * b) | ((y >> b) & 1) << (2 * b + 1) for b in range(15))
    groups: dict[int, list] = {}
    for r in rows:
        if m << 10 <= r.k < (m + 1) << 10:
            groups.setdefault(r.k >> 2, []).append(r)
    assert len(groups) > 20 and any(len(g) > 1 for g in groups.values())
    expected = {}
    for members in groups.values():
        largest = max(members, key=lambda r: (r.employees_day, r.id))
        u = sum(r.u for r in members) / len(members)
        v = sum(r.v for r in members) / len(members)
        point = ((u * 2**15 - x) * 4096, (v * 2**15 - y) * 4096)
        expected[largest.id] = (len(members), sum(r.employees_day for r in members), point)
    got = {f["properties"]["id"]: f for f in features}
    assert got.keys() == expected.keys()
    for fid, (count, employees, (px, py)) in expected.items():
        props, (gx, gy) = got[fid]["properties"], got[fid]["geometry"]["coordinates"]
        assert (props["count"], props["employees"]) == (count, employees)
        assert abs(gx - px) <= 0.5 + 1e-6 and abs((4096 - gy) - py) <= 0.5 + 1e-6


def test_whole_world_tile_counts_all_enterprises_once(db):
    add_enterprises(db, [*spread(250), (-70.0, -33.4), (151.2, -33.9)])
    features = decode(render(db, "enterprise", 0, 0, 0), "enterprise")
    assert sum(f["properties"]["count"] for f in features) == 252


def _clusters(db) -> set[tuple]:
    return set(
        db.execute(
            text(
                "SELECT level, cell, count, employees, pick, round(sum_u::numeric, 9), "
                "round(sum_v::numeric, 9) FROM enterprise_cluster WHERE count > 0"
            )
        ).all()
    )


def _clusters_from_scratch(db) -> set[tuple]:
    return set(
        db.execute(
            text(
                "SELECT lv, tile_cell(geom) >> (2 * (20 - lv)), count(*), sum(employees_day), "
                "max(employees_day::bigint * 4294967296 + id), "
                "round(sum((ST_X(geom) + 180) / 360)::numeric, 9), "
                "round(sum((1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2)"
                "::numeric, 9) "
                "FROM enterprise, (VALUES (14), (16), (18)) AS l(lv) GROUP BY 1, 2"
            )
        ).all()
    )


def test_cluster_table_follows_inserts_moves_and_deletes(db):
    add_enterprises(db, spread(300))
    assert _clusters(db) == _clusters_from_scratch(db)
    # move the largest employers away (they are their cells' representatives), shrink some
    db.execute(text("UPDATE enterprise SET geom = ST_Translate(geom, 0.03, 0.01) WHERE id % 7 = 0"))
    db.execute(text("UPDATE enterprise SET employees_day = 1 WHERE id % 5 = 0"))
    db.execute(text("UPDATE enterprise SET name = name || '（迁）' WHERE id % 3 = 0"))
    assert _clusters(db) == _clusters_from_scratch(db)
    db.execute(text("DELETE FROM enterprise WHERE id % 4 = 0"))
    assert _clusters(db) == _clusters_from_scratch(db)
    db.execute(text("DELETE FROM enterprise"))
    assert _clusters(db) == set()


# -- cache and versions -----------------------------------------------------------------------


def test_cache_keeps_recent_tiles_within_its_byte_bound():
    cache = TileCache(max_bytes=10, entry_bytes=0)
    cache.put("a", b"12345")
    cache.put("b", b"1234")
    assert cache.get("a") == b"12345"  # a is now the most recent
    cache.put("c", b"123")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"12345", None, b"123")
    assert cache.size == 8 and len(cache) == 2
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None and cache.size == 8
    off = TileCache(max_bytes=0)  # GRIDMAP_TILE_CACHE_MB=0: nothing kept, empty tiles neither
    off.put("empty", b"")
    assert off.get("empty") is None and len(off) == 0


def test_empty_tiles_count_their_entry_so_the_cache_stays_bounded():
    cache = TileCache(max_bytes=1000, entry_bytes=100)
    for i in range(50):
        cache.put(("z", i), b"")
    assert len(cache) == 10 and cache.size == 1000
    assert cache.get(("z", 49)) == b"" and cache.get(("z", 0)) is None
    cache.put(("z", 49), b"x" * 50)  # replacing an entry counts its bytes once
    assert cache.size == 950 and len(cache) == 9


def test_versions_are_read_at_most_once_per_ttl(db, engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    versions = LayerVersions(ttl=60)
    event.listen(engine, "before_cursor_execute", count)
    try:
        first = versions.current(db)
        again = versions.current(db)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert first is again and "enterprise" in first
    assert len([s for s in statements if "layer_change" in s]) == 1


def test_a_write_raises_the_version_of_its_table_only(db):
    before = LayerVersions(ttl=0).current(db)
    add_enterprises(db, [(LON, LAT)])
    after = LayerVersions(ttl=0).current(db)
    assert after["enterprise"][0] > before["enterprise"][0]
    assert after["grid"] == before["grid"]


def test_tile_sql_runs_without_parallel_workers_in_its_transaction_only(engine):
    """Parallel workers cost more to start than a tile; the setting ends with the tile."""
    with Session(engine) as session:
        before = session.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
        render_tile(session, TILE_LAYERS["enterprise"], z=16, x=54532, y=26665)
        inside = session.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
        session.rollback()
        after = session.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
    assert inside == "0" and after == before != "0"


def test_tile_statement_is_prepared_once_per_connection_and_survives_rollback(engine):
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    fresh = make_engine(engine.url)  # a new connection: none prepared yet
    event.listen(fresh, "before_cursor_execute", record)
    try:
        with fresh.connect() as conn, Session(bind=conn) as session:
            render_tile(session, TILE_LAYERS["grid"], z=14, x=13720, y=6693)
            session.rollback()
            render_tile(session, TILE_LAYERS["grid"], z=15, x=27440, y=13386)
    finally:
        event.remove(fresh, "before_cursor_execute", record)
        fresh.dispose()
    assert len([s for s in sent if s.startswith("PREPARE gridmap_tile_grid")]) == 1
    assert len([s for s in sent if s.startswith("EXECUTE gridmap_tile_grid")]) == 2
