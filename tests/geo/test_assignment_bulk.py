"""The bulk write of assign_all (foreign keys, assignment indexes and the tile cluster trigger set
aside, then re-created): the same result as the write in place, everything back and valid after,
all or nothing on failure, and the write in place when the table's lock does not come."""

from __future__ import annotations

import random

import pytest
import shapely
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geo.assignment import assign_all, assign_enterprises
from geo.sqlfiles import sql
from tests.geo.test_assignment import Place, at, rect

# the schema objects the bulk write sets aside, as the catalog describes them
OBJECTS = """
SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) || ' valid=' || convalidated
FROM pg_constraint WHERE conrelid = 'enterprise'::regclass
UNION ALL
SELECT 'index ' || pg_get_indexdef(indexrelid) || ' valid=' || indisvalid
FROM pg_index WHERE indrelid = 'enterprise'::regclass
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(oid) || ' ' || tgenabled::text
FROM pg_trigger WHERE tgrelid = 'enterprise'::regclass AND NOT tgisinternal
ORDER BY 1
"""
ASSIGNMENT = "SELECT id, grid_id, microgrid_id FROM enterprise ORDER BY id"
CLUSTERS = "SELECT level, cell, count, employees, pick FROM enterprise_cluster ORDER BY 1, 2"
# a real failure in the middle of the write: the test's own trigger refuses one grid
REFUSE = """
CREATE FUNCTION test_refuse_grid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'refused grid %', NEW.grid_id; END $$;
CREATE TRIGGER test_refuse_grid BEFORE UPDATE ON enterprise FOR EACH ROW
WHEN (NEW.grid_id = {grid}) EXECUTE FUNCTION test_refuse_grid();
"""


INDEX_OIDS = "SELECT indexrelid FROM pg_index WHERE indrelid = 'enterprise'::regclass ORDER BY 1"


@pytest.fixture
def place(db) -> Place:
    return Place(db)


def rows(place: Place, query: str) -> list[tuple]:
    return [tuple(r) for r in place.db.execute(text(query)).all()]


def a_park(place: Place, *, seed: int = 7, n: int = 300) -> None:
    """Four grids sharing edges and a vertex, micro-grids, points on edges, compounds, orphans."""
    grids = [place.grid(rect(x, y, x + 4, y + 4)) for x in (4, 0) for y in (0, 4)]
    for k, gid in enumerate(grids):
        x, y = (k // 2) * 4, (k % 2) * 4
        place.micro(rect(x, y, x + 2, y + 2), grid_id=gid)
        place.micro(rect(x + 2, y + 2, x + 4, y + 4), grid_id=gid)
    rng = random.Random(seed)
    for _ in range(n):  # half steps: many points exactly on edges and vertices
        p = (rng.randrange(-4, 20) / 2, rng.randrange(-4, 20) / 2)
        near = rect(p[0] - 0.3, p[1] - 0.3, p[0] + 0.3, p[1] + 0.3)
        place.enterprise(at(*p), compound=near if rng.random() < 0.2 else None)


def unassign(place: Place) -> None:
    place.db.execute(text("UPDATE enterprise SET grid_id = NULL, microgrid_id = NULL"))


def test_the_bulk_write_gives_what_the_write_in_place_gives(place):
    a_park(place)
    in_place = assign_all(place.db)
    expected = rows(place, ASSIGNMENT)
    unassign(place)
    indexes = rows(place, INDEX_OIDS)
    assert assign_all(place.db, bulk_min_rows=1) == in_place
    assert rows(place, ASSIGNMENT) == expected
    assert rows(place, INDEX_OIDS) != indexes  # the assignment indexes were re-created
    assert in_place.changed > 0 and in_place.orphans > 0


def test_after_the_bulk_write_keys_indexes_and_triggers_are_back_and_valid(place):
    a_park(place)
    objects, clusters = rows(place, OBJECTS), rows(place, CLUSTERS)
    version = "SELECT version FROM layer_change WHERE layer = 'enterprise'"
    before = place.db.scalar(text(version))
    assert assign_all(place.db, bulk_min_rows=1).changed > 0
    assert rows(place, OBJECTS) == objects
    assert all(o[0].endswith(("valid=true", " O")) for o in objects)
    assert rows(place, CLUSTERS) == clusters  # an assignment moves no point
    assert place.db.scalar(text(version)) > before  # the tile cache still learns of it
    with pytest.raises(DBAPIError, match="fk_enterprise_grid_id_grid"), place.db.begin_nested():
        place.db.execute(text("UPDATE enterprise SET grid_id = -1"))


def test_a_failure_in_the_middle_of_the_bulk_write_leaves_everything_as_before(place):
    a_park(place)
    assign_all(place.db)
    refused = rows(place, ASSIGNMENT)[0][1]
    unassign(place)
    objects, assignment = rows(place, OBJECTS), rows(place, ASSIGNMENT)
    place.db.connection().exec_driver_sql(REFUSE.format(grid=int(refused)).replace("%", "%%"))
    with pytest.raises(DBAPIError, match="refused grid"), place.db.begin_nested():
        assign_all(place.db, bulk_min_rows=1)
    place.db.execute(text("DROP TRIGGER test_refuse_grid ON enterprise"))
    assert rows(place, OBJECTS) == objects
    assert rows(place, ASSIGNMENT) == assignment
    assert assign_all(place.db, bulk_min_rows=1).changed > 0  # and it can run again


@pytest.mark.parametrize("table", ["enterprise", "grid"])
def test_the_write_is_in_place_when_a_reader_holds_a_table_it_locks(place, engine, table):
    a_park(place, n=40)
    expected = assign_all(place.db)
    unassign(place)
    indexes = rows(place, INDEX_OIDS)
    with engine.connect() as reader:  # another session, reading, holds a share of the table
        reader.execute(text(f"LOCK TABLE {table} IN ACCESS SHARE MODE"))  # a constant
        assert assign_all(place.db, bulk_min_rows=1) == expected
        reader.rollback()
    assert rows(place, INDEX_OIDS) == indexes  # nothing was dropped: written in place
    assert place.db.scalar(text("SELECT current_setting('lock_timeout')")) == "0"


def test_points_on_or_next_to_a_slanted_edge_get_what_postgis_gives_them(place):
    """The compute is shapely's; points within NEAR_DEG of a boundary are PostGIS' (the rule of
    assign_enterprises / reassign_area), so both paths agree even where float arithmetic is
    not exact: points on a slanted shared edge, and a hair (1e-13°-1e-9°) to either side."""
    corners = [at(0, 0), at(4, 3), at(0, 3), at(4, 0)]
    north, south = (shapely.Polygon([corners[0], corners[1], c]) for c in corners[2:])
    grids = [place.grid(north), place.grid(south)]
    for gid, poly in zip(grids, (north, south), strict=True):
        place.micro(poly, grid_id=gid)
    ids = []
    for k in range(1, 40):
        x, y = (c + (d - c) * k / 41 for c, d in zip(corners[0].coords[0], corners[1].coords[0]))
        for dy in (0.0, 1e-13, -1e-13, 1e-11, -1e-11, 1e-9, -1e-9):
            ids.append(place.enterprise(shapely.Point(x, y + dy)))
    assign_all(place.db)
    bulk = rows(place, ASSIGNMENT)
    unassign(place)
    usccs = place.db.scalars(text("SELECT uscc FROM enterprise")).all()
    assign_enterprises(place.db, usccs=list(usccs))
    assert rows(place, ASSIGNMENT) == bulk
    assert {g for _, g, _ in bulk} == set(grids)  # both sides are hit


def test_with_the_key_checks_off_the_bulk_write_refuses_an_id_that_is_no_grid(place):
    """A superuser's bulk write disables the foreign keys' per-row checks instead of dropping
    them; before re-enabling them it checks every written id itself (here: one that is none)."""
    if not place.db.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        pytest.skip("the checks are only disabled for a superuser")
    grid = place.grid(rect(0, 0, 4, 4))
    steps = place.db.execute(sql("assign_bulk_objects")).all()
    disable = [s for phase, s in steps if phase == "drop" and "DISABLE TRIGGER" in s]
    check = next(s for phase, s in steps if phase == "restore" and s.startswith("DO"))
    assert len(disable) == 2  # grid_id and microgrid_id
    target = "CREATE TEMP TABLE assign_target (id int, grid_id int, microgrid_id int)"
    place.db.execute(text(target))
    place.db.execute(text(f"INSERT INTO assign_target VALUES (1, {grid}, 0)"))
    place.db.execute(text(check))  # an existing grid passes
    place.db.execute(text(f"INSERT INTO assign_target VALUES (2, {grid + 1000}, 0)"))
    with pytest.raises(DBAPIError, match="no longer exists"), place.db.begin_nested():
        place.db.execute(text(check))


def test_the_audit_trigger_is_set_aside_only_when_the_transaction_audits_in_bulk(place):
    """Its WHEN skips every row of a bulk-audited write: disabled for the write then, and only
    then; no per-row audit row comes of a bulk assign_all either way."""

    def audit_steps() -> list[tuple]:
        steps = place.db.execute(sql("assign_bulk_objects")).all()
        return [tuple(s) for s in steps if s[1].endswith("TRIGGER audit")]

    assert audit_steps() == []
    place.db.execute(text("SELECT set_config('gridmap.audit', 'bulk', true)"))
    assert audit_steps() == [
        ("drop", "ALTER TABLE enterprise DISABLE TRIGGER audit"),
        ("restore", "ALTER TABLE enterprise ENABLE TRIGGER audit"),
    ]
    place.db.execute(text("SELECT set_config('gridmap.audit', '', true)"))
    a_park(place, n=40)
    logged = "SELECT count(*) FROM audit_log WHERE table_name = 'enterprise' AND action <> 'insert'"
    before = place.db.scalar(text(logged))
    assert assign_all(place.db, bulk_min_rows=1).changed > 0
    assert place.db.scalar(text(logged)) == before + 1  # the one bulk row
