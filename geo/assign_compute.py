"""The full assignment pass's compute (DESIGN §4), in shapely 2, exact where it matters.

`compute_target` reads every enterprise's point (binary COPY) and the live grids and micro-grids,
decides the rule with shapely's vectorised STRtree queries, and leaves the rows whose grid or
micro-grid changes in the temp table assign_target (id, grid_id, microgrid_id; 0 for NULL) for
geo.assignment to write, with what they were (old_grid_id, old_microgrid_id) and whether the
enterprise is operating: what a bulk write needs to move the coverage figures itself.

Exactness. shapely (GEOS) and PostGIS decide a point against a polygon with different code
(PostGIS has its own point-in-polygon); both agree on every point farther than rounding error
from the polygon's boundary, but may disagree on a point on, or within 1e-15° of, a slanted
edge. So a point within NEAR_DEG (~0.1 mm) of a grid's or micro-grid's boundary, unless it is
one of that polygon's vertices (on the boundary in any arithmetic), is decided by PostGIS itself
with the per-enterprise rule (assign_rule.sql, the rule reassign_area applies): bulk and
incremental assignment cannot disagree. A compound against a micro-grid is polygon against
polygon, which PostGIS hands to GEOS as well (robust predicates): decided here, unless invalid.
Ties (a point covered by several polygons) go to the smallest id, as in SQL.
"""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.sqlfiles import sql

# A point (or compound) this close to a boundary is decided by PostGIS (module docstring).
NEAR_DEG = 1e-9
# Every enterprise: id, point x/y (NaN without one), current grid/micro-grid (0 for NULL),
# whether it has a compound and whether it is operating (counted by the coverage figures);
# fixed-width rows, so the binary COPY is read by numpy directly.
READ = """COPY (SELECT id, COALESCE(ST_X(geom), 'NaN'), COALESCE(ST_Y(geom), 'NaN'),
  COALESCE(grid_id, 0), COALESCE(microgrid_id, 0), compound IS NOT NULL,
  status IS NOT DISTINCT FROM 'operating' FROM enterprise)
TO STDOUT (FORMAT binary)"""
ROW = np.dtype(
    [
        ("n", ">i2"),
        ("l1", ">i4"),
        ("id", ">i4"),
        ("l2", ">i4"),
        ("x", ">f8"),
        ("l3", ">i4"),
        ("y", ">f8"),
        ("l4", ">i4"),
        ("grid", ">i4"),
        ("l5", ">i4"),
        ("micro", ">i4"),
        ("l6", ">i4"),
        ("compound", "?"),
        ("l7", ">i4"),
        ("operating", "?"),
    ]
)
# header: signature (11), flags (4), extension length (4); trailer: -1 (2)
HEADER, TRAILER = 19, 2
INTS = ("id", "grid", "micro", "old_grid", "old_micro")
OUT = np.dtype(
    [("n", ">i2")]
    + [(f, ">i4") for name in INTS for f in (f"l_{name}", name)]
    + [("l_operating", ">i4"), ("operating", "?")]
)
TARGET = """CREATE TEMP TABLE assign_target (id int, grid_id int, microgrid_id int,
  old_grid_id int, old_microgrid_id int, operating bool) ON COMMIT DROP"""
WRITE = "COPY assign_target FROM STDIN (FORMAT binary)"
POLYGONS = "SELECT id, ST_AsBinary(geom) FROM {table} WHERE valid_to IS NULL ORDER BY id"
# row by row through the primary key: the fenced lateral keeps the planner from a table scan
COMPOUNDS = """SELECT e.id, ST_AsBinary(e.compound)
FROM unnest(CAST(:ids AS int[])) AS u (id)
CROSS JOIN LATERAL (SELECT id, compound FROM enterprise WHERE id = u.id OFFSET 0) AS e
ORDER BY e.id"""


@dataclass(frozen=True)
class Target:
    """What compute_target found: enterprises in a grid, in none, rows to write, and how many
    were decided by PostGIS (near a boundary)."""

    assigned: int
    orphans: int
    changed: int
    exact: int
    steps: dict[str, float] = field(default_factory=dict)


def compute_target(session: Session) -> Target:
    """Compute the rule for every enterprise; the changed rows go to temp table assign_target."""
    clock = Clock()
    grid_ids, grids = polygons(session, "grid")
    micro_ids, micros = polygons(session, "microgrid")
    # the boundary rings are built in a thread while the server sends the points (both wait
    # outside the GIL: GEOS, libpq)
    with ThreadPoolExecutor(1) as pool:
        grid_rings = pool.submit(rings, grids)
        micro_rings = pool.submit(rings, micros)
        rows = _read_enterprises(session)
        clock.lap("read")
        rows = rows[np.argsort(rows["x"], kind="stable")]  # NaN (no point) last
        xs, ys = rows["x"].astype(float), rows["y"].astype(float)
        clock.lap("sort")
        grid, near = cover(xs, ys, grids, grid_ids, grid_rings.result())
        clock.lap("grid")
        micro, near_micro = cover(xs, ys, micros, micro_ids, micro_rings.result())
    near |= near_micro
    clock.lap("micro")
    # a compound counts where no micro-grid covers the point
    need = np.flatnonzero(rows["compound"] & (micro == 0) & ~near)
    if len(need) and len(micros):
        by_compound, unsure = _compounds(session, rows["id"][need], micros, micro_ids)
        micro[need] = by_compound
        near[need[unsure]] = True
    clock.lap("compound")
    exact = np.flatnonzero(near)
    if len(exact):
        grid[exact], micro[exact] = _exact(session, rows["id"][exact])
    clock.lap("exact")
    changed = np.flatnonzero((grid != rows["grid"]) | (micro != rows["micro"]))
    _write_target(session, rows[changed], grid[changed], micro[changed])
    clock.lap("target")
    assigned = int(np.count_nonzero(grid))
    return Target(assigned, len(rows) - assigned, len(changed), len(exact), clock.steps)


class Clock:
    """Seconds per step, for the bench's breakdown."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = now - self.last
        self.last = now


def _read_enterprises(session: Session) -> np.ndarray:
    buffer = io.BytesIO()
    session.connection().connection.cursor().copy_expert(READ, buffer)
    data = buffer.getbuffer()
    if int.from_bytes(data[15:19], "big"):
        raise RuntimeError("unexpected COPY header extension")
    count = (len(data) - HEADER - TRAILER) // ROW.itemsize
    return np.frombuffer(data, ROW, count, HEADER)


def polygons(session: Session, table: str) -> tuple[np.ndarray, np.ndarray]:
    """Ids (ascending) and shapely polygons of the live rows of grid or microgrid."""
    result = session.connection().exec_driver_sql(POLYGONS.format(table=table)).all()
    ids = np.array([r[0] for r in result], dtype=np.int64)
    return ids, shapely.from_wkb([None if r[1] is None else bytes(r[1]) for r in result])


def rings(polygons: np.ndarray) -> np.ndarray:
    """Each polygon's boundary buffered by 2 NEAR_DEG, prepared; and the polygons prepared."""
    # quad_segs=1 cuts the round joins to chords at >= 0.7 of the distance: still >= NEAR_DEG
    bands: np.ndarray = shapely.buffer(shapely.boundary(polygons), 2 * NEAR_DEG, quad_segs=1)
    shapely.prepare(polygons)
    shapely.prepare(bands)
    return bands


def cover(
    xs: np.ndarray, ys: np.ndarray, polygons: np.ndarray, ids: np.ndarray, rings: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per point (xs ascending): the smallest id of the polygons covering it (0: none), and
    whether that is too close to call here: the point lies within NEAR_DEG of the boundary of a
    polygon without being one of its vertices (a vertex is on the boundary in any arithmetic).
    `rings` are the polygons' `rings`."""
    best = np.zeros(len(xs), dtype=np.int64)
    unsure = np.zeros(len(xs), dtype=bool)
    box = shapely.bounds(rings)
    lo, hi = np.searchsorted(xs, box[:, 0], "left"), np.searchsorted(xs, box[:, 2], "right")
    for k in range(len(polygons)):  # in id order: the first polygon to cover a point wins
        y = ys[lo[k] : hi[k]]
        idx = np.flatnonzero((y >= box[k, 1]) & (y <= box[k, 3])) + lo[k]
        px, py = xs[idx], ys[idx]
        inside = shapely.contains_xy(polygons[k], px, py)
        near = shapely.intersects_xy(rings[k], px, py)
        if near.any():
            corners = shapely.get_coordinates(polygons[k]) @ [1, 1j]
            vertex = np.isin(px[near] + 1j * py[near], corners)
            inside[near] = vertex
            unsure[idx[near][~vertex]] = True
        hit = idx[inside]
        hit = hit[best[hit] == 0]
        best[hit] = ids[k]
    return best, unsure


def _compounds(
    session: Session, ids: np.ndarray, micros: np.ndarray, micro_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For the enterprises `ids` (ascending): the smallest id of the micro-grids their compound
    overlaps (0: none, or no compound), and which PostGIS must decide."""
    order = np.argsort(ids)
    rows = session.execute(text(COMPOUNDS), {"ids": ids[order].tolist()}).all()
    shapes = np.full(len(ids), None, dtype=object)
    found = np.searchsorted(ids[order], [r[0] for r in rows])
    shapes[order[found]] = shapely.from_wkb([bytes(r[1]) for r in rows])
    # polygon against polygon, PostGIS' ST_Intersects is GEOS' too (robust predicates): only
    # its own point-in-polygon needs the NEAR_DEG check; an invalid compound is left to PostGIS
    shape, micro = shapely.STRtree(micros).query(shapes, predicate="intersects")
    unsure = ~shapely.is_valid(shapes) & ~shapely.is_missing(shapes)
    best = np.zeros(len(ids), dtype=np.int64)
    # take the smallest micro-grid per shape
    sort = np.lexsort((micro, shape))
    shape, micro = shape[sort], micro[sort]
    first = np.ones(len(shape), dtype=bool)
    first[1:] = shape[1:] != shape[:-1]
    best[shape[first]] = micro_ids[micro[first]]
    return best, unsure


def _exact(session: Session, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rule as PostGIS decides it (assign_rule.sql) for the enterprises `ids`."""
    order = np.argsort(ids)
    rows = session.execute(sql("assign_rule"), {"ids": ids[order].tolist()}).all()
    grid, micro = np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=np.int64)
    grid[order] = [r.grid_id or 0 for r in rows]
    micro[order] = [r.microgrid_id or 0 for r in rows]
    return grid, micro


def _write_target(session: Session, rows: np.ndarray, grid: np.ndarray, micro: np.ndarray) -> None:
    """COPY the changed rows (READ's, with their new grid and micro-grid), by id, into
    assign_target (binary, 0 for NULL)."""
    session.execute(text(TARGET))
    order = np.argsort(rows["id"])
    rows = rows[order]
    body = np.zeros(len(rows), dtype=OUT)
    body["n"], body["l_operating"] = len(INTS) + 1, 1
    for name in INTS:
        body[f"l_{name}"] = 4
    body["id"], body["grid"], body["micro"] = rows["id"], grid[order], micro[order]
    body["old_grid"], body["old_micro"] = rows["grid"], rows["micro"]
    body["operating"] = rows["operating"]
    header = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
    data = io.BytesIO(header + body.tobytes() + b"\xff\xff")
    session.connection().connection.cursor().copy_expert(WRITE, data)
