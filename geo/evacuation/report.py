"""A flow plan in the terms of the map: groups per enterprise and shelter, shelter loads, edge
peaks, evacuation time estimates and the people left behind (with why)."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order

from geo.evacuation.ccrp import FlowPlan
from geo.evacuation.demand import Places
from geo.evacuation.graph import RoadGraph
from geo.evacuation.network import Demand, Ints, TimeNetwork


@dataclass(frozen=True)
class GroupRoute:
    """People of one enterprise leaving together for one shelter."""

    enterprise_id: int
    shelter_id: int
    people: int
    depart_min: float
    arrive_min: float
    nodes: list[int]  # graph node indices, enterprise side first
    edges: list[int]  # graph edge indices
    road_ids: list[int]


@dataclass(frozen=True)
class ShelterLoad:
    shelter_id: int
    name: str
    capacity: int
    load: int


@dataclass(frozen=True)
class EdgePeak:
    edge: int
    road_id: int
    peak: int  # most people entering it in one step (either direction)
    capacity: int  # people per step (the larger direction)


@dataclass(frozen=True)
class Unplaced:
    enterprise_id: int
    name: str
    people: int
    reason: str  # "no_road" | "shelters_full" | "no_node"


@dataclass(frozen=True)
class Report:
    evacuees: int
    routed: int
    unplaced: int
    ete90_min: float | None
    ete100_min: float | None
    groups: list[GroupRoute] = field(default_factory=list)
    shelters: list[ShelterLoad] = field(default_factory=list)
    edges: list[EdgePeak] = field(default_factory=list)
    left_behind: list[Unplaced] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (for evacuation_plan.result)."""
        return asdict(self)


def report(
    graph: RoadGraph,
    net: TimeNetwork,
    arc_edge: Ints,
    dem: Demand,
    plan: FlowPlan,
    people: Places,
    shelters: Places,
    step_min: float,
) -> Report:
    """Split the plan's groups among the enterprises and shelters sharing their nodes."""
    queues = _queues(people, dem.source_node)
    rooms = _queues(shelters, dem.sink_node)
    tails = net.tails()
    groups: list[GroupRoute] = []
    for g in sorted(plan.groups, key=lambda g: (g.start, g.arrival)):
        edges = [int(arc_edge[a]) for a in g.arcs]
        nodes = [int(dem.source_node[g.source])] + [int(net.head[a]) for a in g.arcs]
        assert not g.arcs or int(tails[g.arcs[0]]) == nodes[0]
        for ent, shelter, n in _pair(queues[g.source], rooms[g.sink], g.people):
            roads = [int(graph.road_id[e]) for e in edges]
            depart, arrive = g.start * step_min, g.arrival * step_min
            groups.append(GroupRoute(ent, shelter, n, depart, arrive, nodes, edges, roads))
    routed = sum(g.people for g in groups)
    load = {sid: 0 for sid in shelters.ids}
    for gr in groups:
        load[gr.shelter_id] += gr.people
    return Report(
        evacuees=int(people.count.sum()),
        routed=routed,
        unplaced=int(people.count.sum()) - routed,
        ete90_min=plan.time_for(0.9) * step_min if routed else None,
        ete100_min=plan.evacuation_time * step_min if routed else None,
        groups=groups,
        shelters=[
            ShelterLoad(sid, name, int(cap), load[sid])
            for sid, name, cap in zip(shelters.ids, shelters.names, shelters.count, strict=True)
        ],
        edges=_peaks(graph, net, arc_edge, plan),
        left_behind=_left_behind(net, dem, people, queues),
    )


def _queues(places: Places, nodes: Ints) -> list[deque[list[int]]]:
    """Per demand node, its places in id order as [id, count left]."""
    where = {int(v): i for i, v in enumerate(nodes.tolist())}
    queues: list[deque[list[int]]] = [deque() for _ in range(nodes.size)]
    for pid, node, count in zip(places.ids, places.node.tolist(), places.count.tolist(),
                                strict=True):  # fmt: skip
        if node >= 0 and count > 0:
            queues[where[node]].append([pid, count])
    return queues


def _pair(
    sources: deque[list[int]], sinks: deque[list[int]], people: int
) -> list[tuple[int, int, int]]:
    """Take `people` from the front of both queues: (enterprise, shelter, people) pieces."""
    pieces = []
    while people > 0:
        src, snk = sources[0], sinks[0]
        n = min(people, src[1], snk[1])
        pieces.append((src[0], snk[0], n))
        people -= n
        src[1] -= n
        snk[1] -= n
        if src[1] == 0:
            sources.popleft()
        if snk[1] == 0:
            sinks.popleft()
    return pieces


def _peaks(graph: RoadGraph, net: TimeNetwork, arc_edge: Ints, plan: FlowPlan) -> list[EdgePeak]:
    """Busiest step of every edge used, busiest first."""
    arc_peak = plan.arc_peak
    peak = np.zeros(graph.n_edges, dtype=np.int64)
    cap = np.zeros(graph.n_edges, dtype=np.int64)
    np.maximum.at(peak, arc_edge, arc_peak[: arc_edge.size])
    np.maximum.at(cap, arc_edge, net.capacity)
    used = np.nonzero(peak > 0)[0]
    used = used[np.argsort(-peak[used] / np.maximum(cap[used], 1), kind="stable")]
    return [EdgePeak(int(e), int(graph.road_id[e]), int(peak[e]), int(cap[e])) for e in used]


def _left_behind(
    net: TimeNetwork, dem: Demand, people: Places, queues: list[deque[list[int]]]
) -> list[Unplaced]:
    """Everyone not routed, by enterprise, with the reason."""
    names = dict(zip(people.ids, people.names, strict=True))
    out = [Unplaced(pid, names[pid], int(n), "no_node")
           for pid, node, n in zip(people.ids, people.node.tolist(), people.count.tolist(),
                                   strict=True) if node < 0 and n > 0]  # fmt: skip
    open_ = net.capacity > 0
    graph = coo_matrix(
        (np.ones(int(open_.sum())), (net.tails()[open_], net.head[open_])),
        shape=(net.n_nodes, net.n_nodes),
    ).tocsr()
    sinks = set(dem.sink_node.tolist())
    for i, queue in enumerate(queues):
        if not queue:
            continue
        reached = breadth_first_order(graph, int(dem.source_node[i]), return_predecessors=False)
        reason = "shelters_full" if sinks & set(reached.tolist()) else "no_road"
        out += [Unplaced(pid, names[pid], n, reason) for pid, n in queue if n > 0]
    return out
