"""A bulk assign_all sets the coverage trigger aside and moves the figures itself
(assign_coverage.sql): coverage_grid_total and coverage_grid_month must come out as the
triggers (the write in place) and the migration's from-scratch rebuild make them."""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from geo.assignment import assign_all
from geo.coverage import months
from tests.geo.test_assignment import Place, rect
from tests.geo.test_assignment_bulk import a_park, rows
from tests.geo.test_coverage import CHECKS, _visit

# the figures that count (the trigger leaves rows of zeros behind, the rebuild does not)
FIGURES = """
SELECT 'm', month, grid_id, microgrid_id, visited, verified, flagged FROM coverage_grid_month
WHERE (visited, verified, flagged) <> (0, 0, 0)
UNION ALL
SELECT 't', NULL, grid_id, microgrid_id, total, 0, 0 FROM coverage_grid_total WHERE total <> 0
ORDER BY 1, 2, 3, 4
"""


def _backfill() -> str:
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0009_coverage_figures.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return str(migration.BACKFILL)


def _visited_park(place: Place, seed: int) -> None:
    """a_park assigned, some enterprises closed or suspended, visits this month and last."""
    a_park(place, seed=seed, n=200)
    assign_all(place.db)
    rng = random.Random(seed)
    ids = list(place.db.scalars(text("SELECT id FROM enterprise ORDER BY id")))
    place.db.execute(
        text("UPDATE enterprise SET status = :status WHERE id = ANY(:ids)"),
        [{"status": s, "ids": rng.sample(ids, 15)} for s in ("closed", "suspended")],
    )
    this_month = months.current_month()
    for month in (this_month, (this_month - timedelta(days=1)).replace(day=1)):
        since, until = months.month_bounds(month)
        span = (min(until, datetime.now(UTC)) - since).total_seconds()
        for k in range(150):
            when = since + timedelta(seconds=rng.uniform(0, span - 1) + k * 1e-3)
            _visit(place.db, rng.choice(ids), when, rng.choice(CHECKS))


def _move_grids(place: Place) -> None:
    """Every grid changes place (a cycle of three, one grown over orphans): enterprises move
    between grids and in and out of every grid, keeping or losing micro-grids."""
    grids = list(place.db.scalars(text("SELECT id FROM grid ORDER BY id")))
    shapes = [rect(0, 4, 4, 8), rect(4, 0, 8, 4), rect(0, 0, 4, 4), rect(3, 3, 10, 10)]
    for gid, shape in zip(grids, shapes, strict=True):
        place.move_grid(gid, shape)


# a role that owns enterprise but is no superuser: its bulk write drops and re-adds the foreign
# keys (rolled back with the test, as the role is)
OWNER = """
CREATE ROLE gridmap_test_owner NOSUPERUSER;
GRANT ALL ON ALL TABLES IN SCHEMA public TO gridmap_test_owner;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO gridmap_test_owner;
GRANT TEMPORARY ON DATABASE {database} TO gridmap_test_owner;
GRANT USAGE{create} ON SCHEMA public TO gridmap_test_owner;
ALTER TABLE enterprise OWNER TO gridmap_test_owner;
SET LOCAL ROLE gridmap_test_owner;
"""


@pytest.mark.parametrize(
    ("seed", "role"), [(3, "superuser"), (4, "superuser"), (5, "owner"), (6, "owner, no CREATE")]
)
def test_a_bulk_assign_leaves_the_coverage_figures_the_triggers_would_have(db, seed, role):
    place = Place(db)
    _visited_park(place, seed)
    _move_grids(place)
    if role.startswith("owner"):
        database = db.scalar(text("SELECT quote_ident(current_database())"))
        create = "" if "no CREATE" in role else ", CREATE"
        db.connection().exec_driver_sql(OWNER.format(database=database, create=create))
        assert not db.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
    before = rows(place, FIGURES)
    with db.begin_nested() as in_place:  # every trigger live
        assert assign_all(db, bulk_min_rows=10**9).changed > 0
        by_triggers = rows(place, FIGURES)
        in_place.rollback()
    assert rows(place, FIGURES) == before
    result = assign_all(db, bulk_min_rows=1)
    # the bulk write, the trigger set aside; in place (the DDL is not allowed) without CREATE
    assert ("coverage" in result.steps) == ("no CREATE" not in role)
    assert rows(place, FIGURES) == by_triggers != before
    db.execute(text(_backfill()))
    assert rows(place, FIGURES) == by_triggers
    month = months.current_month()
    assert any(r[0] == "m" and r[1] == month and r[4] > 0 for r in by_triggers)
