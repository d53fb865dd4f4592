"""Travel times and capacities of the road graph, as the planner's time network.

Assumptions (gridmap's defaults; every figure is a parameter of `TravelModel`):

- Walking (default): 1.2 m/s on every class. Everyone walks on the carriageway (traffic is
  stopped in an evacuation); a road carries 80 persons per minute per metre of width (Fruin's
  level-of-service E flow, ~1.3 persons/m/s), on the share of its width open to walkers:
  arterial 0.6 and secondary 0.8 (lanes kept free for emergency vehicles), others 1.0. Each
  direction of a road gets that capacity (evacuees rarely walk against each other). A node
  holds 2 persons/m² on a square as wide as its widest road.
- Driving (optional): the road's speed limit; lane capacity per hour by class (arterial 1,800,
  secondary 1,600, local 1,200, service 900 vehicles; footpaths closed), half the lanes each
  way (one-way roads: all lanes, one direction only), 1.5 persons per vehicle; a node holds
  one 6 m vehicle per lane of its widest road per 20 m.
- Times are rounded up to whole steps (at least one step per piece); capacities per step are
  rounded down but at least one person, so that no road is closed by rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from geo.evacuation.graph import RoadGraph
from geo.evacuation.network import Ints, TimeNetwork, network_from_arcs

WALK_WIDTH_SHARE = {"arterial": 0.6, "secondary": 0.8, "local": 1.0, "service": 1.0, "path": 1.0}
LANE_VEHICLES_PER_HOUR = {"arterial": 1800.0, "secondary": 1600.0, "local": 1200.0,
                          "service": 900.0, "path": 0.0}  # fmt: skip
MODES = ("walk", "drive")


@dataclass(frozen=True)
class TravelModel:
    """How people move on the roads; the defaults are documented in the module docstring."""

    mode: str = "walk"
    step_s: float = 60.0
    walk_speed_ms: float = 1.2
    walk_persons_per_m_min: float = 80.0
    walk_width_share: dict[str, float] = field(default_factory=lambda: dict(WALK_WIDTH_SHARE))
    hold_persons_per_m2: float = 2.0
    lane_vehicles_per_hour: dict[str, float] = field(
        default_factory=lambda: dict(LANE_VEHICLES_PER_HOUR)
    )
    persons_per_vehicle: float = 1.5

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if self.step_s <= 0 or self.walk_speed_ms <= 0:
            raise ValueError("step length and walking speed must be positive")


def time_network(graph: RoadGraph, model: TravelModel) -> tuple[TimeNetwork, Ints]:
    """The graph's arcs in time steps, and for each CSR arc the edge it runs along."""
    minutes = model.step_s / 60.0
    if model.mode == "walk":
        speed = np.full(graph.n_edges, model.walk_speed_ms)
        share = np.array([model.walk_width_share.get(c, 1.0) for c in graph.road_class])
        per_min = graph.width_m * share * model.walk_persons_per_m_min
        forward = backward = per_min * minutes
        both_ways = np.ones(graph.n_edges, dtype=bool)
    else:
        speed = graph.speed_kmh / 3.6
        vph = np.array([model.lane_vehicles_per_hour.get(c, 0.0) for c in graph.road_class])
        both_ways = ~graph.oneway
        lanes_each_way = np.where(both_ways, np.maximum(graph.lanes // 2, 1), graph.lanes)
        forward = lanes_each_way * vph / 60.0 * minutes * model.persons_per_vehicle
        backward = np.where(both_ways, forward, 0.0)
    steps = np.maximum(np.ceil(graph.length_m / (speed * model.step_s) - 1e-9), 1).astype(np.int64)
    edge = np.arange(graph.n_edges, dtype=np.int64)
    open_back = both_ways & (backward > 0)
    tail = np.concatenate([graph.source, graph.target[open_back]])
    head = np.concatenate([graph.target, graph.source[open_back]])
    cap = np.concatenate([forward, backward[open_back]])
    arc_edge = np.concatenate([edge, edge[open_back]])
    capacity = np.where(cap > 0, np.maximum(np.floor(cap), 1), 0).astype(np.int64)
    net, order = network_from_arcs(
        graph.n_nodes, tail, head, steps[arc_edge], capacity, _node_capacity(graph, model)
    )
    return net, arc_edge[order]


def _node_capacity(graph: RoadGraph, model: TravelModel) -> Ints:
    """People who may wait at each node per step, from its widest road."""
    widest = np.zeros(graph.n_nodes)
    lanes = np.zeros(graph.n_nodes)
    for ends in (graph.source, graph.target):
        np.maximum.at(widest, ends, graph.width_m)
        np.maximum.at(lanes, ends, graph.lanes.astype(np.float64))
    if model.mode == "walk":
        return np.floor(widest**2 * model.hold_persons_per_m2).astype(np.int64)
    vehicles = lanes * math.floor(20 / 6)
    return np.floor(vehicles * model.persons_per_vehicle).astype(np.int64)
