"""CCRP (with its refinement) against the exact quickest evacuation on small networks."""

from __future__ import annotations

import pytest

from geo.evacuation.ccrp import ccrp
from geo.evacuation.optimum import placeable as best_placement
from geo.evacuation.optimum import quickest_time
from geo.evacuation.refine import refine
from tests.geo.evacuation_networks import Case, check_plan, hand_made_cases, random_case

CASES = (
    hand_made_cases()
    + [random_case(seed) for seed in range(120)]
    + [random_case(seed, tight=True) for seed in range(1000, 1060)]
)


def _ratio(case: Case, time: int, optimum: int) -> float:
    return time / optimum if optimum else (1.0 if time == 0 else float("inf"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_plan_is_within_ten_percent_of_the_optimum_and_respects_every_capacity(case: Case) -> None:
    raw = ccrp(case.net, case.dem)
    check_plan(case, raw)
    placeable = best_placement(case.net, case.dem)
    plan = refine(case.net, case.dem, raw, target=placeable)
    check_plan(case, plan)
    assert case.dem.evacuees - int(plan.unplaced.sum()) == placeable
    optimum, _ = quickest_time(case.net, case.dem)
    assert _ratio(case, plan.evacuation_time, optimum) <= 1.10


@pytest.mark.parametrize(("thorough", "share"), [(True, 0.9), (False, 0.8)])
def test_plain_ccrp_is_close_on_most_cases(thorough: bool, share: float) -> None:
    ratios = []
    for case in CASES:
        raw = ccrp(case.net, case.dem, thorough=thorough)
        check_plan(case, raw)
        optimum, _ = quickest_time(case.net, case.dem)
        ratios.append(_ratio(case, raw.evacuation_time, optimum))
    within = sum(r <= 1.10 for r in ratios) / len(ratios)
    print(f"plain CCRP (thorough={thorough}) within 1.10x on {within:.0%}, worst {max(ratios):.2f}")
    assert within >= share, f"plain CCRP within 1.10x on {within:.0%}, worst {max(ratios):.2f}"


def test_line_sends_capacity_per_step_and_the_rest_later() -> None:
    case = next(c for c in hand_made_cases() if c.name == "line")
    plan = ccrp(case.net, case.dem)
    assert [g.people for g in plan.groups] == [5, 5, 5, 5, 3]
    assert [g.arrival for g in plan.groups] == [5, 6, 7, 8, 9]
    assert plan.time_for(0.9) == 9 and plan.time_for(0.5) == 7


def test_full_shelters_and_unreachable_sources_are_reported_unplaced() -> None:
    cases = {c.name: c for c in hand_made_cases()}
    full = ccrp(cases["shelters-full"].net, cases["shelters-full"].dem)
    assert full.unplaced.tolist() == [20]
    cut = ccrp(cases["unreachable"].net, cases["unreachable"].dem)
    assert cut.unplaced.tolist() == [0, 8]


def test_source_on_a_shelter_arrives_at_once() -> None:
    case = next(c for c in hand_made_cases() if c.name == "source-on-sink")
    plan = ccrp(case.net, case.dem)
    assert any(g.arcs == () and g.arrival == 0 and g.people == 7 for g in plan.groups)


def test_routes_go_round_the_core() -> None:
    case = next(c for c in hand_made_cases() if c.name == "core-in-grid")
    plan = refine(case.net, case.dem, ccrp(case.net, case.dem))
    check_plan(case, plan)  # asserts no arc of the core is used
    assert plan.unplaced.sum() == 0


def test_refined_plan_takes_exactly_the_optimum_time_on_small_networks() -> None:
    for case in CASES:
        plan = refine(case.net, case.dem, ccrp(case.net, case.dem),
                      target=best_placement(case.net, case.dem))  # fmt: skip
        optimum, _ = quickest_time(case.net, case.dem)
        assert plan.evacuation_time == optimum, case.name


def test_a_flow_waiting_at_the_shelter_node_becomes_groups_that_arrive_at_once() -> None:
    case = next(c for c in CASES if c.name == "random-1035-tight")
    plan = refine(case.net, case.dem, ccrp(case.net, case.dem),
                  target=best_placement(case.net, case.dem))  # fmt: skip
    check_plan(case, plan)  # asserts each group's arrival is its last arc's
