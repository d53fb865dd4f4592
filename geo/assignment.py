"""Assigning enterprises to the grid and micro-grid that cover them (DESIGN §4).

The rule: an enterprise belongs to the live grid (valid_to NULL) whose polygon covers its point,
boundary included; on a shared edge or vertex the smallest grid id wins; outside every grid it is
an orphan (grid_id NULL), listed by `orphans`, never dropped. Its micro-grid is the live one
covering the point (smallest id), else the live one overlapping its compound (smallest id).

`assign_all` applies the rule to every enterprise in one pass (computed by geo.assign_compute:
shapely, and PostGIS for points near a boundary); `reassign_area` applies
it after an edit to the enterprises in the changed area only; `assign_enterprises` to a list.
All of them write only the rows whose grid or micro-grid changes, and none commits.

A full pass that changes many rows (after an import) takes the *bulk write*: under ACCESS
EXCLUSIVE locks on enterprise, grid and microgrid it drops the assignment indexes and the tile
cluster trigger and sets the assignment foreign keys aside (a superuser disables their per-row
checks and checks the written ids itself; any other owner drops and re-adds them), the
coverage trigger (migration 0009) and, when the pass audits in bulk, the audit row trigger
(whose WHEN would skip every row), updates the rows (HOT updates, touching no index, thanks to
the table's fillfactor, migration 0005), moves the coverage figures of the moved enterprises in
one set-based statement (the trigger's delta, from the old places compute_target kept), then
puts all of them back as they were, in the same transaction. Readers of those three tables wait
for the locks (~10 s at 1M rows) instead of reading on; below the threshold, or when the locks
do not come within BULK_LOCK_WAIT, rows are updated in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry
from sqlalchemy import String, any_, bindparam, func, select, text, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo import audit
from geo.assign_compute import Clock, compute_target
from geo.db import local_setting
from geo.errors import CrsUnknown, InvalidGeometry, InvalidInput
from geo.models import SRID, Enterprise
from geo.sqlfiles import sql

# Storage CRS, and CGCS2000 which DESIGN §3 accepts as equal to it (centimetres apart).
AREA_SRIDS = (0, SRID, 4490)
# An enterprise within this many degrees (~1 cm) of a changed area is re-assigned too: a point on
# the area's edge must not be missed because the edge was rebuilt with rounded coordinates.
SLACK_DEG = 1e-7
# A full pass changing at least this share of enterprises, and this many rows, writes in bulk:
# dropping and re-creating the foreign keys and indexes costs a few scans of the table (~7 s
# at 1M rows), updating a row in place with them ~50-100 µs (bench/assign/README.md).
BULK_SHARE, BULK_MIN_ROWS = 0.1, 10_000
# How long the bulk write waits for its ACCESS EXCLUSIVE lock before writing in place instead.
BULK_LOCK_WAIT = "2s"
# SQLSTATEs that mean the lock did not come: lock_not_available, deadlock_detected.
LOCK_FAILED = ("55P03", "40P01")
Area: TypeAlias = BaseGeometry | bytes | str


@dataclass(frozen=True)
class AssignResult:
    """Counts after a full pass: enterprises in a grid, in none, and rows rewritten."""

    assigned: int
    orphans: int
    changed: int
    # seconds per step (compute steps, then write), for bench/assign's breakdown
    steps: dict[str, float] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Orphan:
    """An enterprise outside every live grid, with where it is (EPSG:4326)."""

    id: int
    uscc: str
    name: str
    lon: float
    lat: float


def assign_all(session: Session, *, bulk_min_rows: int | None = None) -> AssignResult:
    """Re-assign every enterprise in one pass; writes only the rows whose assignment changes.

    The pass is one transaction, the caller's: nothing is visible to others before it commits,
    and a failure anywhere (the bulk write's re-created constraints included) undoes all of it.
    From `bulk_min_rows` changed rows on (default: BULK_SHARE of the enterprises, at least
    BULK_MIN_ROWS) the bulk write is used; see the module docstring for its lock.
    """
    # The whole pass (compute, write, re-created constraints) runs in the caller's transaction,
    # audited as one bulk row (geo.audit). Writers of enterprise wait until commit (the target
    # is computed from what they would change); readers go on; a second assign_all waits too
    # (the lock conflicts with itself).
    session.execute(text("LOCK TABLE enterprise IN SHARE ROW EXCLUSIVE MODE"))
    with audit.bulk(session, "enterprise", "assign") as summary:
        target = compute_target(session)
        clock = Clock()
        if target.changed and target.changed >= _bulk_threshold(session, bulk_min_rows):
            _write_bulk(session, clock)
        elif target.changed:
            session.execute(sql("assign_write"))
            clock.lap("write")
        session.execute(text("DROP TABLE assign_target"))
        steps = {**target.steps, **clock.steps}
        result = AssignResult(target.assigned, target.orphans, target.changed, steps)
        summary.update(assigned=result.assigned, orphans=result.orphans, changed=result.changed)
    return result


def assign_enterprises(session: Session, *, usccs: Sequence[str] | None = None) -> int:
    """(Re)assign the given enterprises, or all of them; returns how many were visited."""
    if usccs is None:
        result = assign_all(session)
        return result.assigned + result.orphans
    # one array parameter, however long the list of an import is
    listed = bindparam("usccs", list(usccs), type_=ARRAY(String))
    ids = session.scalars(select(Enterprise.id).where(Enterprise.uscc == any_(listed))).all()
    _assign_ids(session, list(ids))
    return len(ids)


def reassign_area(session: Session, *, changed: Area) -> int:
    """Re-assign the enterprises whose point or compound lies in `changed` (EPSG:4326).

    Pass the area an edit touched: the symmetric difference of a boundary's old and new shape
    (`edit_area`), or their union. Returns how many enterprises changed grid or micro-grid.
    """
    area = _area_wkb(changed)
    if area is None:
        return 0
    # the literal is built once; the enterprise columns stay bare so their GiST indexes apply
    literal = func.ST_GeomFromWKB(area, SRID)
    candidates = union(
        select(Enterprise.id).where(func.ST_DWithin(Enterprise.geom, literal, SLACK_DEG)),
        select(Enterprise.id).where(func.ST_DWithin(Enterprise.compound, literal, SLACK_DEG)),
    )
    ids = session.scalars(select(candidates.subquery().c.id)).all()
    return _assign_ids(session, list(ids))


def edit_area(before: BaseGeometry | None, after: BaseGeometry | None) -> BaseGeometry:
    """Where an edit can move enterprises: what the boundary gained or lost.

    >>> from shapely import box
    >>> edit_area(box(0, 0, 2, 1), box(0, 0, 3, 1)).bounds
    (2.0, 0.0, 3.0, 1.0)
    >>> edit_area(box(0, 0, 1, 1), None).area  # a retired grid: all of it
    1.0
    """
    if before is None and after is None:
        raise InvalidInput("编辑前后的边界不能都为空 / an edit needs a boundary before or after")
    if before is None or after is None:
        return before if after is None else after
    return shapely.symmetric_difference(before, after)


def count_orphans(session: Session) -> int:
    """How many enterprises lie in no live grid."""
    query = select(func.count()).select_from(Enterprise).where(Enterprise.grid_id.is_(None))
    return int(session.scalar(query) or 0)


def orphans(session: Session, *, limit: int = 100, offset: int = 0) -> list[Orphan]:
    """Enterprises in no live grid, by id, a page at a time."""
    if limit < 0 or offset < 0:
        raise InvalidInput(f"分页参数不能为负 / limit and offset must be >= 0: {limit}, {offset}")
    rows = session.execute(
        select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            func.ST_X(Enterprise.geom).label("lon"),
            func.ST_Y(Enterprise.geom).label("lat"),
        )
        .where(Enterprise.grid_id.is_(None))
        .order_by(Enterprise.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [Orphan(r.id, r.uscc, r.name, r.lon, r.lat) for r in rows]


def _bulk_threshold(session: Session, bulk_min_rows: int | None) -> float:
    """Changed rows from which a full pass writes in bulk (the table size is the planner's)."""
    if bulk_min_rows is not None:
        return bulk_min_rows
    query = text("SELECT reltuples FROM pg_class WHERE oid = 'enterprise'::regclass")
    return max(BULK_MIN_ROWS, BULK_SHARE * float(session.scalar(query) or 0))


def _write_bulk(session: Session, clock: Clock) -> None:
    """Write assign_target's changed rows with the assignment FKs, indexes, the tile cluster and
    coverage triggers set aside, then move the coverage figures as that trigger would have
    (assign_coverage.sql) and re-create them all (assign_bulk_objects.sql); in place, every
    trigger live, without the lock."""
    if not _lock_exclusive(session):
        session.execute(sql("assign_write"))
        clock.lap("write")
        return
    steps = session.execute(sql("assign_bulk_objects")).all()
    for statement in (s for phase, s in steps if phase == "drop"):
        _ddl(session, statement)
    clock.lap("set aside")
    session.execute(sql("assign_write"))
    clock.lap("write")
    if any(phase == "coverage" for phase, _ in steps):
        session.execute(sql("assign_coverage"))
        clock.lap("coverage")
    for statement in (s for phase, s in steps if phase == "restore"):
        _ddl(session, statement)
    clock.lap("restore")


def _ddl(session: Session, statement: str) -> None:
    """Run a statement that assign_bulk_objects.sql built from catalog names, quoted there (no
    input in it). psycopg2 %-formats even without parameters, so a literal % is doubled."""
    session.connection().exec_driver_sql(statement.replace("%", "%%"))


def _lock_exclusive(session: Session) -> bool:
    """ACCESS EXCLUSIVE on enterprise, grid and microgrid if it comes within BULK_LOCK_WAIT and
    this role owns enterprise and may create in its schema (which the DDL needs); False
    otherwise, holding nothing more."""
    # re-creating the indexes needs CREATE on the schema as well (else it fails after the drop)
    owner = """SELECT pg_has_role(relowner, 'USAGE')
        AND has_schema_privilege(relnamespace, 'CREATE')
    FROM pg_class WHERE oid = 'enterprise'::regclass"""
    if not session.scalar(text(owner)):
        return False
    try:
        # a lock timeout undoes only this savepoint
        with session.begin_nested(), local_setting(session, "lock_timeout", BULK_LOCK_WAIT):
            # dropping a foreign key locks the table it references as well
            session.execute(text("LOCK TABLE enterprise, grid, microgrid IN ACCESS EXCLUSIVE MODE"))
    except DBAPIError as exc:
        if getattr(exc.orig, "pgcode", None) not in LOCK_FAILED:
            raise
        return False
    return True


def _assign_ids(session: Session, ids: list[int]) -> int:
    """Apply the rule to the enterprises `ids`; returns how many rows changed."""
    if not ids:
        return 0
    result = session.execute(sql("assign_enterprises"), {"ids": ids})
    return int(result.rowcount)  # type: ignore[attr-defined]


def _area_wkb(changed: Area) -> bytes | None:
    """The changed area as plain WKB in EPSG:4326, made valid; None when it is empty."""
    geom = _parse_area(changed)
    srid = shapely.get_srid(geom)
    if srid not in AREA_SRIDS:
        raise CrsUnknown(
            f"变更范围须为EPSG:4326 / the changed area must be in EPSG:4326 (or 4490), "
            f"got EPSG:{srid}; transform it first"
        )
    if geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return bytes(shapely.to_wkb(geom, include_srid=False))


def _parse_area(changed: Area) -> BaseGeometry:
    """A shapely geometry from shapely, WKB/EWKB bytes, hex (E)WKB or (E)WKT text."""
    if isinstance(changed, BaseGeometry):
        return changed
    try:
        if isinstance(changed, bytes | bytearray | memoryview):
            return shapely.from_wkb(bytes(changed))
        text = changed.strip()
        if text.upper().startswith("SRID="):
            head, _, body = text.partition(";")
            return shapely.set_srid(shapely.from_wkt(body), int(head[5:]))
        if all(c in "0123456789abcdefABCDEF" for c in text):
            return shapely.from_wkb(text)
        return shapely.from_wkt(text)
    except (GEOSException, ValueError) as exc:
        raise InvalidGeometry(f"无法解析变更范围 / cannot read the changed area: {exc}") from exc
