"""plan_evacuation on a hand-made street grid in PostGIS: who leaves, where to, by which roads."""

from __future__ import annotations

import logging
import random

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely import wkb
from shapely.geometry import MultiPolygon, Point

from geo.errors import InvalidInput
from geo.evacuation import planner
from geo.evacuation.planner import PlanParams, plan_evacuation, save_plan
from geo.models import Enterprise, Hazard, Shelter
from geo.uscc import generate
from tests.geo.road_fixtures import add_roads, lonlat, square

CORE = square(260, 260, 340, 340)  # the centre junction of the grid
ZONE = square(150, 150, 450, 450)


def world(db, rooms=(250, 1000)) -> Hazard:  # type: ignore[no-untyped-def]
    """A 3x3 street grid 600 m wide, two enterprises in the zone (and two that do not count),
    two shelters outside and one inside it, and the hazard."""
    lines = [[(0, y), (600, y)] for y in (0, 300, 600)] + [
        [(x, 0), (x, 600)] for x in (0, 300, 600)
    ]
    add_roads(db, *lines)
    rng = random.Random(9)
    for name, (x, y), day, night, status in [
        ("甲厂", (320, 200), 300, 30, "operating"), ("乙厂", (200, 320), 100, 100, "operating"),
        ("丙厂", (400, 220), 500, 500, "closed"), ("丁厂", (550, 550), 700, 70, "operating"),
    ]:  # fmt: skip
        db.add(Enterprise(uscc=generate(rng), name=name, employees_day=day,
                          employees_night=night, status=status, geom=_point(x, y)))  # fmt: skip
    for code, (x, y), room in [("S1", (0, 0), rooms[0]), ("S2", (600, 600), rooms[1]),
                               ("S3", (420, 420), 5000)]:  # fmt: skip
        db.add(Shelter(code=code, name=code, kind="park_square", capacity=room, geom=_point(x, y)))
    hazard = Hazard(name="燃气泄漏", scenario="gas_leak", time_of_day="day",
                    core=from_shape(MultiPolygon([CORE]), 4326),
                    zone=from_shape(MultiPolygon([ZONE]), 4326))  # fmt: skip
    db.add(hazard)
    db.flush()
    return hazard


def _point(x: float, y: float):  # type: ignore[no-untyped-def]
    return from_shape(Point(*lonlat(x, y)), 4326)


def test_everyone_in_the_zone_reaches_a_shelter_outside_it_round_the_core(db) -> None:
    plan = plan_evacuation(db, world(db).id)
    rep = plan.report
    assert (rep.evacuees, rep.routed, rep.unplaced) == (400, 400, 0)
    assert plan.dropped_in_core == 4 and plan.component_sizes[-1] == 1
    shelter_ids = {s.name: s.shelter_id for s in rep.shelters}
    assert set(shelter_ids) == {"S1", "S2"} and len(plan.unusable_shelters) == 1
    assert all(s.load <= s.capacity for s in rep.shelters)
    assert all(not wkb.loads(piece).intersects(CORE) for piece in plan.route_wkb.values())
    assert all(e.peak <= e.capacity for e in rep.edges)
    assert 0 < rep.ete90_min <= rep.ete100_min
    assert max(g.arrive_min for g in rep.groups) == rep.ete100_min


def test_the_plan_logs_how_long_each_stage_took(db, caplog, monkeypatch) -> None:
    hazard = world(db)
    with caplog.at_level(logging.INFO, logger="gridmap.evacuation"):
        plan = plan_evacuation(db, hazard.id)
    assert list(plan.seconds) == ["graph", "demand", "ccrp", "refine", "report"]
    [record] = caplog.records
    assert record.levelno == logging.INFO and f"hazard {hazard.id}:" in record.getMessage()
    assert "graph " in record.getMessage() and "ccrp " in record.getMessage()
    caplog.clear()
    monkeypatch.setattr(planner, "SLOW_PLAN_S", 0.0)  # every plan is "slow": a warning
    plan_evacuation(db, hazard.id)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_night_uses_the_night_headcount(db) -> None:
    plan = plan_evacuation(db, world(db).id, time_of_day="night")
    assert (plan.report.evacuees, plan.report.routed) == (130, 130)


def test_full_shelters_leave_people_reported_by_enterprise(db) -> None:
    plan = plan_evacuation(db, world(db, rooms=(50, 100)).id)
    rep = plan.report
    assert (rep.routed, rep.unplaced) == (150, 250)
    assert sum(u.people for u in rep.left_behind) == 250
    assert {u.reason for u in rep.left_behind} == {"shelters_full"}
    assert all(s.load == s.capacity for s in rep.shelters)


def test_driving_plan_and_saving_it_with_its_parameters(db) -> None:
    hazard = world(db)
    plan = plan_evacuation(db, hazard.id, mode="drive", params=PlanParams(step_s=30))
    row = save_plan(db, plan, name="预案一")
    assert row.parameters["mode"] == "drive" and row.parameters["step_s"] == 30
    assert row.evacuees == 400 and row.unplaced == 0 and row.ete100_min == plan.report.ete100_min
    assert len(row.result["groups"]) == len(plan.report.groups)
    assert not to_shape(row.routes).intersects(CORE)


def test_a_drawn_hazard_plans_but_cannot_be_saved_without_its_row(db) -> None:
    world(db)
    plan = plan_evacuation(db, (CORE, ZONE))
    assert plan.hazard_id is None and plan.report.routed == 400
    with pytest.raises(InvalidInput):
        save_plan(db, plan, name="草稿")
