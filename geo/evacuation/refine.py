"""Making a CCRP plan the quickest one, on networks small enough to copy once per step.

CCRP never takes back a reservation, so an early greedy route can block a better one (on the
demo park up to 1.8x the optimum). When the time-expanded network (nodes x steps) is within a
budget, this finds the smallest horizon by which everyone the plan placed (or `target`, when
greedy shelter choices left placeable people out) can be placed, by max flow on that network
(geo.evacuation.optimum, scipy's Dinic, binary search on the horizon), and splits that flow
into groups; larger networks keep the plain CCRP plan. The flow obeys the same time model and
capacities as CCRP's bookings, so the groups do too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.evacuation.ccrp import FlowPlan, Group
from geo.evacuation.network import Demand, Ints, TimeNetwork
from geo.evacuation.optimum import evacuated_by, optimal_flow


@dataclass
class _Flow:
    """People on each time-expanded arc within horizon `last` (steps 0..last)."""

    net: TimeNetwork
    dem: Demand
    last: int
    arc: Ints  # (arcs, L) entering per step
    hold: Ints  # (nodes, L) waiting from step t to t + 1
    start: Ints  # (sources, L) leaving the source at step t
    arrive: Ints  # (sinks, L) arriving at the sink at step t


def refine(
    net: TimeNetwork, dem: Demand, plan: FlowPlan, *, target: int | None = None,
    budget: int = 50_000,
) -> FlowPlan:  # fmt: skip
    """The quickest plan placing as many people as `plan` (or `target`, when more), when
    nodes x steps stays within `budget`; else `plan`."""
    goal = max(dem.evacuees - int(plan.unplaced.sum()), target or 0)
    if goal == 0 or dem.source_node.size == 0 or dem.sink_node.size == 0:
        return plan
    hi = max(plan.evacuation_time, 1)
    while net.n_nodes * hi <= budget and evacuated_by(net, dem, hi) < goal:
        hi *= 2  # CCRP placed fewer than can be placed: look further
    if net.n_nodes * hi > budget:
        return plan
    lo = 0  # invariant: hi is enough; lo - 1 is not (or lo == 0)
    while lo < hi:
        mid = (lo + hi) // 2
        if evacuated_by(net, dem, mid) >= goal:
            hi = mid
        else:
            lo = mid + 1
    placed = dem.evacuees - int(plan.unplaced.sum())
    if hi >= plan.evacuation_time and placed >= goal:
        return plan  # CCRP's plan is already the quickest
    arc, hold, start, arrive = optimal_flow(net, dem, hi)
    flow = _Flow(net, dem, hi, arc, hold, start, arrive)
    return FlowPlan(_decompose(flow), dem.supply - start.sum(axis=1), arc.max(axis=1))


def _decompose(flow: _Flow) -> list[Group]:
    """Split the flow into groups: walk from each start along arcs that carry people."""
    net, dem = flow.net, flow.dem
    arc, hold, arrive = flow.arc.copy(), flow.hold.copy(), flow.arrive.copy()
    sink_of = {int(v): k for k, v in enumerate(dem.sink_node)}
    groups = []
    for i, t0 in zip(*np.nonzero(flow.start), strict=True):
        left = int(flow.start[i, t0])
        while left > 0:
            v, t, arcs, departs, waits = int(dem.source_node[i]), int(t0), [], [], []
            people = left
            while True:
                k = sink_of.get(v)
                if k is not None and arrive[k, t] > 0:
                    people = min(people, int(arrive[k, t]))
                    break
                out = [a for a in range(int(net.indptr[v]), int(net.indptr[v + 1]))
                       if arc[a, t] > 0]  # fmt: skip
                if out:
                    a = out[0]
                    people = min(people, int(arc[a, t]))
                    arcs.append(a)
                    departs.append(t)
                    v, t = int(net.head[a]), t + int(net.steps[a])
                else:  # the flow waits here a step
                    people = min(people, int(hold[v, t]))
                    waits.append((v, t))
                    t += 1
            for a, d in zip(arcs, departs, strict=True):
                arc[a, d] -= people
            for v_, t_ in waits:
                hold[v_, t_] -= people
            arrive[k, t] -= people
            # waiting at the shelter's node before arriving: they are in as soon as they get there
            reach = departs[-1] + int(net.steps[arcs[-1]]) if arcs else int(t0)
            groups.append(Group(int(i), k, people, tuple(arcs), tuple(departs), reach))
            left -= people
    return groups
