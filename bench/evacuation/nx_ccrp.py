"""The peer: a straightforward CCRP on networkx, as the paper writes it.

One time-aware Dijkstra per group from a super-source (every source with people left) over a
networkx DiGraph, with reservations in dicts; the same time model and the same node-label
search rule as gridmap's quick search (leave as soon as the arc has room, waiting at the node
while it can hold people; at the origin people wait in their buildings). Same answer, same
kind of search per group; only the implementation differs.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict

import networkx as nx
import numpy as np

from geo.evacuation.network import Demand, TimeNetwork


def to_networkx(net: TimeNetwork) -> nx.DiGraph:
    """The time network as a DiGraph with `steps` and `cap` on each arc."""
    g = nx.DiGraph()
    g.add_nodes_from((v, {"hold": int(c)}) for v, c in enumerate(net.node_capacity.tolist()))
    for u, v, s, c in zip(net.tails().tolist(), net.head.tolist(), net.steps.tolist(),
                          net.capacity.tolist(), strict=True):  # fmt: skip
        if c > 0:
            g.add_edge(u, v, steps=s, cap=c)
    return g


def nx_ccrp(g: nx.DiGraph, dem: Demand) -> tuple[int, int, int]:
    """Route everyone: (groups, people routed, evacuation time in steps)."""
    arc_used: defaultdict[tuple[int, int, int], int] = defaultdict(int)
    hold_used: defaultdict[tuple[int, int], int] = defaultdict(int)
    left = dict(zip(dem.source_node.tolist(), dem.supply.tolist(), strict=True))
    room = dict(zip(dem.sink_node.tolist(), dem.room.tolist(), strict=True))
    groups = routed = end = 0
    while True:
        route = _earliest(g, left, room, arc_used, hold_used)
        if route is None:
            return groups, routed, end
        path, departs, arrival = route
        people = min(left[path[0]], room[path[-1]])
        for i, (u, v) in enumerate(itertools.pairwise(path)):
            people = min(people, g[u][v]["cap"] - arc_used[(u, v, departs[i])])
            if i > 0:
                for t in range(departs[i - 1] + g[path[i - 1]][u]["steps"], departs[i]):
                    people = min(people, g.nodes[u]["hold"] - hold_used[(u, t)])
        for i, (u, v) in enumerate(itertools.pairwise(path)):
            arc_used[(u, v, departs[i])] += people
            if i > 0:
                for t in range(departs[i - 1] + g[path[i - 1]][u]["steps"], departs[i]):
                    hold_used[(u, t)] += people
        left[path[0]] -= people
        room[path[-1]] -= people
        groups, routed, end = groups + 1, routed + people, max(end, arrival)


def _earliest(g, left, room, arc_used, hold_used):  # type: ignore[no-untyped-def]
    """Earliest (path, departures, arrival) to a sink with room, or None."""
    label, pred = {}, {}
    heap = []
    for s, n in left.items():
        if n > 0:  # active sources start at step 0 and are never relabelled
            label[s] = 0
            heap.append((0, s))
    heapq.heapify(heap)
    done = set()
    while heap:
        t, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        if room.get(u, 0) > 0:
            path, departs = [u], []
            while u in pred:
                u, d = pred[u]
                path.append(u), departs.append(d)
            return path[::-1], departs[::-1], t
        for v, attrs in g.adj[u].items():
            d = t
            if left.get(u, 0) > 0:
                while attrs["cap"] - arc_used[(u, v, d)] <= 0:  # waiting in the building
                    d += 1
            else:
                while attrs["cap"] - arc_used[(u, v, d)] <= 0:
                    if g.nodes[u]["hold"] - hold_used[(u, d)] <= 0:
                        d = -1
                        break
                    d += 1
                if d < 0:
                    continue
            if v not in done and d + attrs["steps"] < label.get(v, np.iinfo(np.int64).max):
                label[v], pred[v] = d + attrs["steps"], (u, d)
                heapq.heappush(heap, (label[v], v))
    return None
