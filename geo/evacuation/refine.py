"""Shortening a CCRP plan by augmenting paths in the time-expanded residual network.

CCRP never takes back a reservation, so an early greedy route can block a better one. Given a
plan ending at step T, this keeps the groups that arrive by T - 1 and tries to route the rest
by T - 1 along augmenting paths that may cancel earlier reservations (a Ford-Fulkerson step on
the time-expanded network of geo.evacuation.optimum, searched breadth-first); when it can, the
flow is split into groups again and it tries T - 2, and so on. Each try is bounded by a budget
of states (nodes x steps), so large networks keep the plain CCRP plan; an optional effort
bounds the states visited by all searches together, so that many evacuees on a small network
cannot make it slow (the best complete plan found by then is kept).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from geo.evacuation.ccrp import FlowPlan, Group
from geo.evacuation.network import Demand, Ints, TimeNetwork


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

    @classmethod
    def of(cls, net: TimeNetwork, dem: Demand, groups: list[Group], last: int) -> _Flow:
        """The flow of `groups` (all arriving by `last`)."""
        size = last + 1
        flow = cls(net, dem, last, np.zeros((net.n_arcs, size), np.int64),
                   np.zeros((net.n_nodes, size), np.int64),
                   np.zeros((dem.source_node.size, size), np.int64),
                   np.zeros((dem.sink_node.size, size), np.int64))  # fmt: skip
        tails = net.tails()
        for g in groups:
            flow.start[g.source, g.start] += g.people
            flow.arrive[g.sink, g.arrival] += g.people
            clock = g.start
            for a, dep in zip(g.arcs, g.departs, strict=True):
                flow.hold[tails[a], clock:dep] += g.people
                flow.arc[a, dep] += g.people
                clock = dep + int(net.steps[a])
        return flow


def refine(
    net: TimeNetwork, dem: Demand, plan: FlowPlan, *, target: int | None = None,
    budget: int = 50_000, effort: int | None = None,
) -> FlowPlan:  # fmt: skip
    """A plan placing at least as many people as `plan` (up to `target`), ending no later than
    it would need to, and often sooner; `budget` bounds nodes x steps per try, `effort` the
    states visited in all (None: no bound)."""
    left = [effort if effort is not None else 1 << 62]
    best = _top_up(net, dem, plan, target, budget, left) if target is not None else plan
    placed = dem.supply - best.unplaced
    while best.evacuation_time > 0 and net.n_nodes * best.evacuation_time <= budget:
        last = best.evacuation_time - 1
        flow = _Flow.of(net, dem, [g for g in best.groups if g.arrival <= last], last)
        want = placed - flow.start.sum(axis=1)
        needed = int(want.sum())
        if _augment(flow, want, needed, left) < needed:
            break
        best = FlowPlan(_decompose(flow), best.unplaced, plan.arc_peak)
    if best is plan:
        return plan
    done = _Flow.of(net, dem, best.groups, best.evacuation_time)
    return FlowPlan(best.groups, best.unplaced, done.arc.max(axis=1, initial=0))


def _top_up(
    net: TimeNetwork, dem: Demand, plan: FlowPlan, target: int, budget: int, left: list[int]
) -> FlowPlan:
    """Place more people (up to `target` in all) when CCRP filled shelters with the wrong ones,
    rerouting earlier groups to other shelters; the horizon doubles until it works."""
    missing = target - (dem.evacuees - int(plan.unplaced.sum()))
    horizon = max(plan.evacuation_time, 1)
    while missing > 0 and net.n_nodes * horizon <= budget and left[0] > 0:
        flow = _Flow.of(net, dem, plan.groups, horizon)
        want = plan.unplaced.copy()
        if _augment(flow, want, missing, left) == missing:
            return FlowPlan(_decompose(flow), want, plan.arc_peak)
        horizon *= 2
    return plan


def _augment(flow: _Flow, want: Ints, limit: int, left: list[int]) -> int:
    """Route up to `limit` more people, at most `want[i]` from source i (updated), while
    `left[0]` states may still be visited; how many."""
    routed = 0
    while routed < limit and want.sum() > 0 and left[0] > 0:
        path = _search(flow, want, left)
        if path is None:
            break
        routed += _apply(flow, path, want, limit - routed)
    return routed


# a path step: (kind, index, step, to_step); the kind says which flow changes and how
ARC, ARC_BACK, HOLD, HOLD_BACK, START, RESTART, ARRIVE, REARRIVE = range(8)
Step = tuple[int, int, int, int]
State = tuple[int, int]  # (node, step)


def _search(flow: _Flow, want: Ints, left: list[int]) -> list[Step] | None:
    """Breadth-first augmenting path from a source with people to route to a sink with room."""
    net, dem, size = flow.net, flow.dem, flow.last + 1
    tails = net.tails()
    into = _arcs_into(net)
    sink_of = {int(v): k for k, v in enumerate(dem.sink_node.tolist())}
    source_of = {int(v): i for i, v in enumerate(dem.source_node.tolist())}
    room = dem.room - flow.arrive.sum(axis=1)
    came: dict[State, tuple[Step, State]] = {}
    queue: deque[State] = deque()
    for i in np.nonzero(want > 0)[0]:
        for t in range(size):  # people wait in their buildings: any start step will do
            state = (int(dem.source_node[i]), t)
            if state not in came:
                came[state] = ((START, int(i), t, t), (-1, -1))
                queue.append(state)
    while queue and left[0] > 0:
        left[0] -= 1
        v, t = state = queue.popleft()
        k = sink_of.get(v, -1)
        if k >= 0 and room[k] > 0:
            return [*_path(came, state), (ARRIVE, k, t, t)]
        moves: list[tuple[Step, State]] = []
        for a in range(int(net.indptr[v]), int(net.indptr[v + 1])):
            dt = t + int(net.steps[a])
            if dt < size and flow.arc[a, t] < net.capacity[a]:
                moves.append(((ARC, a, t, t), (int(net.head[a]), dt)))
        for a in into[v]:
            dt = t - int(net.steps[a])
            if dt >= 0 and flow.arc[a, dt] > 0:
                moves.append(((ARC_BACK, a, dt, dt), (int(tails[a]), dt)))
        if t + 1 < size and flow.hold[v, t] < net.node_capacity[v]:
            moves.append(((HOLD, v, t, t), (v, t + 1)))
        if t > 0 and flow.hold[v, t - 1] > 0:
            moves.append(((HOLD_BACK, v, t - 1, t - 1), (v, t - 1)))
        src = source_of.get(v, -1)
        if src >= 0 and flow.start[src, t] > 0:  # someone who left here at t leaves at s instead
            moves += [((RESTART, src, t, s), (v, s)) for s in range(size) if s != t]
        if k >= 0 and flow.arrive[k, t] < dem.room[k]:  # arrive here, someone else at s leaves
            moves += [((REARRIVE, k, t, s), (v, s)) for s in range(size)
                      if s != t and flow.arrive[k, s] > 0]  # fmt: skip
        for move, nxt in moves:
            if nxt not in came:
                came[nxt] = (move, state)
                queue.append(nxt)
    return None


def _arcs_into(net: TimeNetwork) -> list[list[int]]:
    """For each node, the arcs that lead to it."""
    order = np.argsort(net.head, kind="stable")
    bounds = np.searchsorted(net.head[order], np.arange(net.n_nodes + 1))
    return [order[bounds[v] : bounds[v + 1]].tolist() for v in range(net.n_nodes)]


def _path(came: dict[State, tuple[Step, State]], state: State) -> list[Step]:
    """The steps that led to `state`, first first."""
    steps = []
    while True:
        move, state = came[state]
        steps.append(move)
        if move[0] == START:
            return steps[::-1]


def _apply(flow: _Flow, path: list[Step], want: Ints, limit: int) -> int:
    """Push the path's bottleneck (at most `limit`) along it; how many that was."""
    room = flow.dem.room - flow.arrive.sum(axis=1)
    most = min(int(want[path[0][1]]), limit)
    for move in path:
        most = min(most, _residual(flow, room, move))
    for kind, index, step, to in path:
        if kind in (ARC, ARC_BACK):
            flow.arc[index, step] += most if kind == ARC else -most
        elif kind in (HOLD, HOLD_BACK):
            flow.hold[index, step] += most if kind == HOLD else -most
        elif kind in (START, RESTART):
            flow.start[index, step] += most if kind == START else -most
            flow.start[index, to] += most if kind == RESTART else 0
        else:
            flow.arrive[index, step] += most
            flow.arrive[index, to] -= most if kind == REARRIVE else 0
    want[path[0][1]] -= most
    return most


def _residual(flow: _Flow, room: Ints, move: Step) -> int:
    """People who can still take this step of a path."""
    kind, index, step, to = move
    net = flow.net
    if kind == ARC:
        return int(net.capacity[index] - flow.arc[index, step])
    if kind == ARC_BACK:
        return int(flow.arc[index, step])
    if kind == HOLD:
        return int(net.node_capacity[index] - flow.hold[index, step])
    if kind == HOLD_BACK:
        return int(flow.hold[index, step])
    if kind == RESTART:
        return int(flow.start[index, step])
    if kind == ARRIVE:
        return int(room[index])
    if kind == REARRIVE:
        return int(flow.arrive[index, to])
    return 1 << 62  # START: limited by who is left


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
            groups.append(Group(int(i), k, people, tuple(arcs), tuple(departs), t))
            left -= people
    return groups
