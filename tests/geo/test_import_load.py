"""How an import writes: first loads, upserts, grid assignment before the write, trigger effects."""

from __future__ import annotations

import json
import math
import random

import pandas as pd
import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import func, select, text

from geo.assignment import assign_all
from geo.layers import bulk, encode, load, stage, stream
from geo.layers.importer import import_layer
from geo.models import Enterprise, Grid, Microgrid
from geo.uscc import generate
from tests.geo.layer_fixtures import add_community

# two grids sharing the edge x = 120.72 inside the community of add_community
WEST, EAST = (120.70, 31.30, 120.72, 31.32), (120.72, 31.30, 120.74, 31.32)
MICRO = (120.705, 31.305, 120.71, 31.31)


def _park(db) -> tuple[int, int, int]:
    community = add_community(db)
    ids = []
    for n, bounds in enumerate((WEST, EAST), start=1):
        grid = Grid(
            community_id=community.id, code=f"320571001001{n:03d}", name=f"网格{n}", kind="base",
            geom=from_shape(MultiPolygon([box(*bounds)]), 4326),
        )  # fmt: skip
        db.add(grid)
        db.flush()
        ids.append(grid.id)
    micro = Microgrid(
        grid_id=ids[0], code="320571001001001001", name="微网格", kind="enterprise",
        geom=from_shape(MultiPolygon([box(*MICRO)]), 4326),
    )  # fmt: skip
    db.add(micro)
    db.flush()
    return ids[0], ids[1], micro.id


def _file(tmp_path, rows: list[tuple[str, str, float, float]], name: str = "e.csv", **extra):
    frame = pd.DataFrame(rows, columns=["统一社会信用代码", "企业名称", "经度", "纬度"])
    for column, values in extra.items():
        frame[column] = values
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _codes(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return list(dict.fromkeys(generate(rng) for _ in range(n * 2)))[:n]


def _clusters(db) -> set[tuple]:
    query = (
        "SELECT level, cell, count, employees, pick, round(sum_u::numeric, 9), "
        "round(sum_v::numeric, 9) FROM enterprise_cluster WHERE count > 0"
    )
    return set(db.execute(text(query)).all())


def _clusters_from_scratch(db) -> set[tuple]:
    query = (
        "SELECT lv, tile_cell(geom) >> (2 * (20 - lv)), count(*), sum(employees_day), "
        "max(employees_day::bigint * 4294967296 + id), "
        "round(sum((ST_X(geom) + 180) / 360)::numeric, 9), "
        "round(sum((1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2)::numeric, 9) "
        "FROM enterprise, (VALUES (14), (16), (18)) AS l(lv) GROUP BY 1, 2"
    )
    return set(db.execute(text(query)).all())


def _assigned(db) -> dict[str, tuple[int | None, int | None]]:
    rows = db.execute(select(Enterprise.uscc, Enterprise.grid_id, Enterprise.microgrid_id)).all()
    return {uscc: (grid, micro) for uscc, grid, micro in rows}


def test_first_import_writes_each_row_once_already_in_its_grid(db, tmp_path):
    west, east, micro = _park(db)
    codes = _codes(4)
    path = _file(tmp_path, [
        (codes[0], "微网格内", 120.707, 31.307),
        (codes[1], "东网格", 120.73, 31.31),
        (codes[2], "共边", 120.72, 31.31),
        (codes[3], "园区外", 120.80, 31.31),
    ], 用地范围=[None, None, None, None])  # fmt: skip
    report = import_layer(db, "enterprise", path)
    assert (report.inserted, report.updated) == (4, 0)
    assert _assigned(db) == {
        codes[0]: (west, micro), codes[1]: (east, None),
        codes[2]: (west, None),  # on the shared edge: the smallest grid id
        codes[3]: (None, None),
    }  # fmt: skip
    assert assign_all(db).changed == 0  # the import applied the same rule as the full pass


def test_reimport_of_new_and_known_rows_inserts_and_updates_and_moves_grids(db, tmp_path):
    west, east, _ = _park(db)
    codes = _codes(3)
    import_layer(db, "enterprise", _file(tmp_path, [(codes[0], "甲", 120.71, 31.31)]))
    before = db.scalar(text("SELECT version FROM layer_change WHERE layer = 'enterprise'"))
    rows = [(codes[0], "甲（迁）", 120.73, 31.31), (codes[1], "乙", 120.715, 31.315)]
    report = import_layer(db, "enterprise", _file(tmp_path, rows, "again.csv"))
    assert (report.inserted, report.updated) == (1, 1)
    assert db.scalar(select(Enterprise.name).where(Enterprise.uscc == codes[0])) == "甲（迁）"
    assert _assigned(db) == {codes[0]: (east, None), codes[1]: (west, None)}
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 2
    assert db.scalar(text("SELECT version FROM layer_change WHERE layer = 'enterprise'")) > before
    assert _clusters(db) == _clusters_from_scratch(db)


def test_reimport_without_compounds_keeps_them_and_their_micro_grid(db, tmp_path):
    west, _, micro = _park(db)
    code = _codes(1)[0]
    compound = box(120.709, 31.309, 120.712, 31.312).wkt  # overlaps the micro-grid
    import_layer(
        db, "enterprise", _file(tmp_path, [(code, "甲", 120.711, 31.311)], 用地范围=[compound])
    )
    assert _assigned(db) == {code: (west, micro)}
    report = import_layer(
        db, "enterprise", _file(tmp_path, [(code, "甲", 120.7111, 31.311)], "b.csv")
    )
    assert report.updated == 1
    assert _assigned(db) == {code: (west, micro)}
    assert db.scalar(select(Enterprise.compound).where(Enterprise.uscc == code)) is not None


def test_big_first_load_rebuilds_the_same_indexes_and_keeps_trigger_effects(
    db, tmp_path, monkeypatch
):
    monkeypatch.setattr(bulk, "BULK_ROWS", 2)
    db.execute(text("DELETE FROM enterprise"))
    db.execute(text("DELETE FROM enterprise_cluster"))
    indexes = (
        "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE tablename IN ('enterprise', 'enterprise_cluster') UNION ALL "
        "SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid IN ('enterprise'::regclass, 'enterprise_cluster'::regclass)"
    )
    before = set(db.execute(text(indexes)).all())
    version = db.scalar(text("SELECT version FROM layer_change WHERE layer = 'enterprise'"))
    dropped: dict[str, list[list[str]]] = {"enterprise": [], "enterprise_cluster": []}
    real = bulk.drop_for_bulk_load

    def recorded(cursor, table, rows):
        dropped[table].append(real(cursor, table, rows))
        return dropped[table][-1]

    monkeypatch.setattr(bulk, "drop_for_bulk_load", recorded)
    codes = _codes(3)
    rows = [(c, f"企业{i}", 120.71 + i / 1000, 31.31) for i, c in enumerate(codes)]
    report = import_layer(db, "enterprise", _file(tmp_path, rows))
    # geom, name, the USCC key and the two foreign keys (grid, micro-grid), added again after
    # the rows; the partial indexes (compound, grid, micro-grid) stay; the clusters' key
    assert report.inserted == 3 and len(dropped["enterprise"][0]) == 5
    assert not any(" WHERE " in d for d in dropped["enterprise"][0])
    assert any("UNIQUE (uscc)" in d for d in dropped["enterprise"][0])
    assert sum("FOREIGN KEY" in d for d in dropped["enterprise"][0]) == 2
    assert len(dropped["enterprise_cluster"][0]) == 1
    assert set(db.execute(text(indexes)).all()) == before
    assert db.scalar(text("SELECT version FROM layer_change WHERE layer = 'enterprise'")) > version
    assert _clusters(db) == _clusters_from_scratch(db)
    # into a table that has rows, the indexes stay and grow row by row
    more = [(c, "后来", 120.72, 31.31) for c in _codes(2, seed=8)]
    assert import_layer(db, "enterprise", _file(tmp_path, more, "more.csv")).inserted == 2
    assert dropped["enterprise"][1] == [] and set(db.execute(text(indexes)).all()) == before


def _exact_clusters(db) -> dict[tuple[int, int], tuple]:
    rows = db.execute(text("SELECT level, cell, count, employees, pick, sum_u, sum_v "
                           "FROM enterprise_cluster WHERE count > 0")).all()  # fmt: skip
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def _same_clusters(ours: dict, theirs: dict) -> bool:
    """Counts, employees and picks equal; the float sums equal up to summation order."""
    return ours.keys() == theirs.keys() and all(
        ours[k][:3] == theirs[k][:3]
        and all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(ours[k][3:], theirs[k][3:]))
        for k in ours
    )


@pytest.mark.parametrize(
    "big", [False, True, "chunks"], ids=["into-rows", "bulk-into-empty", "chunked-into-empty"]
)
def test_deferred_cluster_fill_equals_the_per_statement_trigger(db, tmp_path, monkeypatch, big):
    # big: a first load into empty tables, whole (plain INSERT fill) or in chunks (stream.py)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 70)
    if not big or big is True:
        monkeypatch.setattr(stream, "applies", lambda *a: False)
    if big:  # nothing to merge into: the fill is a plain INSERT
        monkeypatch.setattr(bulk, "BULK_ROWS", 2)
        db.execute(text("DELETE FROM enterprise"))
        db.execute(text("DELETE FROM enterprise_cluster"))
    else:  # cells already counted: the fill's conflict arm adds to them
        old = [(c, "旧", 120.7101 + i / 1e6, 31.3101) for i, c in enumerate(_codes(3, seed=9))]
        import_layer(db, "enterprise", _file(tmp_path, old, "old.csv"), skip_invalid=True)
    rng = random.Random(11)
    codes = _codes(300, seed=10)
    # clumps: several enterprises share level-20 cells, ties of employees among them
    rows = [(c, f"企业{i}", 120.71 + rng.randrange(40) / 1e4 + rng.random() / 1e6,
             31.31 + rng.randrange(40) / 1e4) for i, c in enumerate(codes)]  # fmt: skip
    path = _file(tmp_path, rows, 员工数=[rng.choice([0, 5, 5, 120]) for _ in rows])
    next_id = db.scalar(text("SELECT nextval('enterprise_id_seq')"))
    restart = text("SELECT setval('enterprise_id_seq', :v, false)")  # same ids both times
    db.execute(restart, {"v": next_id})
    savepoint = db.begin_nested()
    assert import_layer(db, "enterprise", path).inserted == 300
    filled = _exact_clusters(db)
    savepoint.rollback()
    db.execute(restart, {"v": next_id})
    monkeypatch.setattr(load, "defer_clusters", lambda *a: None)  # the trigger's own way
    # the INSERT alone, its rows counted by the trigger
    monkeypatch.setattr(load, "_fill_clusters", lambda cur, insert, _: _rowcount(cur, insert))
    monkeypatch.setattr(load, "fill_clusters", lambda *a: 0)  # the chunked load's fill
    # … whose writer sets the cluster trigger aside: here it fires
    monkeypatch.setattr(stream._Writer, "ASIDE", ())
    assert import_layer(db, "enterprise", path).inserted == 300
    assert _same_clusters(filled, _exact_clusters(db))
    assert _clusters(db) == _clusters_from_scratch(db)


def _rowcount(cursor, statement) -> int:
    cursor.execute(statement)
    return int(cursor.rowcount)


def test_key_inserted_after_the_check_falls_back_to_the_upsert(db, tmp_path, monkeypatch):
    codes = _codes(2)
    rows = [(c, "甲", 120.71, 31.31) for c in codes]
    import_layer(db, "enterprise", _file(tmp_path, rows))
    monkeypatch.setattr(load, "_any_key_exists", lambda *a: False)  # as if raced
    renamed = [(c, "乙", 120.71, 31.31) for c in codes]
    report = import_layer(db, "enterprise", _file(tmp_path, renamed, "again.csv"))
    assert (report.inserted, report.updated) == (0, 2)
    assert set(db.scalars(select(Enterprise.name))) == {"乙"}


def test_a_key_arriving_during_a_bulk_load_without_its_unique_index_falls_back(
    db, tmp_path, monkeypatch
):
    """The USCC key is dropped for a big first load; adding it back still refuses a twin.

    (The chunked load, stream.py, locks the table before it looks: no twin can arrive.)"""
    monkeypatch.setattr(stream, "applies", lambda *a: False)
    monkeypatch.setattr(bulk, "BULK_ROWS", 2)
    db.execute(text("DELETE FROM enterprise"))
    codes = _codes(3)
    real = bulk.drop_for_bulk_load

    def raced(cursor, table, rows):
        dropped = real(cursor, table, rows)
        if table == "enterprise":  # as if written meanwhile: the key is not there to refuse it
            cursor.execute(
                "INSERT INTO enterprise (uscc, name, geom) "
                "VALUES (%s, '先到', ST_SetSRID(ST_MakePoint(120.71, 31.31), 4326))",
                (codes[0],),
            )
        return dropped

    monkeypatch.setattr(bulk, "drop_for_bulk_load", raced)
    rows = [(c, "后到", 120.71 + i / 1000, 31.31) for i, c in enumerate(codes)]
    report = import_layer(db, "enterprise", _file(tmp_path, rows))
    # undone to the savepoint (the early row with it), then the upsert wrote all three
    assert (report.inserted, report.updated) == (3, 0)
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 3
    assert set(db.scalars(select(Enterprise.name))) == {"后到"}
    assert _clusters(db) == _clusters_from_scratch(db)


def test_rows_sent_in_several_copy_pieces_all_arrive_in_order(db, tmp_path, monkeypatch):
    monkeypatch.setattr(stage, "CHUNK_ROWS", 2)
    codes = _codes(5)
    rows = [(c, f"企业{i}", 120.71 + i / 1000, 31.31) for i, c in enumerate(codes)]
    assert (
        import_layer(db, "enterprise", _file(tmp_path, rows, 员工数=[3, 0, 7, 1, 2])).inserted == 5
    )
    stored = db.execute(select(Enterprise.uscc, Enterprise.name, Enterprise.employees_day)).all()
    assert sorted(stored) == sorted(
        (c, f"企业{i}", n) for i, (c, n) in enumerate(zip(codes, [3, 0, 7, 1, 2], strict=True))
    )


def test_text_with_tabs_backslashes_and_line_breaks_arrives_exactly(db, tmp_path):
    code = _codes(1)[0]
    name = 'A\tB\\C\nD\r"E",F\\N'
    path = _file(tmp_path, [(code, name, 120.712345678901, 31.3)], 地址=["\\N"])
    assert import_layer(db, "enterprise", path).inserted == 1
    row = db.execute(select(Enterprise.name, Enterprise.address, Enterprise.raw_x)).one()
    assert (row.name, row.address, row.raw_x) == (name, "\\N", 120.712345678901)


@pytest.mark.parametrize(
    ("values", "cells"),
    [
        (pd.Series([1.5, float("nan"), 0.1]), ["1.5", "\\N", "0.1"]),
        (pd.Series([3, None, True], dtype=object), ["3", "\\N", "t"]),
        (pd.Series(["a\tb", None, "c"], dtype=object), ["a\\tb", "\\N", "c"]),
        (pd.Series([{"k": "值"}, None], dtype=object), ['{"k": "值"}', "\\N"]),
    ],
)
def test_copy_cells_are_postgres_text_format(values, cells):
    assert encode.encode_column(values) == cells


def test_an_imported_road_layer_has_planner_statistics_at_once(db, tmp_path):
    """The road graph's query needs them: without, a first evacuation plan takes a minute."""
    features = [
        {"type": "Feature", "properties": {"code": f"R-STAT-{i}", "name": "统计测试路",
                                           "road_class": "local"},
         "geometry": {"type": "LineString",
                      "coordinates": [[120.70 + i * 0.001, 31.30], [120.70 + i * 0.001, 31.31]]}}
        for i in range(8)
    ]  # fmt: skip
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert import_layer(db, "road", path).inserted == 8
    common = db.execute(text(
        "SELECT most_common_vals::text FROM pg_stats WHERE tablename = 'road' AND attname = 'name'"
    )).scalar()  # fmt: skip
    assert common is not None and "统计测试路" in common
