"""Planning an evacuation for a hazard: graph, evacuees and shelters from PostGIS, CCRP (with
its bounded refinement) over arrays, the report, and saving it as an evacuation_plan row."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from geoalchemy2.shape import from_shape, to_shape
from shapely import wkb
from shapely.geometry import MultiLineString
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from geo.errors import InvalidInput, NotFound
from geo.evacuation.ccrp import ccrp
from geo.evacuation.demand import evacuees, shelters
from geo.evacuation.graph import DEFAULT_TOLERANCE_M, RoadGraph, build_road_graph
from geo.evacuation.network import demand
from geo.evacuation.optimum import placeable
from geo.evacuation.refine import refine
from geo.evacuation.report import Report, report
from geo.evacuation.travel import TravelModel, time_network
from geo.models import EvacuationPlan, Hazard
from geo.vocab import TIMES_OF_DAY

M_PER_DEG = 111_000.0  # only to widen the search area; the exact figure does not matter
SLOW_PLAN_S = 10.0  # a plan slower than this is logged as a warning, with its stages
log = logging.getLogger("gridmap.evacuation")


@dataclass(frozen=True)
class PlanParams:
    """What a plan depends on besides the data (saved with it)."""

    step_s: float = 60.0
    walk_speed_ms: float = 1.2
    tolerance_m: float = DEFAULT_TOLERANCE_M
    margin_m: float = 3000.0  # roads and shelters this far around the zone are considered
    refine_budget: int = 50_000  # nodes x steps; above it the plain CCRP plan is kept
    thorough_nodes: int = 2_000  # graphs up to this size get CCRP's thorough route search


@dataclass(frozen=True)
class Plan:
    """An evacuation plan: its inputs, the graph's summary and the report."""

    hazard_id: int | None
    time_of_day: str
    mode: str
    params: PlanParams
    graph_nodes: int
    graph_edges: int
    component_sizes: list[int]
    dropped_in_core: int
    unusable_shelters: list[int]
    report: Report
    route_wkb: dict[int, bytes] = field(default_factory=dict)  # edge -> geometry, edges used
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall-clock time

    def parameters(self) -> dict[str, Any]:
        """The inputs, as saved in evacuation_plan.parameters."""
        return {"time_of_day": self.time_of_day, "mode": self.mode, **asdict(self.params)}

    def result(self) -> dict[str, Any]:
        """The outcome, as saved in evacuation_plan.result."""
        return {
            "graph": {"nodes": self.graph_nodes, "edges": self.graph_edges,
                      "components": self.component_sizes,
                      "dropped_in_core": self.dropped_in_core},
            "unusable_shelters": self.unusable_shelters,
            **self.report.as_json(),
        }  # fmt: skip

    def routes(self) -> MultiLineString | None:
        """Every road piece some group walks along."""
        lines = [wkb.loads(b) for b in self.route_wkb.values()]
        return MultiLineString(lines) if lines else None


def plan_evacuation(
    session: Session,
    hazard: int | tuple[BaseGeometry, BaseGeometry],
    *,
    time_of_day: str | None = None,
    mode: str = "walk",
    params: PlanParams | None = None,
) -> Plan:
    """Plan the evacuation of `hazard` (an id, or its (core, zone) in lon/lat)."""
    params = params or PlanParams()
    hazard_id, core, zone, time_of_day = _hazard(session, hazard, time_of_day)
    model = TravelModel(mode=mode, step_s=params.step_s, walk_speed_ms=params.walk_speed_ms)
    area = zone.envelope.buffer(params.margin_m / M_PER_DEG).envelope
    seconds: dict[str, float] = {}
    with _stage(seconds, "graph"):
        graph = build_road_graph(session, area=area, core=core, tolerance_m=params.tolerance_m)
    with _stage(seconds, "demand"):
        people = evacuees(session, graph, zone=zone, time_of_day=time_of_day)
        places, unusable = shelters(session, graph, zone=zone.union(core), area=area)
        net, arc_edge = time_network(graph, model)
        have_src, have_snk = people.node >= 0, places.node >= 0
        dem = demand(people.node[have_src], people.count[have_src],
                     places.node[have_snk], places.count[have_snk])  # fmt: skip
    with _stage(seconds, "ccrp"):
        flow = ccrp(net, dem, thorough=graph.n_nodes <= params.thorough_nodes)
    with _stage(seconds, "refine"):
        flow = refine(net, dem, flow, target=placeable(net, dem), budget=params.refine_budget)
    with _stage(seconds, "report"):
        rep = report(graph, net, arc_edge, dem, flow, people, places, params.step_s / 60.0)
    _log_time(hazard_id, graph, seconds)
    return Plan(
        hazard_id=hazard_id,
        time_of_day=time_of_day,
        mode=mode,
        params=params,
        graph_nodes=graph.n_nodes,
        graph_edges=graph.n_edges,
        component_sizes=graph.component_sizes,
        dropped_in_core=graph.dropped_in_core,
        unusable_shelters=unusable,
        report=rep,
        route_wkb=_used_pieces(graph, rep),
        seconds=seconds,
    )


@contextmanager
def _stage(seconds: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = time.perf_counter() - started


def _log_time(hazard_id: int | None, graph: RoadGraph, seconds: dict[str, float]) -> None:
    """How long the plan took, stage by stage: a warning when it was slow."""
    total = sum(seconds.values())
    stages = ", ".join(f"{name} {s:.2f} s" for name, s in seconds.items())
    level = logging.WARNING if total > SLOW_PLAN_S else logging.INFO
    log.log(level, "evacuation plan for hazard %s: %.2f s (%s) on %d nodes, %d edges",
            hazard_id, total, stages, graph.n_nodes, graph.n_edges)  # fmt: skip


def save_plan(
    session: Session, plan: Plan, *, name: str, created_by: int | None = None
) -> EvacuationPlan:
    """Store `plan` for its hazard (the caller commits)."""
    if plan.hazard_id is None:
        raise InvalidInput("save the hazard before saving a plan for it")
    routes = plan.routes()
    row = EvacuationPlan(
        hazard_id=plan.hazard_id,
        name=name,
        parameters=plan.parameters(),
        result=plan.result(),
        evacuees=plan.report.evacuees,
        unplaced=plan.report.unplaced,
        ete90_min=plan.report.ete90_min,
        ete100_min=plan.report.ete100_min,
        created_by=created_by,
        routes=from_shape(routes, 4326) if routes is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def _hazard(
    session: Session, hazard: int | tuple[BaseGeometry, BaseGeometry], time_of_day: str | None
) -> tuple[int | None, BaseGeometry, BaseGeometry, str]:
    if isinstance(hazard, int):
        row = session.get(Hazard, hazard)
        if row is None:
            raise NotFound(f"no hazard {hazard}")
        hazard_id, core, zone = row.id, to_shape(row.core), to_shape(row.zone)
        time_of_day = time_of_day or row.time_of_day
    else:
        hazard_id, (core, zone) = None, hazard
    time_of_day = time_of_day or "day"
    if time_of_day not in TIMES_OF_DAY:
        raise InvalidInput(f"time of day must be one of {list(TIMES_OF_DAY)}")
    if zone.is_empty or not zone.is_valid:
        raise InvalidInput("the hazard zone must be a valid, non-empty polygon")
    return hazard_id, core, zone, time_of_day


def _used_pieces(graph: RoadGraph, rep: Report) -> dict[int, bytes]:
    used = sorted({e for g in rep.groups for e in g.edges})
    return {e: graph.wkb[e] for e in np.asarray(used, dtype=np.int64).tolist()}
