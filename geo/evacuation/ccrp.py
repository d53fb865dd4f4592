"""CCRP, the capacity-constrained route planner (Lu, George and Shekhar, SSTD 2005), over arrays.

Repeatedly: a Dijkstra over time from every source with evacuees left (a super-source) finds
the earliest arrival at any sink with room (a super-sink), honouring what earlier routes have
reserved on arcs (people entering per step) and nodes (people waiting per step); the
bottleneck of that route (evacuees left, shelter room, residual capacities) is reserved along
it as one group. It stops when everyone is routed or no sink with room can be reached. The
time model is the one described in geo.evacuation.network; nothing is ever over-reserved.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from geo.evacuation.network import Demand, Ints, TimeNetwork

NO_ROUTE = -1


@dataclass(frozen=True)
class Group:
    """People leaving one source together along one route to one sink."""

    source: int  # index into Demand.source_node
    sink: int  # index into Demand.sink_node
    people: int
    arcs: tuple[int, ...]  # CSR arc indices, in order
    departs: tuple[int, ...]  # step at which the group enters each arc
    arrival: int  # step at which the group reaches the sink

    @property
    def start(self) -> int:
        """The step the group leaves its source (its arrival when it starts at the sink)."""
        return self.departs[0] if self.departs else self.arrival


@dataclass
class Schedule:
    """Reservations per arc and node over time; grows its horizon on demand."""

    net: TimeNetwork
    horizon: int = 64
    arc_used: Ints = field(init=False)
    hold_used: Ints = field(init=False)
    first_free: Ints = field(init=False)  # per arc: no residual before this step (monotone)
    last: int = field(init=False, default=-1)  # last step with a reservation

    def __post_init__(self) -> None:
        self.arc_used = np.zeros((self.net.n_arcs, self.horizon), dtype=np.int64)
        self.hold_used = np.zeros((self.net.n_nodes, self.horizon), dtype=np.int64)
        self.first_free = np.zeros(self.net.n_arcs, dtype=np.int64)

    def reach(self, step: int) -> None:
        """Make room in the arrays for `step`."""
        if step < self.horizon:
            return
        new = max(2 * self.horizon, step + 1)
        grow = new - self.horizon
        self.arc_used = np.pad(self.arc_used, ((0, 0), (0, grow)))
        self.hold_used = np.pad(self.hold_used, ((0, 0), (0, grow)))
        self.horizon = new

    def arc_residual(self, arc: int, step: int) -> int:
        """People who may still enter `arc` at `step`."""
        self.reach(step)
        return int(self.net.capacity[arc] - self.arc_used[arc, step])

    def hold_residual(self, node: int, step: int) -> int:
        """People who may still wait at `node` from `step` to `step + 1`."""
        self.reach(step)
        return int(self.net.node_capacity[node] - self.hold_used[node, step])

    def departure(self, arc: int, ready: int, node: int, free_wait: bool) -> int:
        """Earliest step >= `ready` to enter `arc` from `node`, waiting there if need be."""
        if self.net.capacity[arc] <= 0:
            return NO_ROUTE
        step = max(ready, int(self.first_free[arc])) if free_wait else ready
        while True:
            if self.arc_residual(arc, step) > 0:
                return step
            if not free_wait and self.hold_residual(node, step) <= 0:
                return NO_ROUTE
            step += 1

    def reserve(self, group: Group, path_nodes: list[int]) -> None:
        """Book `group` on its arcs and on the nodes where it waits."""
        self.reach(group.arrival)
        self.last = max(self.last, group.arrival)
        for i, (arc, dep) in enumerate(zip(group.arcs, group.departs, strict=True)):
            self.arc_used[arc, dep] += group.people
            if i > 0:
                ready = group.departs[i - 1] + int(self.net.steps[group.arcs[i - 1]])
                self.hold_used[path_nodes[i], ready:dep] += group.people
        for arc in set(group.arcs):
            while True:
                step = int(self.first_free[arc])
                self.reach(step)
                if self.arc_used[arc, step] < self.net.capacity[arc]:
                    break
                self.first_free[arc] = step + 1

    def last_used(self) -> int:
        """The last step with any reservation (-1 when none)."""
        return self.last

    def bottleneck(self, arcs: list[int], departs: list[int], nodes: list[int]) -> int:
        """Most people the route can still carry."""
        most = 1 << 62
        for i, (arc, dep) in enumerate(zip(arcs, departs, strict=True)):
            most = min(most, self.arc_residual(arc, dep))
            if i > 0:
                ready = departs[i - 1] + int(self.net.steps[arcs[i - 1]])
                for step in range(ready, dep):
                    most = min(most, self.hold_residual(nodes[i], step))
        return most


@dataclass(frozen=True)
class FlowPlan:
    """CCRP's answer: the groups, and per source the people no sink could take."""

    groups: list[Group]
    unplaced: Ints
    arc_used: Ints  # (arcs, horizon) people entering each arc per step
    hold_used: Ints  # (nodes, horizon) people waiting at each node per step

    @property
    def evacuation_time(self) -> int:
        """Step at which the last routed evacuee arrives (0 when nobody moves)."""
        return max((g.arrival for g in self.groups), default=0)

    def time_for(self, share: float) -> int:
        """Step by which `share` (0-1) of the routed evacuees have arrived."""
        if not self.groups:
            return 0
        arrivals = np.array([g.arrival for g in self.groups], dtype=np.int64)
        people = np.array([g.people for g in self.groups], dtype=np.int64)
        order = np.argsort(arrivals, kind="stable")
        done = np.cumsum(people[order])
        idx = int(np.searchsorted(done, share * done[-1] - 1e-9))
        return int(arrivals[order][min(idx, len(order) - 1)])


def ccrp(net: TimeNetwork, dem: Demand, *, thorough: bool = False) -> FlowPlan:
    """Route everyone CCRP's way; see the module docstring.

    `thorough` searches every (node, step) state for each route: slower (about 6x on a
    400-node grid), closer to the optimum; by default a quick search runs first and the
    thorough one only when the quick one finds no route.

    >>> from geo.evacuation.network import demand, network_from_arcs
    >>> net, _ = network_from_arcs(2, [0], [1], [3], [4], [0, 0])
    >>> plan = ccrp(net, demand([0], [10], [1], [100]))
    >>> [(g.people, g.start, g.arrival) for g in plan.groups]
    [(4, 0, 3), (4, 1, 4), (2, 2, 5)]
    """
    schedule = Schedule(net)
    left = dem.supply.copy()
    room = dem.room.copy()
    source_of = np.full(net.n_nodes, -1, dtype=np.int64)
    source_of[dem.source_node] = np.arange(dem.source_node.size)
    sink_of = np.full(net.n_nodes, -1, dtype=np.int64)
    sink_of[dem.sink_node] = np.arange(dem.sink_node.size)
    groups: list[Group] = []
    while left.sum() > 0 and room.sum() > 0:
        route = _quickest_route(net, schedule, left, room, source_of, sink_of, thorough=thorough)
        if route is None:  # the quick search skips some waits; look again with all of them
            route = _quickest_route(net, schedule, left, room, source_of, sink_of, thorough=True)
        if route is None:
            break
        nodes, arcs, departs, arrival = route
        src, snk = int(source_of[nodes[0]]), int(sink_of[nodes[-1]])
        people = min(int(left[src]), int(room[snk]), schedule.bottleneck(arcs, departs, nodes))
        group = Group(src, snk, people, tuple(arcs), tuple(departs), arrival)
        schedule.reserve(group, nodes)
        left[src] -= people
        room[snk] -= people
        groups.append(group)
    return FlowPlan(groups, left, schedule.arc_used, schedule.hold_used)


Route = tuple[list[int], list[int], list[int], int]


def _quickest_route(
    net: TimeNetwork,
    schedule: Schedule,
    left: Ints,
    room: Ints,
    source_of: Ints,
    sink_of: Ints,
    *,
    thorough: bool,
) -> Route | None:
    """Earliest arrival at a sink with room, from any source with people left.

    A Dijkstra over (node, step) states: a state moves along an arc that still has room at its
    step, or waits a step where the node still has room (without limit at a source with people
    left: they wait in their buildings). Labels per state, not per node, because a node reached
    early may have to be reached later instead when it cannot hold people until an arc frees.
    Unless `thorough`, a node is entered only at its earliest step and waits only where an arc
    out of it is full (which keeps the search near one state per node, as CCRP's own labels);
    it may then miss a route, never make an invalid one.
    """
    active = [int(v) for v in np.nonzero(source_of >= 0)[0] if left[source_of[v]] > 0]
    if not _sink_reachable(net, active, sink_of, room):
        return None
    # past the last reserved step every arc is free, so a reachable sink is reached by then
    bound = schedule.last_used() + int(net.steps.sum()) + 1
    pred: dict[tuple[int, int], tuple[int, int, int]] = {}
    heap = [(0, 0, v) for v in active]
    heapq.heapify(heap)
    seen: set[tuple[int, int]] = set()
    earliest = np.full(net.n_nodes, np.iinfo(np.int64).max, dtype=np.int64)
    while heap:
        t, hops, u = heapq.heappop(heap)
        if (u, t) in seen or t > bound:
            continue
        seen.add((u, t))
        if sink_of[u] >= 0 and room[sink_of[u]] > 0:
            return _unwind(u, t, pred, set(active))
        blocked = False
        for arc in range(int(net.indptr[u]), int(net.indptr[u + 1])):
            if schedule.arc_residual(arc, t) > 0:
                v, at = int(net.head[arc]), t + int(net.steps[arc])
                if thorough or at < earliest[v]:  # else waiting at v does as well, mostly
                    earliest[v] = min(earliest[v], at)
                    _push(heap, pred, seen, (v, at), (u, t, arc), hops + 1)
            else:
                blocked = True
        src = source_of[u]
        if (thorough or blocked) and (
            (src >= 0 and left[src] > 0) or schedule.hold_residual(u, t) > 0
        ):
            _push(heap, pred, seen, (u, t + 1), (u, t, -1), hops)
    return None


def _push(
    heap: list[tuple[int, int, int]],
    pred: dict[tuple[int, int], tuple[int, int, int]],
    seen: set[tuple[int, int]],
    state: tuple[int, int],
    came: tuple[int, int, int],
    hops: int,
) -> None:
    """Queue `state` (node, step) unless already reached."""
    if state in seen or state in pred:
        return
    pred[state] = came
    heapq.heappush(heap, (state[1], hops, state[0]))


def _sink_reachable(net: TimeNetwork, active: list[int], sink_of: Ints, room: Ints) -> bool:
    """Whether some sink with room lies downstream of an active source (time aside)."""
    reached = np.zeros(net.n_nodes, dtype=bool)
    stack = list(active)
    reached[stack] = True
    while stack:
        u = stack.pop()
        if sink_of[u] >= 0 and room[sink_of[u]] > 0:
            return True
        for arc in range(int(net.indptr[u]), int(net.indptr[u + 1])):
            v = int(net.head[arc])
            if net.capacity[arc] > 0 and not reached[v]:
                reached[v] = True
                stack.append(v)
    return False


def _unwind(
    node: int, step: int, pred: dict[tuple[int, int], tuple[int, int, int]], starts: set[int]
) -> Route:
    """The route into (node, step) as nodes, arcs and departure steps, source first.

    It starts at the last source with people left that it passes: people there could have
    waited in their buildings until then.
    """
    nodes, arcs, departs, arrival = [node], [], [], step
    while node not in starts:
        prev, prev_step, arc = pred[(node, step)]
        if arc >= 0:
            arcs.append(arc)
            departs.append(prev_step)
            nodes.append(prev)
        node, step = prev, prev_step
    return nodes[::-1], arcs[::-1], departs[::-1], arrival
