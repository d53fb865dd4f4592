"""Small evacuation networks for the planner tests (seeded random and hand-made), and an
independent check of a plan's schedule against every capacity."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from geo.evacuation.ccrp import FlowPlan
from geo.evacuation.network import Demand, TimeNetwork, demand, network_from_arcs


@dataclass(frozen=True)
class Case:
    name: str
    net: TimeNetwork
    dem: Demand
    core_arcs: frozenset[int] = frozenset()  # CSR arcs that must never be used


def random_case(seed: int, *, tight: bool = False) -> Case:
    """A connected random network of 4-12 nodes with 1-3 sources and 1-3 sinks."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 13))
    pairs = {(int(rng.integers(0, v)), v) for v in range(1, n)}  # a spanning tree
    for _ in range(int(rng.integers(0, n))):
        a, b = (int(x) for x in rng.choice(n, 2, replace=False))
        pairs.add((min(a, b), max(a, b)))
    tail, head, steps, cap = [], [], [], []
    for a, b in sorted(pairs):
        s, c = int(rng.integers(1, 5)), int(rng.integers(1, 7))
        directions = [(a, b), (b, a)] if rng.random() < 0.8 else [(a, b)]
        for u, v in directions:
            tail.append(u), head.append(v), steps.append(s), cap.append(c)
    node_cap = rng.integers(0, 8, size=n)
    nodes = rng.permutation(n)
    n_src = int(rng.integers(1, 4))
    n_snk = min(int(rng.integers(1, 4)), n - n_src)
    src, snk = nodes[:n_src], nodes[n_src : n_src + n_snk]
    supply = rng.integers(1, 40, size=n_src)
    total = int(supply.sum())
    room = rng.integers(total // 3, total + 1, size=n_snk) if tight else np.full(n_snk, total)
    net, _ = network_from_arcs(n, tail, head, steps, cap, node_cap)
    return Case(f"random-{seed}{'-tight' if tight else ''}", net, demand(src, supply, snk, room))


def hand_made_cases() -> list[Case]:
    """Networks whose answer is known: a line, two routes of different speed, a shared
    bottleneck, a source on a sink, and the core cut out of a grid."""
    cases = []

    def add(name, n, arcs, node_cap, src, supply, snk, room, core=()):  # type: ignore[no-untyped-def]
        t, h, s, c = zip(*arcs, strict=True)
        net, order = network_from_arcs(n, t, h, s, c, node_cap)
        where = {int(o): i for i, o in enumerate(order)}
        cases.append(Case(name, net, demand(src, supply, snk, room),
                          frozenset(where[a] for a in core)))  # fmt: skip

    add("line", 3, [(0, 1, 2, 5), (1, 2, 3, 5)], [0, 0, 0], [0], [23], [2], [100])
    add("fast-narrow-slow-wide", 4, [(0, 1, 1, 2), (1, 3, 1, 2), (0, 2, 3, 10), (2, 3, 3, 10)],
        [0, 0, 0, 0], [0], [60], [3], [60])  # fmt: skip
    add("shared-bottleneck", 5, [(0, 2, 1, 6), (1, 2, 2, 6), (2, 3, 2, 4), (3, 4, 1, 9)],
        [0, 0, 3, 0, 0], [0, 1], [20, 15], [4], [35])  # fmt: skip
    add("two-shelters-one-small", 4, [(0, 1, 2, 5), (0, 2, 4, 5), (1, 3, 1, 5)],
        [0, 0, 0, 0], [0], [40], [3, 2], [10, 100])  # fmt: skip
    add("source-on-sink", 3, [(0, 1, 1, 3), (1, 2, 1, 3)], [0, 0, 0],
        [0, 2], [10, 7], [2], [100])  # fmt: skip
    add("shelters-full", 3, [(0, 1, 1, 3), (1, 2, 1, 3)], [0, 0, 0], [0], [50], [2], [30])
    add("unreachable", 4, [(0, 1, 1, 3), (2, 3, 1, 3)], [0, 0, 0, 0], [0, 2], [9, 8], [1], [99])
    # a 3x3 grid (nodes 0..8, row-major) whose centre node 4 lies in the core: its arcs are cut
    # by the graph builder (capacity 0 here), so routes must go round
    grid = []
    for v in range(9):
        for w in (v + 1, v + 3):
            if (w == v + 1 and v % 3 == 2) or w > 8:
                continue
            cap = 0 if 4 in (v, w) else 4
            grid += [(v, w, 2, cap), (w, v, 2, cap)]
    core = [i for i, a in enumerate(grid) if a[3] == 0]
    add("core-in-grid", 9, grid, [2] * 9, [0, 1], [20, 10], [8, 7], [15, 30], core)
    return cases


def check_plan(case: Case, plan: FlowPlan) -> None:
    """Recompute every load from the groups alone and assert no capacity is exceeded."""
    net, dem = case.net, case.dem
    tails = net.tails()
    arc_load: Counter[tuple[int, int]] = Counter()
    hold_load: Counter[tuple[int, int]] = Counter()
    arrived = np.zeros(dem.sink_node.size, dtype=np.int64)
    sent = np.zeros(dem.source_node.size, dtype=np.int64)
    for g in plan.groups:
        assert g.people > 0, g
        node = int(dem.source_node[g.source])
        clock = g.start
        for arc, dep in zip(g.arcs, g.departs, strict=True):
            assert arc not in case.core_arcs, f"{case.name}: route through the core"
            assert int(tails[arc]) == node, f"{case.name}: route is not connected"
            assert dep >= clock
            if node != int(dem.source_node[g.source]) or arc != g.arcs[0]:
                for t in range(clock, dep):
                    hold_load[(node, t)] += g.people
            arc_load[(arc, dep)] += g.people
            clock = dep + int(net.steps[arc])
            node = int(net.head[arc])
        assert node == int(dem.sink_node[g.sink]), f"{case.name}: route ends off its sink"
        assert clock == g.arrival
        arrived[g.sink] += g.people
        sent[g.source] += g.people
    for (arc, _), load in arc_load.items():
        assert load <= net.capacity[arc], f"{case.name}: arc {arc} over capacity"
    for (node, _), load in hold_load.items():
        assert load <= net.node_capacity[node], f"{case.name}: node {node} over capacity"
    assert (arrived <= dem.room).all(), f"{case.name}: shelter over capacity"
    assert (sent + plan.unplaced == dem.supply).all(), f"{case.name}: evacuees lost"
    assert (plan.unplaced >= 0).all()
