"""The road graph for evacuation, built by PostGIS from the road layer (sql/build_road_graph).

Rules: roads are split where they cross and where another road's end comes within the
tolerance; ends within the tolerance of each other are one node; a piece shorter than the
tolerance collapses into its node; pieces touching the hazard core are dropped (people cannot
pass there). What is left is reported by connected component, largest first, so that a
disconnected piece of road is seen rather than silently unreachable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Row, TextClause
from sqlalchemy.orm import Session

from geo.db import local_setting
from geo.evacuation.network import Ints
from geo.sqlfiles import sql

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
DEFAULT_TOLERANCE_M = 2.0
EMPTY = "SRID=4326;GEOMETRYCOLLECTION EMPTY"


@dataclass(frozen=True)
class RoadGraph:
    """Nodes (lon/lat) and edges (road pieces with their road's attributes), core removed."""

    node_lon: Floats
    node_lat: Floats
    source: Ints  # (edges,) node index at the start of the piece (its drawing direction)
    target: Ints
    road_id: Ints
    road_class: list[str]
    width_m: Floats
    lanes: Ints
    speed_kmh: Floats
    oneway: Bools  # one-way in the piece's drawing direction (driving only)
    length_m: Floats  # on the ellipsoid
    wkb: list[bytes]
    dropped_in_core: int  # pieces removed because they touch the core
    component: Ints  # (nodes,) component number, 0 = largest
    component_sizes: list[int]  # nodes per component, largest first (isolated nodes included)

    @property
    def n_nodes(self) -> int:
        """Number of nodes (including those left isolated by the core)."""
        return int(self.node_lon.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of usable edges."""
        return int(self.source.shape[0])

    def degree(self) -> Ints:
        """Usable edges at each node."""
        ends = np.concatenate([self.source, self.target])
        return np.bincount(ends, minlength=self.n_nodes).astype(np.int64)


def metric_srid(lon: float) -> int:
    """The CGCS2000 3-degree Gauss-Krüger zone (central meridian given) holding `lon`.

    >>> metric_srid(120.75), metric_srid(116.4)
    (4549, 4548)
    """
    zone = round((lon - 75.0) / 3.0)
    return 4534 + min(max(zone, 0), 20)


def run_graph_query(
    session: Session,
    statement: TextClause,
    area: BaseGeometry,
    core: BaseGeometry | None,
    tolerance_m: float,
) -> Sequence[Row[Any]]:
    """Run `statement` (build_road_graph.sql, or an EXPLAIN of it) for `area` and `core`."""
    params = {
        "area": f"SRID=4326;{area.wkt}",
        "core": f"SRID=4326;{core.wkt}" if core is not None and not core.is_empty else EMPTY,
        "srid": metric_srid(area.centroid.x),
        "tol": tolerance_m,
    }
    # the query joins its own intermediate results, of which the planner knows no sizes: with
    # nested loops a misjudged size (say, after a restore, before autovacuum's ANALYZE) reruns
    # the cutting for every road, ~35 s instead of 0.15 s for the demo park's 266 roads
    with local_setting(session, "enable_nestloop", "off"):
        return session.execute(statement, params).all()


def build_road_graph(
    session: Session,
    *,
    area: BaseGeometry,
    core: BaseGeometry | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> RoadGraph:
    """The graph of the roads meeting `area` (lon/lat), without the pieces touching `core`."""
    rows = run_graph_query(session, sql("build_road_graph"), area, core, tolerance_m)
    nodes: dict[int, tuple[float, float]] = {}
    for r in rows:
        nodes.setdefault(r.source, (r.source_lon, r.source_lat))
        nodes.setdefault(r.target, (r.target_lon, r.target_lat))
    index = {node: i for i, node in enumerate(sorted(nodes))}
    lonlat = np.array([nodes[n] for n in sorted(nodes)], dtype=np.float64).reshape(-1, 2)
    kept = [r for r in rows if not r.in_core]
    source = np.array([index[r.source] for r in kept], dtype=np.int64)
    target = np.array([index[r.target] for r in kept], dtype=np.int64)
    component, sizes = components(len(index), source, target)
    return RoadGraph(
        node_lon=lonlat[:, 0],
        node_lat=lonlat[:, 1],
        source=source,
        target=target,
        road_id=np.array([r.road_id for r in kept], dtype=np.int64),
        road_class=[r.road_class for r in kept],
        width_m=np.array([r.width_m for r in kept], dtype=np.float64),
        lanes=np.array([r.lanes for r in kept], dtype=np.int64),
        speed_kmh=np.array([r.speed_kmh for r in kept], dtype=np.float64),
        oneway=np.array([bool(r.oneway) for r in kept], dtype=bool),
        length_m=np.array([r.length_m for r in kept], dtype=np.float64),
        wkb=[bytes(r.wkb) for r in kept],
        dropped_in_core=len(rows) - len(kept),
        component=component,
        component_sizes=sizes,
    )


def components(n_nodes: int, source: Ints, target: Ints) -> tuple[Ints, list[int]]:
    """Connected components (ignoring direction), numbered largest first, and their sizes.

    >>> comp, sizes = components(5, np.array([0, 3]), np.array([1, 4]))
    >>> comp.tolist(), sizes
    ([0, 0, 2, 1, 1], [2, 2, 1])
    """
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64), []
    ones = np.ones(source.shape[0], dtype=np.int8)
    adjacency = coo_matrix((ones, (source, target)), shape=(n_nodes, n_nodes)).tocsr()
    _, labels = connected_components(adjacency, directed=False)
    counts = np.bincount(labels)
    order = np.argsort(-counts, kind="stable")  # largest first; ties by first node
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[labels].astype(np.int64), counts[order].astype(int).tolist()
