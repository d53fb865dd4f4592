"""The compiled CCRP with lazy re-search: same plans as the classic one-search-per-group CCRP,
capacities kept on larger street grids, long horizons, and routes that must leave later."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from geo.evacuation.ccrp import ccrp
from geo.evacuation.network import demand, network_from_arcs
from geo.evacuation.optimum import placeable
from tests.geo.evacuation_networks import Case, check_plan

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "evacuation"))
from nx_ccrp import nx_ccrp, to_networkx
from synthetic import city


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("room", [1.2, 0.6])
def test_lazy_ccrp_matches_classic_ccrp_on_street_grids_and_keeps_every_capacity(
    seed: int, room: float
) -> None:
    c = city(600, sources=60, evacuees=6_000, shelters=4, room=room, seed=seed)
    plan = ccrp(c.net, c.dem)
    check_plan(Case(f"grid-{seed}", c.net, c.dem), plan)
    routed = c.dem.evacuees - int(plan.unplaced.sum())
    assert routed == placeable(c.net, c.dem)  # everyone who can reach room does
    _groups, classic_routed, classic_time = nx_ccrp(to_networkx(c.net), c.dem)
    assert routed == classic_routed
    assert plan.evacuation_time <= classic_time * 1.05  # ties may be broken differently


def test_horizon_grows_past_the_first_chunks() -> None:
    net, _ = network_from_arcs(2, [0], [1], [1], [1], [0, 0])
    plan = ccrp(net, demand([0], [300], [1], [1_000]))
    assert [g.arrival for g in plan.groups] == list(range(1, 301))
    assert plan.arc_peak.tolist() == [1]


def test_a_route_that_must_leave_later_because_a_junction_holds_nobody_is_found() -> None:
    # 0 -> 1 -> 2: the second road takes 2 a step and junction 1 cannot hold anyone, so those
    # who would reach it while the road is busy have to leave their building later instead
    net, _ = network_from_arcs(3, [0, 1], [1, 2], [1, 1], [5, 2], [0, 0, 0])
    dem = demand([0], [6], [2], [100])
    for thorough in (False, True):
        plan = ccrp(net, dem, thorough=thorough)
        check_plan(Case("junction", net, dem), plan)
        assert [(g.people, g.start, g.arrival) for g in plan.groups] == [
            (2, 0, 2),
            (2, 1, 3),
            (2, 2, 4),
        ]


def test_sources_without_a_reachable_shelter_are_left_unplaced_at_once() -> None:
    net, _ = network_from_arcs(4, [0, 2], [1, 3], [1, 1], [3, 3], [0, 0, 0, 0])
    plan = ccrp(net, demand([0, 2], [9, 8], [1], [99]))
    assert plan.unplaced.tolist() == [0, 8] and plan.searches <= 4
    assert np.all(plan.arc_peak <= net.capacity)
