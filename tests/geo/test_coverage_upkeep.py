"""The per-(grid, micro-grid) coverage tables (migration 0009) kept by the visit and
enterprise triggers agree with a per-enterprise computation after visits and every kind of
enterprise write: moves between grids and micro-grids, status changes, bulk updates (a boundary
edit's re-assignment), inserts and deletes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import delete, select, text

from geo.coverage import figures, months
from geo.models import Enterprise, Microgrid, Visit
from geo.sqlfiles import sql
from geo.uscc import generate
from tests.geo.catalog_fixtures import C1, G1, G2, G3
from tests.geo.test_coverage import OCTOBER, _random_visits, _random_world, _visit

# coverage_units.sql as it was before 0009: every operating enterprise joined to its month row
PER_ENTERPRISE = text(
    Path(__file__).with_name("coverage_units_per_enterprise.sql").read_text(encoding="utf-8")
)
LEVELS = ("park", "community", "grid", "microgrid")


def _agree(db, *extra: date) -> None:
    db.flush()
    for month in (OCTOBER, date(2026, 9, 1), months.current_month(), *extra):
        for level in LEVELS:
            params = {"month": month, "level": level, "community": None, "grid": None}
            expected = [figures.Unit(level=level, **r) for r in db.execute(PER_ENTERPRISE, params)
                        .mappings()]  # fmt: skip
            assert figures.live_units(db, month, level) == expected, (month, level)
        # the grid level's own statement (coverage_grids.sql) = the general one, with filters
        for where in ({}, {"community": C1}, {"grid": G1}, {"community": C1, "grid": G3}):
            params = {"month": month, "level": "grid", "community": None, "grid": None, **where}
            general = [figures.Unit("grid", code, name, v, ver, f, t, parent, community)
                       for code, name, parent, community, v, ver, f, t
                       in db.execute(sql("coverage_units"), params)]  # fmt: skip
            assert figures.live_grids(db, month, **where) == general, (month, where)


def _micro_ids(db) -> list[int]:
    return list(db.scalars(select(Microgrid.id).order_by(Microgrid.id)))


@pytest.mark.parametrize("seed", [11, 12])
def test_grid_tables_follow_visits_and_every_enterprise_write(db, seed):
    world, rng, ids = _random_world(db, seed, 80)
    micro = _micro_ids(db)
    for enterprise in db.scalars(select(Enterprise).where(Enterprise.id.in_(ids[:20]))):
        enterprise.grid_id, enterprise.microgrid_id = world.grids[G1].id, rng.choice(micro)
    db.flush()
    visits = _random_visits(db, rng, ids, 300)
    now = db.scalar(text("SELECT now()"))
    for i in range(40):
        _visit(db, rng.choice(ids), now - timedelta(minutes=i), rng.choice(["verified", "flagged"]))
    _agree(db)
    # single moves: grid, micro-grid, status (in and out of operating)
    for enterprise in db.scalars(select(Enterprise).where(Enterprise.id.in_(rng.sample(ids, 25)))):
        enterprise.grid_id = world.grids[rng.choice([G1, G2, G3])].id
        enterprise.microgrid_id = rng.choice([None, *micro])
        enterprise.status = rng.choice(["operating", "operating", "closed", "suspended"])
    _agree(db)
    # one statement moving many (as a boundary edit's re-assignment does), and a no-op update
    db.execute(
        text("UPDATE enterprise SET grid_id = :g, microgrid_id = NULL WHERE id = ANY(:ids)"),
        {"g": world.grids[G2].id, "ids": rng.sample(ids, 30)},
    )
    db.execute(text("UPDATE enterprise SET name = name || '' WHERE id = ANY(:ids)"), {"ids": ids})
    _agree(db)
    # visits changed and deleted after the moves, then enterprises deleted with their visits
    for visit in rng.sample(visits, 40):
        visit.check_result = rng.choice(["verified", "flagged", "no_location"])
        visit.visited_at += timedelta(days=rng.choice([-20, 20]))
    db.flush()
    db.execute(delete(Visit).where(Visit.id.in_([v.id for v in visits[:30]])))
    gone = rng.sample(ids, 10)
    db.execute(delete(Enterprise).where(Enterprise.id.in_(gone)))
    _agree(db)
    # new enterprises, then their first visits
    fresh = []
    for i in range(5):
        enterprise = Enterprise(
            uscc=generate(rng), name=f"新企业{i}", grid_id=world.grids[G3].id,
            geom=from_shape(Point(120.75, 31.25 + i * 1e-3), 4326),
        )  # fmt: skip
        db.add(enterprise)
        db.flush()
        fresh.append(enterprise.id)
    _agree(db)
    for enterprise_id in fresh:
        _visit(db, enterprise_id, now - timedelta(seconds=enterprise_id), "verified")
    _agree(db)


def test_a_visits_states_move_between_verified_and_flagged_in_the_grid_row(db):
    world, _rng, _ids = _random_world(db, 5, 0)
    e1 = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e1"]))
    when = months.month_bounds(OCTOBER)[0] + timedelta(days=2)
    row = text("SELECT visited, verified, flagged FROM coverage_grid_month WHERE month = :m "
               "AND grid_id = :g ORDER BY microgrid_id")  # fmt: skip
    g1 = world.grids[G1].id
    steps = [("no_location", (1, 0, 0)), ("flagged", (1, 0, 1)), ("flagged", (1, 0, 1)),
             ("verified", (1, 1, 0)), ("flagged", (1, 1, 0))]  # fmt: skip
    for day, (check, expected) in enumerate(steps):
        _visit(db, e1, when + timedelta(days=day), check)
        assert tuple(db.execute(row, {"m": OCTOBER, "g": g1}).one()) == expected
    _agree(db)


def test_the_migration_backfill_rebuilds_what_the_triggers_keep(db):
    import importlib.util

    path = Path(__file__).parents[2] / "migrations" / "versions" / "0009_coverage_figures.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    _world, rng, ids = _random_world(db, 21, 60)
    _random_visits(db, rng, ids, 200)
    db.execute(text("UPDATE enterprise SET status = 'closed' WHERE id = ANY(:ids)"),
               {"ids": ids[:10]})  # fmt: skip
    snapshot = text(
        "SELECT 'm', month, grid_id, microgrid_id, visited, verified, flagged FROM "
        "coverage_grid_month WHERE (visited, verified, flagged) <> (0, 0, 0) UNION ALL "
        "SELECT 't', NULL, grid_id, microgrid_id, total, 0, 0 FROM coverage_grid_total "
        "WHERE total <> 0 ORDER BY 1, 2, 3, 4"
    )
    kept = db.execute(snapshot).all()
    db.execute(text(migration.BACKFILL))
    assert db.execute(snapshot).all() == kept and kept


def test_remembered_figures_follow_every_write_and_a_closed_months_stay(db):
    world, _rng, _ids = _random_world(db, 31, 0)
    this_month = months.current_month()
    e2 = db.scalar(select(Enterprise).where(Enterprise.uscc == world.uscc["e2"]))
    first = figures.units(db, this_month, "grid")
    kept = len(figures.UNITS)
    assert figures.units(db, this_month, "grid") == first and len(figures.UNITS) == kept
    _visit(db, e2.id, db.scalar(text("SELECT now()")), "verified")
    [g1] = figures.units(db, this_month, "grid", grid=G1)
    assert (g1.visited, g1.verified) == (1, 1)
    e2.grid_id = world.grids[G2].id  # a move raises the enterprise version
    db.flush()
    after = {u.code: (u.visited, u.total) for u in figures.units(db, this_month, "grid")}
    assert after[G1] == (0, 1) and after[G2] == (1, 2)
    _visit(db, e2.id, datetime(2026, 10, 3, tzinfo=UTC), "flagged")
    assert months.close_month(db, OCTOBER, by="test")
    frozen = figures.units(db, OCTOBER, "grid")
    assert figures.units(db, OCTOBER, "grid") == frozen
    assert {u.code: u.flagged for u in frozen}[G2] == 1
