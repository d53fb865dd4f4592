"""CCRP, the capacity-constrained route planner (Lu, George and Shekhar, SSTD 2005), over arrays.

Repeatedly: the earliest arrival at any sink with room, from any source with evacuees left,
honouring what earlier routes have reserved on arcs (people entering per step) and nodes
(people waiting per step); the bottleneck of that route (evacuees left, shelter room, residual
capacities) is reserved along it as one group. It stops when everyone is routed or no sink
with room can be reached. The time model is the one described in geo.evacuation.network;
nothing is ever over-reserved. The loop and its searches are compiled (geo.evacuation.
ccrp_kernel, geo.evacuation.search), with each source's route kept until it is blocked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.evacuation.ccrp_kernel import GROUP_FIELDS, lazy_ccrp
from geo.evacuation.network import Demand, Ints, TimeNetwork

STATE_LIMIT = 4_000_000  # nodes x steps up to which a blocked quick search is redone thoroughly


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


@dataclass(frozen=True)
class FlowPlan:
    """CCRP's answer: the groups, and per source the people no sink could take."""

    groups: list[Group]
    unplaced: Ints
    arc_peak: Ints  # (arcs,) most people entering each arc in one step
    searches: int = 0  # route searches run

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

    By default each route comes from CCRP's quick search (one label per node), redone over
    every (node, step) state only when it finds nothing; `thorough` always searches every
    state (slower, closer to the optimum on small networks).

    >>> from geo.evacuation.network import demand, network_from_arcs
    >>> net, _ = network_from_arcs(2, [0], [1], [3], [4], [0, 0])
    >>> plan = ccrp(net, demand([0], [10], [1], [100]))
    >>> [(g.people, g.start, g.arrival) for g in plan.groups]
    [(4, 0, 3), (4, 1, 4), (2, 2, 5)]
    """
    rows, arcs, departs, left, peak, searches = lazy_ccrp(
        net.indptr, net.head, net.steps, net.capacity, net.node_capacity,
        dem.source_node, dem.supply, dem.sink_node, dem.room, thorough, STATE_LIMIT,
    )  # fmt: skip
    assert rows.shape[1] == GROUP_FIELDS
    arc_list, dep_list = arcs.tolist(), departs.tolist()
    groups = [
        Group(src, snk, people, tuple(arc_list[off : off + n]), tuple(dep_list[off : off + n]),
              arrival)
        for src, snk, people, arrival, off, n in rows.tolist()
    ]  # fmt: skip
    return FlowPlan(groups, np.asarray(left, dtype=np.int64), peak, int(searches))


def warm_up() -> None:
    """Compile the kernel, or load it from numba's cache (geo/evacuation/__pycache__): the
    first compile takes ~30 s, a load well under 1 s. The setup runs it once."""
    from geo.evacuation.network import demand, network_from_arcs

    net, _ = network_from_arcs(3, [0, 1], [1, 2], [1, 1], [5, 2], [0, 0, 0])
    for thorough in (False, True):
        ccrp(net, demand([0], [6], [2], [100]), thorough=thorough)
