"""Staffing adequacy per grid (S5.2.2), and the small park the catalogue and API tests share."""

from __future__ import annotations

from datetime import timedelta

import pytest

from geo.errors import NotFound
from geo.staffing import StaffingNorms, assess, grid_staffing, read_grid_staffing
from tests.geo.catalog_fixtures import (
    C2,
    G1,
    G2,
    G3,
    RETIRED,
    build_world,
)


def _by_code(db, norms=StaffingNorms(), **kwargs):
    return {g.grid_code: g for g in grid_staffing(db, norms=norms, **kwargs)}


def test_staffing_covers_live_grids_only(db):
    build_world(db)
    assert list(_by_code(db)) == [G1, G2, G3]


def test_staff_counted_by_role_once_per_person(db):
    build_world(db)
    g1 = _by_code(db)[G1]
    assert g1.staff_by_role == {
        "party_secretary": 0, "party_member": 0, "grid_leader": 1,
        "full_time": 1, "instructor": 0, "part_time": 1,
    }  # fmt: skip
    assert (g1.staff, g1.enterprises, g1.employees) == (2, 2, 130)
    assert g1.enterprises_per_full_time == 2 and g1.employees_per_staff == 65
    assert g1.flags == ()


def test_ended_inactive_and_future_assignments_are_not_counted(db):
    build_world(db)
    grids = _by_code(db)
    assert grids[G2].staff_by_role["full_time"] == 0
    assert grids[G3].staff_by_role["full_time"] == 1
    assert grids[G3].staff == 2


def test_an_ended_assignment_counts_on_a_day_before_it_ended(db):
    world = build_world(db)
    earlier = _by_code(db, on=world.today - timedelta(days=2))
    assert earlier[G2].staff_by_role["full_time"] == 1


def test_grid_without_leader_and_full_time_member_is_flagged(db):
    build_world(db)
    g2 = _by_code(db)[G2]
    assert [f.kind for f in g2.flags] == ["no_leader", "understaffed_full_time"]
    assert g2.flags[0].message.startswith("未配备网格长")
    assert "grid leader" in g2.flags[0].message
    assert g2.required_full_time == 1 and g2.enterprises_per_full_time is None


def test_closed_enterprises_are_not_served(db):
    build_world(db)
    g3 = _by_code(db)[G3]
    assert (g3.enterprises, g3.employees) == (2, 3008)


def test_stricter_norms_raise_more_flags(db):
    build_world(db)
    norms = StaffingNorms(enterprises_per_full_time=1, employees_per_staff=1000, min_part_time=1)
    grids = _by_code(db, norms=norms)
    assert [f.kind for f in grids[G1].flags] == ["understaffed_full_time"]
    assert grids[G1].required_full_time == 2
    assert [f.kind for f in grids[G3].flags] == [
        "understaffed_full_time",
        "too_many_employees_per_staff",
        "too_few_part_time",
    ]
    assert "1504" in grids[G3].flags[1].message


def test_staffing_filters_by_community_and_grid(db):
    build_world(db)
    assert list(_by_code(db, community=C2)) == [G3]
    assert read_grid_staffing(db, code=G1, norms=StaffingNorms()).grid_name == "星海一网格"


@pytest.mark.parametrize("code", [RETIRED, "320571001001099"])
def test_retired_or_unknown_grid_has_no_staffing(db, code):
    build_world(db)
    with pytest.raises(NotFound, match=f"网格 {code} 不存在"):
        read_grid_staffing(db, code=code, norms=StaffingNorms())


def test_employees_with_no_staff_on_duty_are_flagged():
    flags = assess(enterprises=0, employees=10, staff=0, by_role={}, norms=StaffingNorms())
    assert [f.kind for f in flags] == ["no_leader", "too_many_employees_per_staff"]
    assert "无在岗网格工作人员" in flags[1].message


def test_an_empty_grid_needs_only_a_leader():
    flags = assess(enterprises=0, employees=0, staff=0, by_role={}, norms=StaffingNorms())
    assert [f.kind for f in flags] == ["no_leader"]
