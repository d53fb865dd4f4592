"""A chunked load's cluster sums made in Python (geo/layers/chunk_clusters.py): the cells are
tile_cell's, or left to it; the ids reserved are the sequence's; the clusters come out as if
PostGIS had summed every row."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from geo.layers import chunk_clusters
from geo.layers.importer import import_layer
from tests.geo.test_import_load import _clusters, _clusters_from_scratch, _codes, _file
from tests.geo.test_import_stream import chunked  # noqa: F401 (a fixture)

TILE_CELLS = text(
    "SELECT tile_cell(ST_SetSRID(ST_MakePoint(x, y), 4326)) >> 4 "
    "FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) WITH ORDINALITY AS p(x, y, n) "
    "ORDER BY n"
)

RANDOM = 4000


def _points() -> tuple[np.ndarray, np.ndarray]:
    """Random points over the map's square, and points exactly on level-20 cell edges (and a
    hair either side), where a last-bit difference would change the cell."""
    rng = np.random.default_rng(5)
    xs, ys = list(rng.uniform(-180, 180, RANDOM)), list(rng.uniform(-85, 85, RANDOM))
    edges = rng.integers(0, 2**20, 300)
    for k in edges.tolist():
        x = -180 + k * 360 / 2**20  # a column's west edge
        lat = float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * k / 2**20)))))  # a row's
        for dx in (0.0, 1e-9, -1e-9, 1e-13):
            xs.append(x + dx)
            ys.append(max(min(lat + dx, 85.0), -85.0))
    for x, y in ((-180, 0), (180, 0), (0, 85), (0, -85), (120.7, 31.3), (0, 0)):
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def test_sure_cells_are_tile_cells_and_few_are_left_to_postgis(db):
    xs, ys = _points()
    ours, sure, _, _ = chunk_clusters.cells(xs, ys)
    theirs = db.execute(TILE_CELLS, {"xs": xs.tolist(), "ys": ys.tolist()}).scalars().all()
    assert (ours[sure] == np.array(theirs)[sure]).all()
    assert sure[:RANDOM].sum() >= RANDOM - 2  # within 1e-6 of a row's edge by chance: rare
    assert sure.sum() < len(xs) - 300  # a point on a row's edge is left to PostGIS


def test_points_beyond_the_safe_latitudes_are_left_to_postgis():
    _, sure, _, _ = chunk_clusters.cells(
        np.array([0.0, 0, 0, 0, 181]), np.array([85.5, -89, 90, -90, 0])
    )
    assert not sure.any()


def test_reserved_ids_are_the_sequences_next_and_it_goes_on_after_them(db):
    cursor = db.connection().connection.dbapi_connection.cursor()
    first = chunk_clusters.reserve_ids(cursor, "enterprise", 50)
    cursor.execute("SELECT nextval(pg_get_serial_sequence('enterprise', 'id'))")
    assert cursor.fetchone()[0] == first + 50


@pytest.mark.parametrize(
    "margin", [chunk_clusters.MARGIN, 0.25, 1.0], ids=["python", "both", "postgis"]
)
def test_a_chunked_load_gives_the_clusters_postgis_would(chunked, tmp_path, monkeypatch, margin):  # noqa: F811
    """Summed in Python; about half the rows, or (a margin of a whole cell) every row, left to
    tile_cell. The points crowd into a few cells, so most cells get rows of both kinds."""
    db = chunked
    monkeypatch.setattr(chunk_clusters, "MARGIN", margin)
    codes = _codes(120, seed=3)
    rng = np.random.default_rng(9)
    rows = [(c, f"企业{i}", 120.7 + rng.random() / 250, 31.3 + rng.random() / 250)
            for i, c in enumerate(codes)]  # fmt: skip
    employees = rng.integers(0, 500, len(rows)).tolist()
    path = _file(tmp_path, rows, 从业人数=employees)
    report = import_layer(db, "enterprise", path)
    assert report.inserted == 120 and report.written
    assert _clusters(db) == _clusters_from_scratch(db)
    ids = db.execute(text("SELECT min(id), max(id), count(*) FROM enterprise")).one()
    assert ids[1] - ids[0] + 1 == ids[2] == 120  # one block of the sequence
    created = db.execute(
        text(
            "INSERT INTO enterprise (uscc, name, geom) VALUES "
            "(:code, '后来的', ST_SetSRID(ST_MakePoint(120.71, 31.31), 4326)) RETURNING id"
        ),
        {"code": _codes(121, seed=3)[-1]},
    ).scalar_one()
    assert created > ids[1]
