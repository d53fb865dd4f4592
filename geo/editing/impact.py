"""What an edit changes (issue #7 impact preview): who changes grid, staffing before/after.

`snapshot` is taken before and after the edit (inside the same transaction); `compare` lists
the enterprises, micro-grids, key sites and parking zones whose grid changes, the open problems
of enterprises that move, the staff duties of grids that changed or were retired, the staffing
figures of the grids involved, and the changed areas as GeoJSON for map highlights.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import shapely
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from geo.assignment import edit_area
from geo.editing.store import Tracker, shape_of
from geo.models import (
    Community,
    Enterprise,
    Grid,
    KeySite,
    Microgrid,
    ParkingZone,
    Problem,
    Staff,
    StaffAssignment,
)
from geo.staffing import GridStaffing, StaffingNorms, grid_staffing

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Snapshot:
    """Where things of one community belong at one moment (ids → (key, name, grid, ...))."""

    grid_codes: dict[int, str]
    microgrid_codes: dict[int, str]
    enterprises: dict[int, Row]
    key_sites: dict[int, Row]
    parking_zones: dict[int, Row]
    staffing: dict[str, GridStaffing]


@dataclass
class Impact:
    """The impact of one edit, ready for JSON."""

    enterprises: list[dict[str, Any]] = field(default_factory=list)
    microgrids: list[dict[str, Any]] = field(default_factory=list)
    key_sites: list[dict[str, Any]] = field(default_factory=list)
    parking_zones: list[dict[str, Any]] = field(default_factory=list)
    staff_duties: list[dict[str, Any]] = field(default_factory=list)
    open_problems: list[dict[str, Any]] = field(default_factory=list)
    staffing: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changed_areas: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, Any]:
        """Counts, for the edit's record and history lists."""
        return {
            "enterprises": len(self.enterprises), "microgrids": len(self.microgrids),
            "key_sites": len(self.key_sites), "parking_zones": len(self.parking_zones),
            "staff_duties": len(self.staff_duties), "open_problems": len(self.open_problems),
            "notes": self.notes,
        }  # fmt: skip


def _in_community(model: Any, community_id: int, extra: Iterable[int]) -> Any:
    outline = select(Community.geom).where(Community.id == community_id).scalar_subquery()
    grids = select(Grid.id).where(Grid.community_id == community_id)
    return or_(model.grid_id.in_(grids), func.ST_Intersects(model.geom, outline),
               model.id.in_(list(extra)))  # fmt: skip


def _rows(session: Session, stmt: Any) -> dict[int, Row]:
    return {row[0]: tuple(row[1:]) for row in session.execute(stmt)}


def snapshot(
    session: Session, community_id: int, norms: StaffingNorms, *, extra: Iterable[int] = ()
) -> Snapshot:
    """Where the community's enterprises, micro-grids, key sites and parking zones belong now."""
    session.flush()
    extra = list(extra)
    grid_rows = select(Grid.id, Grid.code).where(Grid.community_id == community_id)
    grids = {int(i): str(c) for i, c in session.execute(grid_rows)}
    micro_rows = select(Microgrid.id, Microgrid.code).where(Microgrid.grid_id.in_(list(grids)))
    micro = {int(i): str(c) for i, c in session.execute(micro_rows)}
    e = Enterprise
    code = session.scalar(select(Community.code).where(Community.id == community_id))
    return Snapshot(
        grid_codes=grids,
        microgrid_codes=micro,
        enterprises=_rows(session, select(e.id, e.uscc, e.name, e.grid_id, e.microgrid_id)
                          .where(_in_community(e, community_id, extra))),
        key_sites=_rows(session, select(KeySite.id, KeySite.code, KeySite.name, KeySite.grid_id)
                        .where(_in_community(KeySite, community_id, ()))),
        parking_zones=_rows(session, select(ParkingZone.id, ParkingZone.code, ParkingZone.name,
                                            ParkingZone.grid_id)
                            .where(_in_community(ParkingZone, community_id, ()))),
        staffing={s.grid_code: s for s in grid_staffing(session, norms=norms, community=code)},
    )  # fmt: skip


def compare(session: Session, before: Snapshot, after: Snapshot, t: Tracker) -> Impact:
    """The impact of the edit tracked by `t`, from snapshots before and after it."""
    codes = {**before.grid_codes, **after.grid_codes}
    micro = {**before.microgrid_codes, **after.microgrid_codes}
    impact = Impact(notes=list(t.notes))
    moved: list[int] = []
    for eid, (uscc, name, grid, mg) in after.enterprises.items():
        old = before.enterprises.get(eid, (uscc, name, None, None))
        if (old[2], old[3]) != (grid, mg):
            moved.append(eid)
            impact.enterprises.append({
                "uscc": uscc, "name": name, "from_grid": codes.get(old[2]),
                "to_grid": codes.get(grid), "from_microgrid": micro.get(old[3]),
                "to_microgrid": micro.get(mg),
            })  # fmt: skip
    impact.key_sites = _moved_places(before.key_sites, after.key_sites, codes)
    impact.parking_zones = _moved_places(before.parking_zones, after.parking_zones, codes)
    impact.microgrids = _microgrids(session, t, codes)
    impact.open_problems = _open_problems(session, moved)
    touched = [fid for (layer, fid) in t.before if layer == "grid"]
    impact.staff_duties = _duties(session, touched, codes)
    impact.staffing = _staffing(before, after, {codes[g] for g in touched if g in codes})
    impact.changed_areas = _areas(t)
    return impact


def _moved_places(
    before: dict[int, Row], after: dict[int, Row], codes: dict[int, str]
) -> list[dict[str, Any]]:
    found = []
    for pid, (code, name, grid) in after.items():
        old = before.get(pid, (code, name, None))[2]
        if old != grid:
            found.append({"code": code, "name": name, "from_grid": codes.get(old),
                          "to_grid": codes.get(grid)})  # fmt: skip
    return found


def _microgrids(session: Session, t: Tracker, codes: dict[int, str]) -> list[dict[str, Any]]:
    found = []
    for (layer, fid), before in t.before.items():
        if layer != "microgrid":
            continue
        row = t.rows[(layer, fid)]
        change = "created" if before is None else "retired" if row.valid_to else "reshaped"
        shape_before = t.shapes_before[(layer, fid)]
        found.append({"code": row.code, "name": row.name, "change": change,
                      "to_grid": codes.get(getattr(row, "grid_id", 0)),
                      "area_changed": shape_before is None
                      or not shapely.equals_exact(shape_before, shape_of(row), 0)})  # fmt: skip
    return found


def _open_problems(session: Session, enterprise_ids: list[int]) -> list[dict[str, Any]]:
    if not enterprise_ids:
        return []
    rows = session.execute(
        select(Problem.code, Problem.title, Problem.status, Enterprise.uscc)
        .join(Enterprise, Enterprise.id == Problem.enterprise_id)
        .where(Problem.enterprise_id.in_(enterprise_ids),
               Problem.status.in_(("open", "in_progress")))
        .order_by(Problem.code)
    )  # fmt: skip
    return [{"code": c, "title": ti, "status": s, "uscc": u} for c, ti, s, u in rows]


def _duties(session: Session, grid_ids: list[int], codes: dict[int, str]) -> list[dict[str, Any]]:
    if not grid_ids:
        return []
    rows = session.execute(
        select(Staff.staff_no, Staff.name, StaffAssignment.role, StaffAssignment.grid_id,
               Grid.valid_to)
        .join(Staff, Staff.id == StaffAssignment.staff_id)
        .join(Grid, Grid.id == StaffAssignment.grid_id)
        .where(StaffAssignment.grid_id.in_(grid_ids),
               or_(StaffAssignment.until.is_(None), StaffAssignment.until >= func.current_date()))
        .order_by(Staff.staff_no, StaffAssignment.role)
    )  # fmt: skip
    return [{"staff_no": no, "name": name, "role": role, "grid": codes.get(gid),
             "grid_retired": until is not None} for no, name, role, gid, until in rows]  # fmt: skip


def _figures(s: GridStaffing | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"enterprises": s.enterprises, "employees": s.employees, "staff": s.staff,
            "staff_by_role": s.staff_by_role, "flags": [f.message for f in s.flags]}  # fmt: skip


def _staffing(before: Snapshot, after: Snapshot, codes: set[str]) -> list[dict[str, Any]]:
    return [{"grid": code, "before": _figures(before.staffing.get(code)),
             "after": _figures(after.staffing.get(code))} for code in sorted(codes)]  # fmt: skip


def _areas(t: Tracker) -> dict[str, Any]:
    features = []
    for key, before in t.before.items():
        row = t.rows[key]
        after = None if row.valid_to is not None else shape_of(row)
        shape_before = t.shapes_before[key]
        change = "created" if before is None else "retired" if after is None else "reshaped"
        area = edit_area(shape_before, after if after is not None else None)
        if area.is_empty:
            continue
        properties = {"layer": key[0], "code": row.code, "change": change}
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(area),
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}
