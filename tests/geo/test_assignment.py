"""Assignment of enterprises to grids and micro-grids (DESIGN §4) on small hand-made partitions.

Coordinates are whole or half multiples of 2⁻¹⁰° from a base point, so every point put "on" an
edge or vertex is exactly on it in binary floating point, in PostGIS as in shapely.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, Polygon, box
from sqlalchemy import select

from geo.assignment import (
    AssignResult,
    assign_all,
    assign_enterprises,
    count_orphans,
    edit_area,
    orphans,
    reassign_area,
)
from geo.errors import CrsUnknown, InvalidGeometry, InvalidInput
from geo.models import Community, Enterprise, Grid, Microgrid, Park
from geo.uscc import generate

BASE_X, BASE_Y, STEP = 120.5, 31.25, 1 / 1024


def at(x: float, y: float) -> Point:
    """The point x, y steps from the base."""
    return Point(BASE_X + x * STEP, BASE_Y + y * STEP)


def rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """The axis-aligned rectangle between two corners, in steps from the base."""
    return box(BASE_X + x0 * STEP, BASE_Y + y0 * STEP, BASE_X + x1 * STEP, BASE_Y + y1 * STEP)


def multi(geom: Polygon | MultiPolygon) -> MultiPolygon:
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])


class Place:
    """Rows of one test's park, added to the session as the test asks for them."""

    def __init__(self, db, seed: int = 0) -> None:
        self.db = db
        self.rng = random.Random(seed)
        self.numbers = itertools.count(1)
        park = Park(code="999001", name="测试园区", geom=from_shape(multi(rect(-99, -99, 99, 99))))
        db.add(park)
        db.flush()
        self.community = Community(
            park_id=park.id, code="999001001001", name="测试社区", geom=park.geom
        )
        db.add(self.community)
        db.flush()

    def grid(self, geom: Polygon | MultiPolygon, *, kind: str = "base", retired: bool = False):
        """A grid (live unless retired); returns its id."""
        old = datetime.now(UTC) - timedelta(days=30)
        row = Grid(
            community_id=self.community.id, kind=kind, code=f"999001001001{next(self.numbers):03d}",
            name="网格", geom=from_shape(multi(geom), 4326),
            valid_from=old, valid_to=old + timedelta(days=1) if retired else None,
        )  # fmt: skip
        return self._add(row)

    def micro(self, geom: Polygon, *, grid_id: int, retired: bool = False) -> int:
        """A micro-grid of kind enterprise; returns its id."""
        old = datetime.now(UTC) - timedelta(days=30)
        row = Microgrid(
            grid_id=grid_id, kind="enterprise", code=f"999001001001001{next(self.numbers):03d}",
            name="微网格", geom=from_shape(multi(geom), 4326),
            valid_from=old, valid_to=old + timedelta(days=1) if retired else None,
        )  # fmt: skip
        return self._add(row)

    def enterprise(self, point: Point, *, compound: Polygon | None = None) -> int:
        """An enterprise with a valid USCC at point; returns its id."""
        row = Enterprise(
            uscc=generate(self.rng), name=f"企业{next(self.numbers)}",
            geom=from_shape(point, 4326),
            compound=from_shape(multi(compound), 4326) if compound is not None else None,
        )  # fmt: skip
        return self._add(row)

    def assignment(self, enterprise_id: int) -> tuple[int | None, int | None]:
        """The enterprise's (grid_id, microgrid_id) as stored now."""
        query = select(Enterprise.grid_id, Enterprise.microgrid_id).where(
            Enterprise.id == enterprise_id
        )
        grid_id, microgrid_id = self.db.execute(query).one()
        return grid_id, microgrid_id

    def grid_of(self, enterprise_id: int) -> int | None:
        return self.assignment(enterprise_id)[0]

    def move_grid(self, grid_id: int, geom: Polygon | MultiPolygon) -> None:
        self.db.get(Grid, grid_id).geom = from_shape(multi(geom), 4326)
        self.db.flush()

    def _add(self, row) -> int:
        self.db.add(row)
        self.db.flush()
        return int(row.id)


@pytest.fixture
def place(db) -> Place:
    return Place(db)


def test_a_point_on_a_shared_edge_goes_to_the_smallest_grid_id(place):
    east = place.grid(rect(4, 0, 8, 4))  # created first: the smaller id
    west = place.grid(rect(0, 0, 4, 4))
    on_edge, inside_west, inside_east = (
        place.enterprise(at(*p)) for p in [(4, 1.5), (2, 2), (6, 2)]
    )
    assign_all(place.db)
    assert east < west
    assert place.grid_of(on_edge) == east
    assert (place.grid_of(inside_west), place.grid_of(inside_east)) == (west, east)


def test_a_point_on_a_vertex_shared_by_four_grids_goes_to_the_smallest_id(place):
    quarters = [rect(2, 2, 4, 4), rect(0, 0, 2, 2), rect(2, 0, 4, 2), rect(0, 2, 2, 4)]
    ids = [place.grid(q) for q in quarters]
    centre, corner = place.enterprise(at(2, 2)), place.enterprise(at(4, 4))
    assign_all(place.db)
    assert place.grid_of(centre) == min(ids)
    assert place.grid_of(corner) == ids[0]  # a vertex of one grid only


def test_a_point_in_a_hole_goes_to_the_grid_filling_it_or_is_an_orphan(place):
    holed = place.grid(Polygon(rect(0, 0, 8, 8).exterior, [rect(2, 2, 4, 4).exterior.coords]))
    island = place.grid(rect(2, 2, 4, 4))
    empty_hole = place.grid(Polygon(rect(10, 0, 18, 8).exterior, [rect(12, 2, 14, 4).exterior]))
    in_island, on_hole_edge = place.enterprise(at(3, 3)), place.enterprise(at(2, 3))
    in_empty_hole, on_empty_hole_edge = place.enterprise(at(13, 3)), place.enterprise(at(14, 3))
    assign_all(place.db)
    assert place.grid_of(in_island) == island
    assert place.grid_of(on_hole_edge) == min(holed, island)
    assert place.grid_of(in_empty_hole) is None
    assert place.grid_of(on_empty_hole_edge) == empty_hole


def test_a_point_outside_every_grid_is_an_orphan_and_listed(place):
    place.grid(rect(0, 0, 4, 4))
    outside = place.enterprise(at(9, 9))
    place.enterprise(at(1, 1))
    result = assign_all(place.db)
    assert result == AssignResult(assigned=1, orphans=1, changed=1)
    assert count_orphans(place.db) == 1
    [orphan] = orphans(place.db)
    row = place.db.get(Enterprise, outside)
    assert (orphan.id, orphan.uscc, orphan.name) == (outside, row.uscc, row.name)
    assert (orphan.lon, orphan.lat) == (at(9, 9).x, at(9, 9).y)


def test_orphans_come_a_page_at_a_time_by_id(place):
    ids = [place.enterprise(at(50 + i, 50)) for i in range(5)]
    assign_all(place.db)
    assert [o.id for o in orphans(place.db, limit=2, offset=1)] == ids[1:3]
    assert orphans(place.db, limit=0) == []
    with pytest.raises(InvalidInput):
        orphans(place.db, limit=-1)


def test_a_multi_part_grid_takes_the_points_of_every_part(place):
    two_parts = place.grid(MultiPolygon([rect(0, 0, 2, 2), rect(6, 0, 8, 2)]))
    between = place.grid(rect(2, 0, 6, 2))
    points = [place.enterprise(at(*p)) for p in [(1, 1), (7, 1), (4, 1), (6, 0.5)]]
    assign_all(place.db)
    assert [place.grid_of(p) for p in points] == [two_parts, two_parts, between, two_parts]


def test_a_dedicated_grid_carved_out_of_base_grids_takes_its_enterprises(place):
    dedicated_area = rect(3, 1, 5, 3)  # straddles the two base grids' former border x = 4
    west = place.grid(rect(0, 0, 4, 4).difference(dedicated_area))
    east = place.grid(rect(4, 0, 8, 4).difference(dedicated_area))
    dedicated = place.grid(dedicated_area, kind="dedicated")
    in_dedicated, on_its_edge = place.enterprise(at(4, 2)), place.enterprise(at(5, 2))
    west_point, east_point = place.enterprise(at(1, 2)), place.enterprise(at(7, 2))
    assign_all(place.db)
    assert place.grid_of(in_dedicated) == dedicated
    assert place.grid_of(on_its_edge) == min(east, dedicated)
    assert (place.grid_of(west_point), place.grid_of(east_point)) == (west, east)


def test_a_retired_grid_is_ignored(place):
    retired = place.grid(rect(0, 0, 8, 4), retired=True)  # the smaller id, but retired
    live = place.grid(rect(0, 0, 4, 4))
    in_both, only_retired = place.enterprise(at(2, 2)), place.enterprise(at(6, 2))
    assign_all(place.db)
    assert retired < live
    assert place.grid_of(in_both) == live
    assert place.grid_of(only_retired) is None


def test_micro_grid_by_point_with_the_smallest_id_on_a_shared_edge(place):
    grid = place.grid(rect(0, 0, 8, 4))
    east = place.micro(rect(4, 0, 6, 2), grid_id=grid)
    west = place.micro(rect(2, 0, 4, 2), grid_id=grid)
    place.micro(rect(0, 2, 2, 4), grid_id=grid, retired=True)
    in_west, on_edge, in_retired = (place.enterprise(at(*p)) for p in [(3, 1), (4, 1), (1, 3)])
    assign_all(place.db)
    assert place.assignment(in_west) == (grid, west)
    assert place.assignment(on_edge) == (grid, min(east, west))
    assert place.assignment(in_retired) == (grid, None)


def test_micro_grid_by_compound_overlap_prefers_the_one_covering_the_point(place):
    grid = place.grid(rect(0, 0, 12, 4))
    first = place.micro(rect(0, 0, 2, 2), grid_id=grid)
    second = place.micro(rect(3, 0, 5, 2), grid_id=grid)
    third = place.micro(rect(8, 0, 10, 2), grid_id=grid)
    between = place.enterprise(at(2.5, 1), compound=rect(1.5, 0.5, 3.5, 1.5))
    covered = place.enterprise(at(4, 1), compound=rect(1.5, 0.5, 4.5, 1.5))
    touching = place.enterprise(at(11, 1), compound=rect(10, 0.5, 11.5, 1.5))
    no_compound = place.enterprise(at(6.5, 1))
    assign_all(place.db)
    assert place.assignment(between) == (grid, first)  # overlaps two: the smallest id
    assert place.assignment(covered) == (grid, second)  # point in second beats first's overlap
    assert place.assignment(touching) == (grid, third)  # a shared edge counts as overlap
    assert place.assignment(no_compound) == (grid, None)


def test_assign_all_writes_only_what_changes(place):
    place.grid(rect(0, 0, 4, 4))
    for p in [(1, 1), (2, 2), (9, 9)]:
        place.enterprise(at(*p))
    assert assign_all(place.db) == AssignResult(assigned=2, orphans=1, changed=2)
    assert assign_all(place.db) == AssignResult(assigned=2, orphans=1, changed=0)


def test_assign_enterprises_assigns_the_listed_ones_only(place):
    grid = place.grid(rect(0, 0, 4, 4))
    listed, other = place.enterprise(at(1, 1)), place.enterprise(at(2, 2))
    uscc = place.db.get(Enterprise, listed).uscc
    assert assign_enterprises(place.db, usccs=[uscc, "91320594MA0000000X"]) == 1
    assert (place.grid_of(listed), place.grid_of(other)) == (grid, None)
    assert assign_enterprises(place.db) == 2
    assert place.grid_of(other) == grid


def test_reassign_area_after_moving_a_boundary_changes_exactly_the_moved_strip(place):
    west = place.grid(rect(0, 0, 4, 4))
    east = place.grid(rect(4, 0, 8, 4))
    xs = [0.5, 3.5, 4, 4.25, 4.5, 5, 5.5, 7.5]
    ids = {x: place.enterprise(at(x, 2)) for x in xs}
    assign_all(place.db)
    before = {x: place.grid_of(i) for x, i in ids.items()}
    old_west = rect(0, 0, 4, 4)
    place.move_grid(west, rect(0, 0, 5, 4))  # the border moves from x = 4 to x = 5
    place.move_grid(east, rect(5, 0, 8, 4))
    changed = reassign_area(place.db, changed=edit_area(old_west, rect(0, 0, 5, 4)))
    after = {x: place.grid_of(i) for x, i in ids.items()}
    moved = {x for x in xs if before[x] != after[x]}
    assert moved == {4.25, 4.5, 5} and changed == 3
    assert all(after[x] == west for x in moved)
    assert assign_all(place.db).changed == 0  # bulk and incremental agree


def test_reassign_area_follows_a_micro_grid_edit_and_its_compounds(place):
    grid = place.grid(rect(0, 0, 8, 4))
    micro = place.micro(rect(0, 0, 2, 2), grid_id=grid)
    by_point = place.enterprise(at(2.5, 1))
    by_compound = place.enterprise(at(3.5, 3), compound=rect(2.25, 2.5, 3.75, 3.5))
    assign_all(place.db)
    assert place.assignment(by_point)[1] is None
    place.db.get(Microgrid, micro).geom = from_shape(multi(rect(0, 0, 3, 3)), 4326)
    place.db.flush()
    assert reassign_area(place.db, changed=edit_area(rect(0, 0, 2, 2), rect(0, 0, 3, 3))) == 2
    assert place.assignment(by_point) == (grid, micro)
    assert place.assignment(by_compound) == (grid, micro)


def test_bulk_and_incremental_agree_after_random_edits(place):
    rng = random.Random(7)
    cells = {
        (i, j): place.grid(rect(2 * i, 2 * j, 2 * i + 2, 2 * j + 2))
        for i in range(4)
        for j in range(3)
    }
    for _ in range(150):
        place.enterprise(
            at(rng.choice([rng.uniform(-1, 9), rng.randint(0, 8)]), rng.uniform(-1, 7))
        )
    assign_all(place.db)
    for (i, j), grid_id in rng.sample(sorted(cells.items()), 4):
        old, new = (
            rect(2 * i, 2 * j, 2 * i + 2, 2 * j + 2),
            rect(2 * i - 0.5, 2 * j, 2 * i + 2, 2 * j + 2.5),
        )
        place.move_grid(grid_id, new)
        reassign_area(place.db, changed=edit_area(old, new))
        assert assign_all(place.db).changed == 0


def test_reassign_area_reads_wkb_hex_and_ewkt_and_refuses_other_crs(place):
    grid = place.grid(rect(0, 0, 4, 4))
    ent = place.enterprise(at(1, 1))
    area = rect(0, 0, 2, 2)
    assert reassign_area(place.db, changed=shapely.to_wkb(area)) == 1
    assert place.grid_of(ent) == grid
    assert reassign_area(place.db, changed=f"SRID=4490;{area.wkt}") == 0
    assert reassign_area(place.db, changed=shapely.to_wkb(area, hex=True)) == 0
    assert reassign_area(place.db, changed=Polygon()) == 0
    with pytest.raises(CrsUnknown):
        reassign_area(place.db, changed=f"SRID=3857;{area.wkt}")
    with pytest.raises(InvalidGeometry):
        reassign_area(place.db, changed="POLYGON((1 2")


def test_edit_area_is_what_the_boundary_gained_or_lost():
    assert edit_area(rect(0, 0, 2, 2), rect(0, 0, 3, 2)).equals(rect(2, 0, 3, 2))
    assert edit_area(None, rect(0, 0, 1, 1)).equals(rect(0, 0, 1, 1))
    with pytest.raises(InvalidInput):
        edit_area(None, None)
