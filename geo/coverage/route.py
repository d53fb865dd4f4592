"""A suggested visiting order for a grid's unvisited enterprises along the road network.

Heuristic: each stop (and the start, when given) is snapped to the nearest vertex of the road
graph around the grid; pgRouting's `pgr_dijkstraCostMatrix` gives the road distances between
them (metres, one-way roads respected); the open tour is the best nearest-neighbour tour over
every possible first stop (or from the start), improved by 2-opt on the symmetrised distances
until no reversal shortens it. The line is the chain of shortest paths (`pgr_dijkstraVia`).
When the roads do not connect every stop (or there are none), the same heuristic runs on
straight-line distances and the line is drawn straight, with a note.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.coverage.figures import Row, rows
from geo.sqlfiles import sql

EDGES = "SELECT id, source, target, cost, CASE WHEN oneway THEN -1 ELSE cost END AS reverse_cost FROM cov_edge"  # noqa: E501
MARGIN_DEGREES = 0.01  # roads up to ~1 km around the grid may carry the tour


@dataclass
class Tour:
    """The suggested order, its stops, its line (GeoJSON) and length in metres."""

    stops: list[Row]
    line: dict[str, Any] | None
    length_m: float
    along_roads: bool
    notes: list[str] = field(default_factory=list)


def tour_length(order: Sequence[int], cost: Sequence[Sequence[float]]) -> float:
    """Length of the open path visiting `order`."""
    return sum(cost[a][b] for a, b in itertools.pairwise(order))


def nearest_neighbour(cost: Sequence[Sequence[float]], first: int) -> list[int]:
    """Greedy open tour from `first`, always to the nearest unvisited point.

    >>> nearest_neighbour([[0, 1, 5], [1, 0, 2], [5, 2, 0]], 0)
    [0, 1, 2]
    """
    order, left = [first], set(range(len(cost))) - {first}
    while left:
        here = order[-1]
        nxt = min(left, key=lambda j: (cost[here][j], j))
        order.append(nxt)
        left.remove(nxt)
    return order


def two_opt(order: list[int], cost: Sequence[Sequence[float]], *, fixed_first: bool) -> list[int]:
    """Reverse segments of the open path while that shortens it (symmetric `cost`)."""
    best, n, improved = list(order), len(order), True
    while improved:
        improved = False
        for i in range(1 if fixed_first else 0, n - 1):
            for j in range(i + 1, n):
                before = (cost[best[i - 1]][best[i]] if i > 0 else 0.0) + (
                    cost[best[j]][best[j + 1]] if j + 1 < n else 0.0
                )
                after = (cost[best[i - 1]][best[j]] if i > 0 else 0.0) + (
                    cost[best[i]][best[j + 1]] if j + 1 < n else 0.0
                )
                if after < before - 1e-9:
                    best[i : j + 1] = reversed(best[i : j + 1])
                    improved = True
    return best


def plan(cost: Sequence[Sequence[float]], *, start: int | None) -> list[int]:
    """Nearest neighbour from the start (or from every point, keeping the best), then 2-opt."""
    sym = [[(cost[i][j] + cost[j][i]) / 2 for j in range(len(cost))] for i in range(len(cost))]
    firsts = [start] if start is not None else range(len(cost))
    tours = [two_opt(nearest_neighbour(sym, f), sym, fixed_first=start is not None) for f in firsts]
    return min(tours, key=lambda t: (tour_length(t, sym), t))


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two lon/lat points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def _snap(session: Session, points: list[tuple[float, float]]) -> list[int]:
    found = session.execute(
        text(
            "SELECT p.i, (SELECT n.id FROM cov_node n ORDER BY n.geom <-> "
            "ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) LIMIT 1) "
            "FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) "
            "WITH ORDINALITY AS p(lon, lat, i) ORDER BY p.i"
        ),
        {"lons": [p[0] for p in points], "lats": [p[1] for p in points]},
    ).all()
    return [int(vid) if vid is not None else -1 for _i, vid in found]


def _road_costs(session: Session, vids: list[int]) -> list[list[float]] | None:
    if min(vids) < 0:
        return None
    unique = sorted(set(vids))
    pairs = {(a, b): c for a, b, c in session.execute(
        text("SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCostMatrix("
             ":edges, CAST(:vids AS bigint[]), directed => true)"),
        {"edges": EDGES, "vids": unique},
    )}  # fmt: skip
    cost = [[0.0 if a == b else pairs.get((a, b), math.inf) for b in vids] for a in vids]
    return None if any(math.isinf(c) for line in cost for c in line) else cost


def _road_line(session: Session, vids: list[int]) -> dict[str, Any] | None:
    path = [v for i, v in enumerate(vids) if i == 0 or v != vids[i - 1]]
    if len(path) < 2:
        return None
    found = session.execute(
        text(
            "SELECT ST_AsGeoJSON(ST_LineMerge(ST_Collect(e.geom ORDER BY v.seq)), 7) "
            "FROM pgr_dijkstraVia(:edges, CAST(:vids AS bigint[]), directed => true) v "
            "JOIN cov_edge e ON e.id = v.edge"
        ),
        {"edges": EDGES, "vids": path},
    ).scalar()
    return json.loads(found) if found else None


def suggest(
    session: Session, grid: str, month: date, *, start: tuple[float, float] | None = None
) -> Tour:
    """The suggested visiting order of the grid's enterprises not visited in `month`."""
    stops = [r for r in rows(session, month, grid=grid) if r.state == "unvisited"]
    if not stops:
        return Tour([], None, 0.0, True, ["本月该网格企业均已走访 (every enterprise was visited)"])
    points = ([start] if start else []) + [(r.lon, r.lat) for r in stops]
    session.execute(sql("coverage_road_graph"), {"grid": grid, "margin": MARGIN_DEGREES})
    try:
        return _tour(session, stops, points, start is not None)
    finally:
        session.execute(text("DROP TABLE IF EXISTS cov_edge, cov_node"))


def _tour(session: Session, stops: list[Row], points: list[tuple[float, float]],
          has_start: bool) -> Tour:  # fmt: skip
    start = points[0] if has_start else None
    vids = _snap(session, points)
    cost = _road_costs(session, vids)
    along = cost is not None
    if cost is None:
        cost = [[_metres(a, b) for b in points] for a in points]
    order = plan(cost, start=0 if start else None)
    length = tour_length(order, cost)
    offset = 1 if start else 0
    ordered = [stops[i - offset] for i in order if i >= offset]
    notes: list[str] = []
    if along:
        line = _road_line(session, [vids[i] for i in order])
    else:
        line = {"type": "LineString", "coordinates": [list(points[i]) for i in order]}
        notes.append("道路网未连通全部企业，按直线距离排序 (the road network does not connect "
                     "every stop: straight lines)")  # fmt: skip
    return Tour(ordered, line, round(length, 1), along, notes)
