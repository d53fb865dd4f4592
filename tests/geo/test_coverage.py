"""Monthly visit coverage against an independent SQL computation, closing, boundary edits,
and the visiting tour."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, Point, box
from sqlalchemy import delete, select, text

from geo.coverage import figures, months, route
from geo.editing import EditRequest, edit
from geo.errors import Conflict, InvalidInput
from geo.models import Enterprise, Grid, Road, Visit
from geo.uscc import generate
from tests.geo.catalog_fixtures import C1, G1, G2, G3, build_world

OCTOBER = date(2026, 10, 1)
BOXES = {G1: (120.6, 31.2, 120.65, 31.3), G2: (120.65, 31.2, 120.7, 31.3),
         G3: (120.7, 31.2, 120.8, 31.3)}  # fmt: skip
CHECKS = ["verified", "flagged", "no_location"]

PLAIN = text("""
WITH per AS (
    SELECT e.id, g.code, count(v.id) AS n,
           count(v.id) FILTER (WHERE v.check_result = 'verified') AS ver,
           count(v.id) FILTER (WHERE v.check_result = 'flagged') AS fl
    FROM enterprise e JOIN grid g ON g.id = e.grid_id AND g.valid_to IS NULL
    LEFT JOIN visit v ON v.enterprise_id = e.id AND v.visited_at >= :since
                     AND v.visited_at < :until
    WHERE e.status = 'operating'
    GROUP BY e.id, g.code
)
SELECT code, count(*) FILTER (WHERE n > 0), count(*) FILTER (WHERE ver > 0),
       count(*) FILTER (WHERE ver = 0 AND fl > 0), count(*)
FROM per GROUP BY code ORDER BY code
""")


def _random_world(db, seed: int, n: int = 120):
    world = build_world(db)
    rng = random.Random(seed)
    ids = []
    for i in range(n):
        code = rng.choice(list(BOXES))
        minx, miny, maxx, maxy = BOXES[code]
        point = Point(rng.uniform(minx + 1e-4, maxx - 1e-4), rng.uniform(miny + 1e-4, maxy - 1e-4))
        status = rng.choice(["operating"] * 8 + ["closed", "suspended"])
        enterprise = Enterprise(
            uscc=generate(rng), name=f"随机企业{i}", status=status,
            grid_id=world.grids[code].id, geom=from_shape(point, 4326),
        )  # fmt: skip
        db.add(enterprise)
        db.flush()
        ids.append(enterprise.id)
    return world, rng, ids


def _visit(db, enterprise_id: int, when: datetime, check: str, **kw) -> Visit:
    visit = Visit(enterprise_id=enterprise_id, visited_at=when, check_result=check, **kw)
    db.add(visit)
    db.flush()
    return visit


def _random_visits(db, rng: random.Random, ids: list[int], count: int) -> list[Visit]:
    since, until = months.month_bounds(OCTOBER)
    span = (until - since).total_seconds()
    made = []
    for _ in range(count):
        # some before and after the month, some right at its edges (China Standard Time)
        offset = rng.choice([rng.uniform(-86400 * 5, span + 86400 * 5), 0, span - 1, span])
        offset += rng.random() * 0.5  # (enterprise, instant) is unique
        made.append(_visit(db, rng.choice(ids), since + timedelta(seconds=offset),
                           rng.choice(CHECKS)))  # fmt: skip
    return made


def _plain(db, month: date) -> list[tuple]:
    since, until = months.month_bounds(month)
    return [tuple(r) for r in db.execute(PLAIN, {"since": since, "until": until})]


def _ours(db, month: date) -> list[tuple]:
    return [(u.code, u.visited, u.verified, u.flagged, u.total)
            for u in figures.live_units(db, month, "grid")]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_grid_figures_match_a_plain_group_by_over_random_visits(db, seed):
    _world, rng, ids = _random_world(db, seed)
    visits = _random_visits(db, rng, ids, 400)
    assert _ours(db, OCTOBER) == _plain(db, OCTOBER)
    # updates and deletes keep the figures right too
    for visit in rng.sample(visits, 60):
        visit.check_result = rng.choice(CHECKS)
        visit.visited_at += timedelta(days=rng.choice([-20, 0, 20]))
    db.flush()
    db.execute(delete(Visit).where(Visit.id.in_([v.id for v in rng.sample(visits, 60)])))
    db.flush()
    assert _ours(db, OCTOBER) == _plain(db, OCTOBER)
    assert _ours(db, date(2026, 9, 1)) == _plain(db, date(2026, 9, 1))


def test_same_month_visits_count_once_and_flagged_ones_are_counted_apart(db):
    world = build_world(db)
    e1, e2 = (db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc[k]))
              for k in ("e1", "e2"))  # fmt: skip
    when = datetime(2026, 10, 3, 2, tzinfo=UTC)
    for day in range(3):
        _visit(db, e1, when + timedelta(days=day), "flagged")
    _visit(db, e2, when, "no_location")
    [g1] = figures.live_units(db, OCTOBER, "grid", grid=G1)
    assert (g1.visited, g1.verified, g1.flagged, g1.total, g1.percent) == (2, 0, 1, 2, 100.0)
    states = {r.uscc: (r.state, r.visits) for r in figures.rows(db, OCTOBER, grid=G1)}
    assert states == {world.uscc["e1"]: ("flagged", 3), world.uscc["e2"]: ("visited", 1)}
    _visit(db, e1, when + timedelta(days=9), "verified")
    [g1] = figures.live_units(db, OCTOBER, "grid", grid=G1)
    assert (g1.visited, g1.verified, g1.flagged) == (2, 1, 0)


def test_levels_add_up_and_an_empty_unit_has_no_percentage(db):
    _world, rng, ids = _random_world(db, 7, 60)
    _random_visits(db, rng, ids, 150)
    grids = figures.live_units(db, OCTOBER, "grid")
    [park] = figures.live_units(db, OCTOBER, "park")
    assert park.total == sum(g.total for g in grids)
    assert park.visited == sum(g.visited for g in grids)
    communities = figures.live_units(db, OCTOBER, "community", community=C1)
    assert [c.code for c in communities] == [C1]
    assert figures.Unit("grid", "x", "x", 0, 0, 0, 0).percent is None


def test_a_closed_month_reads_back_what_was_live_at_every_level_and_filter(db):
    _world, rng, ids = _random_world(db, 11, 60)
    _random_visits(db, rng, ids, 150)
    # every level with the filters it takes: at or above it
    asks = [("park", None, None), ("community", None, None), ("community", C1, None)] + [
        (level, community, grid)
        for level in ("grid", "microgrid")
        for community, grid in ((None, None), (C1, None), (None, G1), (C1, G2))
    ]
    live = {ask: figures.live_units(db, OCTOBER, ask[0], community=ask[1], grid=ask[2])
            for ask in asks}  # fmt: skip
    assert months.ensure_closed(db, OCTOBER)
    for (level, community, grid), expected in live.items():
        closed = figures.closed_units(db, OCTOBER, level, community=community, grid=grid)
        assert closed == expected, (level, community, grid)
    assert [u.code for u in live[("grid", None, None)]] == sorted(
        u.code for u in live[("grid", None, None)]
    )
    # a filter finer than the level: refused, open or closed, as the figures could differ
    for level, community, grid in (("park", C1, None), ("park", None, G1), ("community", C1, G1)):
        for read in (figures.live_units, figures.closed_units, figures.units):
            with pytest.raises(InvalidInput, match="takes no"):
                read(db, OCTOBER, level, community=community, grid=grid)


def test_member_figures_count_the_members_own_visits(db):
    from tests.logins import add_login

    world = build_world(db)
    member = add_login(db, "grid_member", grids=[G1])
    e1 = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e1"]))
    e2 = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e2"]))
    _visit(db, e1, datetime(2026, 10, 5, tzinfo=UTC), "verified", user_id=member.user_id)
    _visit(db, e2, datetime(2026, 10, 5, tzinfo=UTC), "verified")  # someone else's
    mine = {u.code: u for u in figures.live_units(db, OCTOBER, "member", grid=G1)}
    ours = mine[member.username]
    assert (ours.visited, ours.verified, ours.total) == (1, 1, 2)
    found = figures.rows(db, OCTOBER, grid=G1, member=member.username)
    assert {r.uscc: r.state for r in found} == {world.uscc["e1"]: "verified",
                                                world.uscc["e2"]: "unvisited"}  # fmt: skip


def test_a_closed_month_stays_frozen_while_the_current_month_follows_a_boundary_edit(db):
    world = build_world(db)
    e3 = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e3"]))
    _visit(db, e3, datetime(2026, 10, 10, tzinfo=UTC), "verified")
    now = db.scalar(text("SELECT now()"))
    _visit(db, e3, now, "verified")
    this_month = months.current_month()
    assert months.close_month(db, OCTOBER, by="test")
    frozen = figures.units(db, OCTOBER, "grid")
    before = {u.code: (u.visited, u.total) for u in figures.units(db, this_month, "grid")}
    assert before[G2] == (1, 1) and before[G1] == (0, 2)
    # G1 widened east over e3 (120.67): e3 now lies in G1
    g1 = db.scalar(select(Grid).where(Grid.code == G1))
    edit(db, EditRequest(op="reshape", reason="调整", versions={G1: g1.version}, grid=G1,
                         geometry=box(120.6, 31.2, 120.68, 31.3)))  # fmt: skip
    after = {u.code: (u.visited, u.total) for u in figures.units(db, this_month, "grid")}
    assert (after[G1] == (1, 3) and G2 not in after) or after[G2] == (0, 0)
    assert figures.units(db, OCTOBER, "grid") == frozen
    closed_rows = {r.uscc: r.grid_code for r in figures.rows(db, OCTOBER, grid=G2)}
    assert closed_rows == {world.uscc["e3"]: G2}
    # a late visit does not rewrite a closed month either
    _visit(db, e3, datetime(2026, 10, 11, tzinfo=UTC), "flagged")
    assert figures.units(db, OCTOBER, "grid") == frozen


def test_closing_twice_the_current_or_a_future_month_is_refused(db):
    build_world(db)
    months.close_month(db, OCTOBER, by="test")
    with pytest.raises(Conflict):
        months.close_month(db, OCTOBER, by="test")
    assert months.close_month(db, OCTOBER, by="auto", auto=True) is False
    for month in (months.current_month(), date(2030, 1, 1)):
        with pytest.raises(InvalidInput):
            months.close_month(db, month, by="test")
    assert months.ensure_closed(db, date(2026, 9, 1)) and months.is_closed(db, date(2026, 9, 1))
    assert not months.ensure_closed(db, months.current_month())
    with pytest.raises(InvalidInput):
        months.parse_month("2026-13")


def _road_lattice(db) -> None:
    """Roads every 0.01° over G1 (and a little of G2), noded where they cross."""
    xs = [round(120.6 + i * 0.01, 2) for i in range(7)]
    ys = [round(31.2 + j * 0.01, 2) for j in range(11)]
    n = 0
    for x in xs:
        for a, b in itertools.pairwise(ys):
            n += 1
            db.add(Road(code=f"R{n}", road_class="local", geom=from_shape(
                LineString([(x, a), (x, b)]), 4326)))  # fmt: skip
    for y in ys:
        for a, b in itertools.pairwise(xs):
            n += 1
            db.add(Road(code=f"R{n}", road_class="local", geom=from_shape(
                LineString([(a, y), (b, y)]), 4326)))  # fmt: skip
    db.flush()


def test_the_tour_visits_every_unvisited_enterprise_once_along_the_roads(db):
    _world, rng, ids = _random_world(db, 11, 40)
    _road_lattice(db)
    _random_visits(db, rng, ids, 20)
    unvisited = {r.uscc for r in figures.rows(db, OCTOBER, grid=G1) if r.state == "unvisited"}
    tour = route.suggest(db, G1, OCTOBER, start=(120.6, 31.2))
    order = [r.uscc for r in tour.stops]
    assert sorted(order) == sorted(unvisited) and len(order) == len(set(order))
    assert tour.along_roads and tour.line["type"] in ("LineString", "MultiLineString")
    assert tour.length_m > 0
    # without roads around it (G3): straight lines, said so
    plain = route.suggest(db, G3, OCTOBER)
    assert not plain.along_roads and plain.notes
    assert len({r.uscc for r in plain.stops}) == len(plain.stops)


def test_two_opt_untangles_a_crossing_and_nearest_neighbour_covers_all():
    points = [(0, 0), (1, 1), (1, 0), (0, 1), (2, 0), (2, 1)]
    cost = [[((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 for bx, by in points] for ax, ay in points]
    crossing = [0, 1, 2, 3, 4, 5]
    better = route.two_opt(crossing, cost, fixed_first=True)
    assert sorted(better) == crossing and better[0] == 0
    assert route.tour_length(better, cost) < route.tour_length(crossing, cost)
    best = route.plan(cost, start=None)
    assert sorted(best) == crossing
    assert route.tour_length(best, cost) == pytest.approx(5.0)


def test_an_unvisited_enterprise_shows_its_latest_earlier_visit_open_and_closed(db):
    world = build_world(db)
    e1 = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e1"]))
    latest = datetime(2026, 8, 30, 9, tzinfo=UTC)
    for when in (datetime(2026, 6, 2, tzinfo=UTC), latest, datetime(2026, 7, 9, tzinfo=UTC),
                 datetime(2026, 8, 3, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)):  # fmt: skip
        _visit(db, e1, when, "verified")
    september = date(2026, 9, 1)
    [open_row] = [r for r in figures.rows(db, september, grid=G1) if r.id == e1]
    assert (open_row.state, open_row.last_visited_at) == ("unvisited", latest)
    months.close_month(db, september, by="test")
    [closed_row] = [r for r in figures.rows(db, september, grid=G1) if r.id == e1]
    assert (closed_row.state, closed_row.last_visited_at) == ("unvisited", latest)
