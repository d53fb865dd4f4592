"""The road graph from hand-made roads in PostGIS: splitting, snapping, components, the core."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from shapely.geometry import box
from sqlalchemy import text

from geo.evacuation.graph import DEFAULT_TOLERANCE_M, build_road_graph, run_graph_query
from geo.evacuation.travel import TravelModel, time_network
from geo.sqlfiles import sql_text
from tests.geo.road_fixtures import LAT0, LON0, add_roads, square

AREA = box(LON0 - 0.05, LAT0 - 0.05, LON0 + 0.05, LAT0 + 0.05)


def test_crossing_roads_are_split_into_four_pieces_at_one_node(db) -> None:
    add_roads(db, [(0, 0), (200, 0)], [(100, -100), (100, 100)])
    graph = build_road_graph(db, area=AREA)
    assert (graph.n_nodes, graph.n_edges) == (5, 4)
    assert sorted(graph.degree().tolist()) == [1, 1, 1, 1, 4]
    assert graph.length_m == pytest.approx(100.0, rel=0.01)


def test_ends_within_the_tolerance_snap_and_farther_ones_do_not(db) -> None:
    add_roads(db, [(0, 0), (100, 0)], [(101.5, 0), (200, 0)], [(0, 500), (100, 500)],
              [(110, 500), (200, 500)])  # fmt: skip
    graph = build_road_graph(db, area=AREA, tolerance_m=2.0)
    assert graph.component_sizes == [3, 2, 2]
    assert graph.n_edges == 4


def test_an_end_near_another_road_splits_it_there(db) -> None:
    add_roads(db, [(0, 0), (200, 0)], [(100, 1.0), (100, 100)])
    graph = build_road_graph(db, area=AREA, tolerance_m=2.0)
    assert (graph.n_nodes, graph.n_edges) == (4, 3)
    assert graph.component_sizes == [4]


def test_disconnected_pieces_are_reported_by_component(db) -> None:
    add_roads(db, [(0, 0), (200, 0)], [(100, -100), (100, 100)], [(1000, 1000), (1100, 1000)])
    graph = build_road_graph(db, area=AREA)
    assert graph.component_sizes == [5, 2]
    assert graph.component.tolist().count(1) == 2


def test_pieces_touching_the_core_are_dropped(db) -> None:
    add_roads(db, [(0, 0), (200, 0)], [(100, -100), (100, 100)])
    graph = build_road_graph(db, area=AREA, core=square(140, -20, 180, 20))
    assert graph.dropped_in_core == 1 and graph.n_edges == 3
    assert graph.component_sizes == [4, 1]  # the east end is cut off


def test_walking_uses_both_directions_and_width_for_capacity(db) -> None:
    add_roads(db, [(0, 0), (140, 0)], width=5.0)
    graph = build_road_graph(db, area=AREA)
    net, arc_edge = time_network(graph, TravelModel(step_s=60.0))
    assert net.n_arcs == 2 and arc_edge.tolist() == [0, 0]
    assert net.steps.tolist() == [2, 2]  # 140 m at 1.2 m/s: 117 s
    assert net.capacity.tolist() == [400, 400]  # 5 m x 80 persons/m/min
    assert net.node_capacity.tolist() == [50, 50]  # 5 m x 5 m x 2 persons/m²


def test_driving_respects_one_way_and_closes_footpaths(db) -> None:
    add_roads(db, [(0, 0), (100, 0)], oneway=True)
    add_roads(db, [(100, 0), (200, 0)], road_class="path", width=2.0)
    graph = build_road_graph(db, area=AREA)
    net, _ = time_network(graph, TravelModel(mode="drive"))
    tails = net.tails()
    usable = net.capacity > 0
    assert usable.sum() == 1
    start = int(np.argmin(graph.node_lon))
    assert int(tails[usable][0]) == start  # only along the drawing direction


def _repeated(node: dict[str, Any]) -> list[str]:
    """The plan nodes (type and filter) that ran more than once, in `node`'s tree."""
    here = [f"{node['Node Type']} {node.get('Join Filter', '')}"]
    here = here if node["Actual Loops"] > 1 else []
    return here + [r for child in node.get("Plans", []) for r in _repeated(child)]


def test_the_graph_is_cut_once_even_when_the_road_table_has_no_statistics(db) -> None:
    """After a restore, before autovacuum's ANALYZE, the planner thinks the road table empty.
    With nested loops the query then re-ran the cutting for every road (35 s instead of 0.15 s
    on the demo park); now only the two spatial self-joins scan their input repeatedly."""
    lattice = [[(0, 100 * i), (1000, 100 * i)] for i in range(11)]
    lattice += [[(100 * i, 0), (100 * i, 1000)] for i in range(11)]
    add_roads(db, *lattice)
    db.execute(text("DELETE FROM pg_statistic WHERE starelid = 'road'::regclass"))
    db.execute(text("UPDATE pg_class SET reltuples = -1 WHERE oid = 'road'::regclass"))
    explain = text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql_text("build_road_graph"))
    [(plan,)] = run_graph_query(db, explain, AREA, None, DEFAULT_TOLERANCE_M)
    repeated = _repeated(plan[0]["Plan"])
    assert len(repeated) == 2, repeated
    assert all(r.startswith("CTE Scan") for r in repeated), repeated
    assert db.scalar(text("SHOW enable_nestloop")) == "on"  # as it was before the query
    graph = build_road_graph(db, area=AREA)
    assert (graph.n_nodes, graph.n_edges) == (121, 220)
