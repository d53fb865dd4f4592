"""Benchmark: the evacuation planner (issue #9) on seeded synthetic cities; see README.md.

Prints, in one run: (a) geo.evacuation.ccrp against a straightforward networkx CCRP on the
same input (ratio, same evacuation time), at a size networkx finishes in reasonable time;
(b) absolute times at 10,000 and 100,000 nodes with 2,000 source points, 200,000 evacuees and
50 shelters, with shelters holding 1.1x and 0.8x everyone. Every plan is replayed against
every capacity. Arrays only: the road graph comes from the generator, not from PostGIS.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nx_ccrp import nx_ccrp, to_networkx
from synthetic import City, city

from geo.evacuation.ccrp import FlowPlan, ccrp, warm_up
from tests.geo.evacuation_networks import Case, check_plan

SEED = 20261128
SOURCES, EVACUEES, SHELTERS = 2_000, 200_000, 50
TARGETS = {10_000: 1.0, 100_000: 10.0}  # seconds
RATIO_TARGET = 20.0


def timed(c: City, runs: int) -> tuple[list[float], FlowPlan]:
    """Wall times of `runs` plans (after one untimed warm-up) and the last plan."""
    plan = ccrp(c.net, c.dem)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        plan = ccrp(c.net, c.dem)
        times.append(time.perf_counter() - t0)
    check_plan(Case("bench", c.net, c.dem), plan)
    return times, plan


def describe(plan: FlowPlan, c: City) -> str:
    routed = c.dem.evacuees - int(plan.unplaced.sum())
    return (f"{len(plan.groups):,} groups, {plan.searches:,} searches, routed {routed:,}/"
            f"{c.dem.evacuees:,}, ETE90 {plan.time_for(0.9)} / ETE100 {plan.evacuation_time} "
            f"steps of 60 s")  # fmt: skip


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(round(0.95 * len(xs)) - 1, 0)]


def against_networkx(nodes: int, runs: int) -> float:
    """(a): both planners on one city scaled to `nodes`; the ratio of their times."""
    scale = nodes / 10_000
    c = city(nodes, sources=int(SOURCES * scale), evacuees=int(EVACUEES * scale),
             shelters=max(int(SHELTERS * scale), 1), room=1.1, seed=SEED)  # fmt: skip
    print(f"\n(a) vs networkx {_nx_version()}: {c.net.n_nodes:,} nodes, {c.net.n_arcs:,} arcs, "
          f"{c.sources:,} source points ({c.dem.source_node.size:,} nodes), "
          f"{c.dem.evacuees:,} evacuees, {c.dem.sink_node.size} shelters "
          f"(room {c.shelter_room:,})")  # fmt: skip
    ours, plan = timed(c, runs)
    g = to_networkx(c.net)
    theirs = []
    for _ in range(max(runs // 5, 1)):
        t0 = time.perf_counter()
        groups, routed, ete = nx_ccrp(g, c.dem)
        theirs.append(time.perf_counter() - t0)
    ratio = statistics.median(theirs) / statistics.median(ours)
    print(f"  gridmap  median {statistics.median(ours):.3f} s (p95 {p95(ours):.3f}, {runs} runs): "
          f"{describe(plan, c)}")  # fmt: skip
    print(f"  networkx median {statistics.median(theirs):.2f} s ({len(theirs)} run(s)): "
          f"{groups:,} groups, routed {routed:,}, ETE100 {ete} steps")  # fmt: skip
    verdict = "met" if ratio >= RATIO_TARGET else "NOT met"
    print(f"  ratio {ratio:.0f}x (target >= {RATIO_TARGET:.0f}x: {verdict})")
    return ratio


def absolute(nodes: int, room: float, runs: int) -> float:
    """(b): one city at full demand; the median time."""
    c = city(nodes, sources=SOURCES, evacuees=EVACUEES, shelters=SHELTERS, room=room, seed=SEED)
    t0 = time.perf_counter()
    first = ccrp(c.net, c.dem)
    cold = time.perf_counter() - t0
    times, plan = timed(c, runs)
    med = statistics.median(times)
    target = TARGETS[nodes]
    verdict = "met" if med < target else "NOT met"
    print(f"  {c.net.n_nodes:>7,} nodes {c.net.n_arcs:>7,} arcs, room {room:.1f}x: median "
          f"{med:.3f} s, p95 {p95(times):.3f} s ({runs} runs; first call in the process "
          f"{cold:.3f} s) target < {target:.0f} s: {verdict}")  # fmt: skip
    print(f"      {describe(plan, c)}")
    assert first.evacuation_time == plan.evacuation_time  # deterministic
    return med


def _nx_version() -> str:
    import networkx

    return str(networkx.__version__)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nx-nodes", type=int, default=5_000, help="size of the networkx comparison")
    ap.add_argument("--runs", type=int, default=5, help="timed runs of gridmap per case")
    args = ap.parse_args()
    t0 = time.perf_counter()
    warm_up()  # loads (or compiles, the first time on a machine) the numba kernel
    print(f"kernel load/compile: {time.perf_counter() - t0:.2f} s (once per process)")
    against_networkx(args.nx_nodes, args.runs)
    print(f"\n(b) absolute: {SOURCES:,} source points, {EVACUEES:,} evacuees, {SHELTERS} shelters")
    for nodes in TARGETS:
        for room in (1.1, 0.8):
            absolute(nodes, room, args.runs)


if __name__ == "__main__":
    main()
