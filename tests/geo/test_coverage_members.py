"""Member figures (geo/sql/coverage_members.sql: kept totals and the members' own month rows)
agree with the per-enterprise computation they replaced, on random visits by accounts, staff
with and without an account, and nobody."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from geo.coverage import figures, months
from geo.models import Enterprise, Staff, User
from geo.sqlfiles import INCLUDE, sql_text
from tests.geo.catalog_fixtures import C1, G1, G2, G3
from tests.geo.test_coverage import OCTOBER, _random_world, _visit
from tests.logins import add_login

# the members' definition taken in from geo/sql/coverage_member_scope.sql, as the live statement
_REFERENCE = Path(__file__).with_name("coverage_members_per_enterprise.sql").read_text("utf-8")
PER_ENTERPRISE = text(INCLUDE.sub(lambda m: sql_text(m.group(1)).strip(), _REFERENCE))


def _recorders(db) -> list[dict[str, int | None]]:
    """Who records: accounts (one of them also a staff member), staff alone, nobody."""
    add_login(db, "grid_member", grids=[G1, G2])
    leader = add_login(db, "grid_leader", grids=[G3])
    staff = {s.staff_no: s.id for s in db.scalars(select(Staff))}
    linked = db.get(User, leader.user_id)
    assert linked is not None
    linked.staff_id = staff["leader3"]  # the account's visits and its staff record's count
    db.flush()
    users = [{"user_id": u, "staff_id": None} for u in db.scalars(select(User.id))]
    return users + [{"user_id": None, "staff_id": s} for s in staff.values()] + [{}]


@pytest.mark.parametrize("seed", [41, 42])
def test_member_figures_match_the_per_enterprise_computation(db, seed):
    world, rng, ids = _random_world(db, seed, 60)
    who = _recorders(db)
    now = db.scalar(text("SELECT now()"))
    for i in range(150):
        when = rng.choice([OCTOBER, months.current_month()])
        at = months.month_bounds(when)[0] + timedelta(hours=i, seconds=rng.random())
        check = rng.choice(["verified", "flagged", "no_location"])
        _visit(db, rng.choice(ids), min(at, now), check, **rng.choice(who))
    moved = db.scalars(select(Enterprise).where(Enterprise.id.in_(rng.sample(ids, 10))))
    for enterprise in moved:  # the current places count
        enterprise.grid_id = world.grids[rng.choice([G1, G2, G3])].id
    db.flush()
    for month in (OCTOBER, months.current_month()):
        for where in ({}, {"community": C1}, {"grid": G1}, {"grid": G3}):
            params = {"month": month, "level": "member", "community": None, "grid": None, **where}
            expected = [figures.Unit("member", code, name, v, ver, f, t, parent, community)
                        for code, name, parent, community, v, ver, f, t
                        in db.execute(PER_ENTERPRISE, params)]  # fmt: skip
            found = figures.live_units(db, month, "member", **where)
            assert found == expected, (month, where)
            assert any(u.visited for u in found) or where
