"""The exact quickest evacuation on small networks, by max flow over the time-expanded network.

For a horizon T the network is copied once per step 0..T: an arc u→v of `steps` τ joins
(u, t) to (v, t + τ) with its capacity per step, (v, t)→(v, t + 1) holds the node's waiting
room, each source has its own chain of origin copies (people wait in their buildings without
limit) feeding its node, and every copy of a sink node drains into that sink, capped by its
room. Everyone who can be placed at all is placed by T iff the max flow reaches that number;
the smallest such T (binary search) is the optimum CCRP is measured against. Same time model
as geo.evacuation.network. The planner's refinement (geo.evacuation.refine) takes the flow
itself on small networks; the tests measure CCRP against it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from geo.evacuation.network import Demand, Ints, TimeNetwork

LIMIT = 1 << 16  # longest horizon searched, in steps


def placeable(net: TimeNetwork, dem: Demand) -> int:
    """Most evacuees that can reach a sink with room, given unlimited time."""
    n = net.n_nodes
    big = max(dem.evacuees, 1)
    usable = net.capacity > 0
    tail = np.concatenate([net.tails()[usable], np.full(dem.source_node.size, n), dem.sink_node])
    head = np.concatenate([net.head[usable], dem.source_node, np.full(dem.sink_node.size, n + 1)])
    cap = np.concatenate([np.full(int(usable.sum()), big), dem.supply, dem.room])
    return _max_flow(n + 2, tail, head, cap, n, n + 1)


def evacuated_by(net: TimeNetwork, dem: Demand, horizon: int) -> int:
    """Most evacuees that can reach a sink with room by step `horizon`."""
    return _max_flow(*_expanded(net, dem, horizon))


def _flow_matrix(net: TimeNetwork, dem: Demand, horizon: int) -> Any:
    """The max flow by `horizon` on the time-expanded network, per arc of it (CSR)."""
    n_all, tail, head, cap, ss, tt = _expanded(net, dem, horizon)
    graph = _graph(n_all, tail, head, cap)
    return maximum_flow(graph, ss, tt, method="dinic").flow


def _expanded(
    net: TimeNetwork, dem: Demand, horizon: int
) -> tuple[int, Ints, Ints, Ints, int, int]:
    """The time-expanded network up to `horizon`: (nodes, tails, heads, capacities, ss, tt)."""
    n, layers = net.n_nodes, horizon + 1
    big = max(dem.evacuees, 1)
    n_src, n_snk = dem.source_node.size, dem.sink_node.size
    origin0 = n * layers
    collector0 = origin0 + n_src * layers
    ss, tt = collector0 + n_snk, collector0 + n_snk + 1
    t_all = np.arange(layers, dtype=np.int64)
    parts: list[tuple[Ints, Ints, Ints]] = []
    tails = net.tails()
    for arc in np.nonzero(net.capacity > 0)[0]:
        t = t_all[: max(layers - int(net.steps[arc]), 0)]
        tail_copies = _copy(layers, int(tails[arc]), t)
        head_copies = _copy(layers, int(net.head[arc]), t + net.steps[arc])
        parts.append((tail_copies, head_copies, np.full(t.size, net.capacity[arc])))
    for v in np.nonzero(net.node_capacity > 0)[0]:
        t = t_all[:-1]
        parts.append(
            (
                _copy(layers, int(v), t),
                _copy(layers, int(v), t + 1),
                np.full(t.size, net.node_capacity[v]),
            )
        )
    for i, (v, supply) in enumerate(zip(dem.source_node, dem.supply, strict=True)):
        o = origin0 + i * layers + t_all
        parts.append((np.array([ss]), o[:1], np.array([supply])))
        parts.append((o[:-1], o[1:], np.full(layers - 1, big)))
        parts.append((o, _copy(layers, int(v), t_all), np.full(layers, big)))
    for k, (v, room) in enumerate(zip(dem.sink_node, dem.room, strict=True)):
        parts.append(
            (_copy(layers, int(v), t_all), np.full(layers, collector0 + k), np.full(layers, big))
        )
        parts.append((np.array([collector0 + k]), np.array([tt]), np.array([room])))
    tail, head, cap = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return tt + 1, tail, head, cap, ss, tt


def optimal_flow(net: TimeNetwork, dem: Demand, horizon: int) -> tuple[Ints, Ints, Ints, Ints]:
    """A max flow by step `horizon` as (arc (arcs, L), hold (nodes, L), start (sources, L),
    arrive (sinks, L)) people per step, L = horizon + 1: what evacuated_by counts."""
    n, layers = net.n_nodes, horizon + 1
    flows = _flow_matrix(net, dem, horizon)
    origin0 = n * layers
    collector0 = origin0 + dem.source_node.size * layers
    t_all = np.arange(layers, dtype=np.int64)
    arc = np.zeros((net.n_arcs, layers), dtype=np.int64)
    a, t = np.nonzero((net.capacity[:, None] > 0) & (t_all[None, :] + net.steps[:, None] < layers))
    rows = net.tails()[a] * layers + t
    cols = net.head[a] * layers + t + net.steps[a]
    arc[a, t] = _split(_lookup(flows, rows, cols), rows * (flows.shape[0] + 1) + cols,
                       net.capacity[a])  # fmt: skip
    hold = np.zeros((n, layers), dtype=np.int64)
    for v in np.nonzero(net.node_capacity > 0)[0]:
        hold[v, :-1] = _lookup(flows, v * layers + t_all[:-1], v * layers + t_all[1:])
    start = np.stack([_lookup(flows, origin0 + i * layers + t_all, v * layers + t_all)
                      for i, v in enumerate(dem.source_node.tolist())])  # fmt: skip
    arrive = np.stack([_lookup(flows, v * layers + t_all, np.full(layers, collector0 + k))
                       for k, v in enumerate(dem.sink_node.tolist())])  # fmt: skip
    return arc, hold, start, arrive


def _split(flow: Ints, key: Ints, cap: Ints) -> Ints:
    """Share the flow of parallel arcs (same `key`) among them, each up to its capacity."""
    order = np.argsort(key, kind="stable")
    k, c = key[order], cap[order]
    first = np.concatenate([[True], k[1:] != k[:-1]])
    before = np.cumsum(c) - c
    before -= np.maximum.accumulate(np.where(first, before, 0))
    out = np.empty_like(flow)
    out[order] = np.clip(flow[order] - before, 0, c)
    return out


def _lookup(flows: Any, rows: Ints, cols: Ints) -> Ints:
    """Flow on these arcs of the expanded network (0 where none)."""
    values: Ints = np.maximum(np.asarray(flows[rows, cols]).ravel(), 0).astype(np.int64)
    return values


def quickest_time(net: TimeNetwork, dem: Demand, *, upper: int | None = None) -> tuple[int, int]:
    """(smallest horizon that places everyone placeable, how many that is).

    `upper`, when given, is a horizon known to be enough (e.g. a CCRP plan's time).

    >>> from geo.evacuation.network import demand, network_from_arcs
    >>> net, _ = network_from_arcs(2, [0], [1], [3], [4], [0, 0])
    >>> quickest_time(net, demand([0], [10], [1], [100]))
    (5, 10)
    """
    target = placeable(net, dem)
    if target == 0:
        return 0, 0
    hi = upper if upper is not None else 1
    while evacuated_by(net, dem, hi) < target:
        if hi >= LIMIT:
            raise ValueError(f"no evacuation within {LIMIT} steps")
        hi *= 2
    lo = 0  # invariant: hi is enough; lo - 1 is not (or lo == 0)
    while lo < hi:
        mid = (lo + hi) // 2
        if evacuated_by(net, dem, mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return hi, target


def _copy(layers: int, node: Ints | int, step: Ints) -> Ints:
    """Index of node's copy at each step in the time-expanded graph."""
    return np.asarray(node * layers + step, dtype=np.int64)


def _graph(n: int, tail: Ints, head: Ints, cap: Ints) -> Any:
    """The CSR graph of these arcs (parallel arcs add up)."""
    graph = csr_matrix(
        (np.asarray(cap, dtype=np.int32), (np.asarray(tail), np.asarray(head))), shape=(n, n)
    )
    graph.sum_duplicates()
    return graph


def _max_flow(n: int, tail: Ints, head: Ints, cap: Ints, source: int, sink: int) -> int:
    """Max flow value on the graph of these arcs (parallel arcs add up)."""
    return int(maximum_flow(_graph(n, tail, head, cap), source, sink, method="dinic").flow_value)
