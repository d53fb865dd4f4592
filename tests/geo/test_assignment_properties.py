"""Property tests: assignment in PostGIS equals the same rule computed in shapely.

Partitions are random guillotine splits of a rectangle whose pieces are dealt to a few grids (so
grids come L-shaped, multi-part, with holes, or not at all: gaps), plus a retired grid. Points
are drawn from piece corners and edge midpoints (exactly on shared vertices and edges) and at
random, some outside everything. Coordinates are multiples of 2⁻¹¹° from a base point, so "on
an edge" is exact in both libraries. Each example runs in a savepoint rolled back after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from geo.assignment import assign_all, edit_area, reassign_area
from tests.geo.test_assignment import Place, at, rect

W, H = 8, 6
PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Case:
    """Pieces with the grid label each went to (None: a gap), points, micro-grids."""

    pieces: list[tuple[Box, int | None]]
    points: list[tuple[float, float]]
    compounds: list[Box | None]
    micros: list[Box]
    order: list[int]  # the order grid labels are inserted in, so ids differ from labels
    retired: Box


@st.composite
def pieces(draw: st.DrawFn, x0: int = 0, y0: int = 0, x1: int = W, y1: int = H, depth: int = 0):
    """Guillotine split of the box at whole steps into rectangles."""
    splittable = [axis for axis, size in ((0, x1 - x0), (1, y1 - y0)) if size > 1]
    if depth >= 4 or not splittable or draw(st.integers(0, 4)) == 0:
        return [(x0, y0, x1, y1)]
    if draw(st.sampled_from(splittable)) == 0:
        cut = draw(st.integers(x0 + 1, x1 - 1))
        halves = ((x0, y0, cut, y1), (cut, y0, x1, y1))
    else:
        cut = draw(st.integers(y0 + 1, y1 - 1))
        halves = ((x0, y0, x1, cut), (x0, cut, x1, y1))
    return [p for half in halves for p in draw(pieces(*half, depth=depth + 1))]


def boxes(max_size: int) -> st.SearchStrategy[Box]:
    corner = st.tuples(st.integers(-1, 2 * W), st.integers(-1, 2 * H))
    size = st.tuples(st.integers(1, max_size), st.integers(1, max_size))
    return st.builds(
        lambda c, s: (c[0] / 2, c[1] / 2, (c[0] + s[0]) / 2, (c[1] + s[1]) / 2), corner, size
    )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    rects = draw(pieces())
    labels = draw(
        st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=len(rects), max_size=len(rects))
    )
    special = [
        (x, y)
        for r in rects
        for x, y in (
            (r[0], r[1]),
            (r[2], r[3]),
            ((r[0] + r[2]) / 2, r[1]),
            (r[0], (r[1] + r[3]) / 2),
        )
    ]
    anywhere = st.tuples(st.floats(-1, W + 1), st.floats(-1, H + 1))
    points = draw(st.lists(st.one_of(st.sampled_from(special), anywhere), min_size=1, max_size=40))
    compounds = draw(
        st.lists(st.one_of(st.none(), boxes(4)), min_size=len(points), max_size=len(points))
    )
    return Case(
        pieces=list(zip(rects, labels, strict=True)), points=points, compounds=compounds,
        micros=draw(st.lists(boxes(6), max_size=6)), order=draw(st.permutations(range(5))),
        retired=draw(boxes(8)),
    )  # fmt: skip


@dataclass
class World:
    """What a case became in the database: live grids and micro-grids by id, grid ids by
    label, enterprise ids in the order of the case's points."""

    grids: dict[int, Polygon]
    labels: dict[int, int]
    micros: dict[int, Polygon]
    ids: list[int]


FAR = rect(-9, -9, -8, -8)  # where a grid that lost all its pieces goes


def build(place: Place, case: Case) -> World:
    """Insert the case's grids (in its label order), retired grid, micro-grids, enterprises."""
    world = World({}, {}, {}, [])
    for label in case.order:
        parts = [rect(*r) for r, lab in case.pieces if lab == label]
        if parts:
            geom = shapely.union_all(parts)
            world.labels[label] = place.grid(geom)
            world.grids[world.labels[label]] = geom
    parent = place.grid(rect(*case.retired), retired=True)
    world.micros = {place.micro(rect(*m), grid_id=parent): rect(*m) for m in case.micros}
    world.ids = [
        place.enterprise(at(*p), compound=rect(*c) if c else None)
        for p, c in zip(case.points, case.compounds, strict=True)
    ]
    return world


def expected(world: World, point: Point, compound: Polygon | None) -> tuple[int | None, ...]:
    """The rule in shapely: covering grid with the smallest id; micro-grid covering the point,
    else overlapping the compound, smallest id; None when there is none."""
    grid = min((k for k, g in world.grids.items() if g.covers(point)), default=None)
    micro = min((k for k, m in world.micros.items() if m.covers(point)), default=None)
    if micro is None and compound is not None:
        micro = min((k for k, m in world.micros.items() if m.intersects(compound)), default=None)
    return grid, micro


def check(place: Place, case: Case, world: World) -> None:
    """Every enterprise's stored assignment is the one shapely computes."""
    for (x, y), c, eid in zip(case.points, case.compounds, world.ids, strict=True):
        want = expected(world, at(x, y), rect(*c) if c else None)
        assert place.assignment(eid) == want, (x, y, c)


@PROPERTY_SETTINGS
@given(case=cases())
def test_assign_all_equals_the_rule_computed_in_shapely(db, case):
    savepoint = db.begin_nested()
    try:
        place = Place(db)
        world = build(place, case)
        result = assign_all(db)
        check(place, case, world)
        covered = sum(any(g.covers(at(*p)) for g in world.grids.values()) for p in case.points)
        assert (result.assigned, result.orphans) == (covered, len(case.points) - covered)
    finally:
        savepoint.rollback()


@PROPERTY_SETTINGS
@given(case=cases(), moved=st.integers(0, 50), to=st.one_of(st.none(), st.integers(0, 4)))
def test_reassign_area_after_a_piece_changes_grid_equals_the_rule(db, case, moved, to):
    savepoint = db.begin_nested()
    try:
        place = Place(db)
        world = build(place, case)
        assign_all(db)
        piece, old = case.pieces[moved % len(case.pieces)]
        dealt = [(r, to if r == piece else label) for r, label in case.pieces]
        for label in {old, to} & world.labels.keys():
            parts = [rect(*r) for r, lab in dealt if lab == label]
            world.grids[world.labels[label]] = shapely.union_all(parts) if parts else FAR
            place.move_grid(world.labels[label], world.grids[world.labels[label]])
        reassign_area(db, changed=edit_area(rect(*piece), None))
        check(place, case, world)
    finally:
        savepoint.rollback()
