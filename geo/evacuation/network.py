"""The planner's input as arrays: a directed network in time steps, and who goes where.

The time model, shared by the CCRP planner (geo.evacuation.ccrp) and the exact optimum
(geo.evacuation.optimum), so that both answer the same question:

- time is counted in whole steps (the plan's step length, e.g. 60 s);
- an arc (u→v) takes ``steps`` ≥ 1 steps; at most ``capacity`` people may *enter* it in any
  one step (they then travel together and reach v ``steps`` later);
- at most ``node_capacity[v]`` people may *wait* at node v from one step to the next
  (passing through without waiting is limited by the arcs alone);
- evacuees start at their source node, waiting inside their buildings for as long as needed
  (no limit); once they leave they wait only where a node has room;
- a sink takes at most ``room`` people in total, whenever they arrive; arriving is leaving the
  network (a sink node can still be passed through by others).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TimeNetwork:
    """A directed network in CSR form: arcs sorted by tail, with travel steps and capacities."""

    indptr: Ints  # (n + 1,) arcs of node u are indptr[u]:indptr[u + 1]
    head: Ints  # (m,) node each arc leads to
    steps: Ints  # (m,) travel time in steps, >= 1
    capacity: Ints  # (m,) people entering the arc per step
    node_capacity: Ints  # (n,) people waiting at the node per step

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.indptr.shape[0] - 1)

    @property
    def n_arcs(self) -> int:
        """Number of arcs."""
        return int(self.head.shape[0])

    def tails(self) -> Ints:
        """The tail node of every arc."""
        return np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(self.indptr))


def network_from_arcs(
    n_nodes: int,
    tail: npt.ArrayLike,
    head: npt.ArrayLike,
    steps: npt.ArrayLike,
    capacity: npt.ArrayLike,
    node_capacity: npt.ArrayLike,
) -> tuple[TimeNetwork, Ints]:
    """The network of these arcs, and for each CSR arc the index of the arc given.

    >>> net, order = network_from_arcs(3, [1, 0], [2, 1], [2, 1], [5, 4], [0, 9, 0])
    >>> net.indptr.tolist(), net.head.tolist(), order.tolist()
    ([0, 1, 2, 2], [1, 2], [1, 0])
    """
    tails = np.asarray(tail, dtype=np.int64)
    order = np.argsort(tails, kind="stable").astype(np.int64)
    counts = np.bincount(tails, minlength=n_nodes)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    steps_arr = np.asarray(steps, dtype=np.int64)[order]
    if steps_arr.size and steps_arr.min() < 1:
        raise ValueError("every arc takes at least one step")
    net = TimeNetwork(
        indptr=indptr,
        head=np.asarray(head, dtype=np.int64)[order],
        steps=steps_arr,
        capacity=np.asarray(capacity, dtype=np.int64)[order],
        node_capacity=np.asarray(node_capacity, dtype=np.int64),
    )
    return net, order


@dataclass(frozen=True)
class Demand:
    """Evacuees by source node and shelter room by sink node (each node listed once)."""

    source_node: Ints
    supply: Ints
    sink_node: Ints
    room: Ints

    @property
    def evacuees(self) -> int:
        """Everyone to evacuate."""
        return int(self.supply.sum())


def demand(
    source_node: npt.ArrayLike, supply: npt.ArrayLike, sink_node: npt.ArrayLike, room: npt.ArrayLike
) -> Demand:
    """Sources and sinks as arrays, merging repeated nodes.

    >>> d = demand([3, 1, 3], [10, 5, 2], [0], [100])
    >>> d.source_node.tolist(), d.supply.tolist()
    ([1, 3], [5, 12])
    """
    src, src_inv = np.unique(np.asarray(source_node, dtype=np.int64), return_inverse=True)
    snk, snk_inv = np.unique(np.asarray(sink_node, dtype=np.int64), return_inverse=True)
    supply_arr = np.bincount(src_inv, weights=np.asarray(supply, dtype=np.float64))
    room_arr = np.bincount(snk_inv, weights=np.asarray(room, dtype=np.float64))
    return Demand(
        source_node=src,
        supply=supply_arr.astype(np.int64).reshape(-1)[: src.size],
        sink_node=snk,
        room=room_arr.astype(np.int64).reshape(-1)[: snk.size],
    )
