"""Property tests: random reshape/split/merge sequences on random partitions keep the rules.

Partitions are guillotine cuts of the 0..4 × 0..2 community (steps of 2⁻¹⁰°) into rectangles,
one grid each; enterprises stand at random points inside. After every operation (applied or
refused) the grids partition the community (no overlap or gap ≥ 0.01 m²) and no enterprise
inside it is an orphan; undoing the last applied operation restores the shapes exactly.
"""

from __future__ import annotations

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString
from sqlalchemy import func, select

from geo.editing import EditRequest, edit, undo
from geo.editing.measure import partition_problems
from geo.errors import GridmapError
from geo.models import Enterprise
from tests.geo.editing_fixtures import at, empty_community, rect, xy

SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def cuts(draw: st.DrawFn, x0=0, y0=0, x1=8, y1=4, depth=0):  # half steps
    sizes = [a for a, s in ((0, x1 - x0), (1, y1 - y0)) if s > 1]
    if depth >= 3 or not sizes or draw(st.integers(0, 3)) == 0:
        return [(x0 / 2, y0 / 2, x1 / 2, y1 / 2)]
    if draw(st.sampled_from(sizes)) == 0:
        c = draw(st.integers(x0 + 1, x1 - 1))
        halves = ((x0, y0, c, y1), (c, y0, x1, y1))
    else:
        c = draw(st.integers(y0 + 1, y1 - 1))
        halves = ((x0, y0, x1, c), (x0, c, x1, y1))
    return [b for h in halves for b in draw(cuts(*h, depth=depth + 1))]


quarter = st.integers(0, 16).map(lambda v: v / 4)
step = st.one_of(
    st.tuples(st.just("reshape"), st.integers(0, 9), quarter, quarter, quarter, quarter),
    st.tuples(st.just("split"), st.integers(0, 9), quarter, st.booleans()),
    st.tuples(st.just("merge"), st.integers(0, 9), st.integers(0, 9)),
)


def _request(p, op) -> EditRequest | None:
    live = sorted(p.shapes())
    pick = live[op[1] % len(live)]
    from geo.models import Grid

    version = p.db.scalar(select(Grid.version).where(Grid.code == pick))
    if op[0] == "reshape":
        x0, x1 = sorted((op[2], op[3]))
        y0, y1 = sorted((op[4] / 2, op[5] / 2))
        if x1 - x0 < 0.25 or y1 - y0 < 0.25:
            return None
        return EditRequest(op="reshape", reason="p", grid=pick, versions={pick: version},
                           geometry=rect(x0, y0, x1, y1))  # fmt: skip
    if op[0] == "split":
        line = (LineString([xy(op[2], -1), xy(op[2], 3)]) if op[3]
                else LineString([xy(-1, op[2] / 2), xy(5, op[2] / 2)]))  # fmt: skip
        return EditRequest(op="split", reason="p", grid=pick, versions={pick: version},
                           geometry=line)  # fmt: skip
    other = live[op[2] % len(live)]
    if other == pick:
        return None
    v2 = p.db.scalar(select(Grid.version).where(Grid.code == other))
    return EditRequest(op="merge", reason="p", grids=(pick, other),
                       versions={pick: version, other: v2})  # fmt: skip


def _check(p) -> None:
    assert partition_problems(p.outline(), p.shapes()) == []
    orphans = p.db.scalar(
        select(func.count()).where(Enterprise.grid_id.is_(None),
                                   func.ST_Covers(p.community.geom, Enterprise.geom))
    )  # fmt: skip
    assert orphans == 0


@SETTINGS
@given(boxes=cuts(), ops=st.lists(step, min_size=1, max_size=3),
       points=st.lists(st.tuples(st.integers(1, 15), st.integers(1, 7)), max_size=6))  # fmt: skip
def test_random_edits_keep_the_partition_and_undo_restores(db, boxes, ops, points):
    nested = db.begin_nested()
    try:
        p = empty_community(db)
        for i, b in enumerate(boxes):
            p.grid(str(i), rect(*b))
        for i, (x, y) in enumerate(points):
            p.enterprise(f"e{i}", at(x / 4, y / 4))
        p.assign()
        applied: list[tuple[int, dict]] = []
        for op in ops:
            request = _request(p, op)
            if request is None:
                continue
            before = p.shapes()
            try:
                done = edit(db, request)
            except GridmapError:
                _check(p)
                continue
            _check(p)
            applied.append((done.operation_id or 0, before))
        for operation_id, before in reversed(applied):  # undo the sequence, newest first
            undo(db, operation_id, reason="撤销")
            restored = p.shapes()
            assert set(restored) == set(before)
            assert all(shapely.equals_exact(restored[c], before[c], 0) for c in before)
            _check(p)
    finally:
        nested.rollback()
