"""Grid and micro-grid codes: reading order, never reused, renumbering with lineage."""

from __future__ import annotations

from datetime import UTC, datetime

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import select

from geo.codes import next_code, planned_order, reading_order, renumber
from geo.models import CodeLineage, Grid, Microgrid
from tests.geo.layer_fixtures import add_community

COMMUNITY = "320571001001"


def _grid(db, community, number: int, bounds, **extra) -> Grid:
    grid = Grid(
        community_id=community.id,
        code=f"{COMMUNITY}{number:03d}",
        name=f"网格{number}",
        geom=from_shape(MultiPolygon([box(*bounds)]), 4326),
        **extra,
    )
    db.add(grid)
    db.flush()
    return grid


def test_reading_order_goes_west_to_east_in_rows_north_to_south():
    north_west, north_east = box(0, 1, 1, 2), box(1, 1.05, 2, 2.05)  # a ragged row
    south_west, south_east = box(0, 0, 1, 1), box(1, 0, 2, 1)
    shapes = [south_east, north_east, south_west, north_west]
    assert reading_order(shapes) == [3, 1, 2, 0]


def test_next_code_skips_numbers_used_by_retired_grids_and_lineage(db):
    community = add_community(db)
    _grid(db, community, 1, (120.70, 31.30, 120.72, 31.32))
    _grid(db, community, 3, (120.72, 31.30, 120.74, 31.32), valid_to=datetime.now(UTC))
    assert next_code(db, "grid", COMMUNITY) == f"{COMMUNITY}004"
    db.add(
        CodeLineage(
            layer="grid", old_code=f"{COMMUNITY}007", new_code=f"{COMMUNITY}001", reason="merge"
        )
    )
    db.flush()
    assert next_code(db, "grid", COMMUNITY) == f"{COMMUNITY}008"
    assert next_code(db, "microgrid", f"{COMMUNITY}001") == f"{COMMUNITY}001001"


def test_a_grid_added_in_the_middle_gets_the_next_code_until_renumbered(db):
    community = add_community(db)
    west = _grid(db, community, 1, (120.70, 31.30, 120.71, 31.32))
    east = _grid(db, community, 2, (120.73, 31.30, 120.74, 31.32))
    middle_code = next_code(db, "grid", COMMUNITY)
    middle = _grid(db, community, int(middle_code[-3:]), (120.71, 31.30, 120.73, 31.32))
    assert middle.code == f"{COMMUNITY}003"
    assert planned_order(db, COMMUNITY) == [
        (f"{COMMUNITY}001", f"{COMMUNITY}001"),
        (f"{COMMUNITY}003", f"{COMMUNITY}002"),
        (f"{COMMUNITY}002", f"{COMMUNITY}003"),
    ]
    micro = Microgrid(
        grid_id=east.id, kind="building", code=f"{COMMUNITY}002001", name="楼宇",
        geom=from_shape(MultiPolygon([box(120.731, 31.301, 120.732, 31.302)]), 4326),
    )  # fmt: skip
    db.add(micro)
    db.flush()

    changes = renumber(db, community_code=COMMUNITY)

    db.expire_all()
    assert (west.code, middle.code, east.code) == (
        f"{COMMUNITY}001",
        f"{COMMUNITY}002",
        f"{COMMUNITY}003",
    )
    assert micro.code == f"{COMMUNITY}003001"
    lineage = {(row.layer, row.old_code, row.new_code) for row in db.scalars(select(CodeLineage))}
    assert lineage == {
        ("grid", f"{COMMUNITY}003", f"{COMMUNITY}002"),
        ("grid", f"{COMMUNITY}002", f"{COMMUNITY}003"),
        ("microgrid", f"{COMMUNITY}002001", f"{COMMUNITY}003001"),
    }
    assert {(c.old, c.new) for c in changes} == {(o, n) for _, o, n in lineage}
    assert renumber(db, community_code=COMMUNITY) == []  # already in order
