"""geo.evacuation.plan_map: a saved plan drawn back, each road piece with its own edge's load."""

from __future__ import annotations

from shapely import wkb
from shapely.geometry import shape

from geo.evacuation.plan_map import plan_map
from geo.evacuation.planner import plan_evacuation, save_plan
from tests.geo.test_evacuation_plan import world


def test_each_saved_road_piece_gets_back_its_edge_and_load(db) -> None:
    plan = plan_evacuation(db, world(db, rooms=(50, 100)).id)
    row = save_plan(db, plan, name="预案")
    drawn = plan_map(db, row.id)
    pieces = drawn["routes"]["features"]
    assert len(pieces) == len(plan.route_wkb) > 0
    peaks = {p.edge: p for p in plan.report.edges}
    for piece in pieces:
        edge = piece["properties"]["edge"]
        assert shape(piece["geometry"]).equals_exact(wkb.loads(plan.route_wkb[edge]), 1e-9)
        assert piece["properties"]["peak"] == peaks[edge].peak
    left = {u["enterprise_id"]: u["people"] for u in drawn["left_behind"]}
    assert sum(left.values()) == plan.report.unplaced > 0  # rooms for 150 only
    where = {f["properties"]["id"]: f["properties"] for f in drawn["enterprises"]["features"]}
    assert all(where[eid]["unplaced"] == n for eid, n in left.items())
    fills = [f["properties"]["fill"] for f in drawn["shelters"]["features"]]
    assert all(0 <= fill <= 1 for fill in fills)
