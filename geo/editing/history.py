"""The edits made so far: listed newest first, read one by one, and undone.

Undo restores, as new versions, the state each feature had before the edit: a reshaped grid
gets its old boundary back, grids made by a split or merge are retired and the old ones live
again, a moved enterprise goes back. It is refused (Conflict, HTTP 409) when any of those
features changed since the edit, or when the edit was already undone.
"""

from __future__ import annotations

from typing import Any

import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPoint, Point
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.editing.service import EditOutcome, run
from geo.editing.store import Feature, Tracker, geometry_at, parent_at, state
from geo.errors import Conflict, NotFound
from geo.models import SRID, EditOperation, Enterprise, Grid, Microgrid
from geo.staffing import StaffingNorms


def list_edits(
    session: Session, *, community_id: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[EditOperation], int]:
    """Edits, newest first, a page at a time, with how many there are."""
    query = select(EditOperation)
    if community_id is not None:
        query = query.where(EditOperation.community_id == community_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(EditOperation.at.desc(), EditOperation.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total)


def read_edit(session: Session, operation_id: int) -> EditOperation:
    """One edit; NotFound when there is none."""
    found = session.get(EditOperation, operation_id)
    if found is None:
        raise NotFound(f"编辑记录 {operation_id} 不存在 / edit {operation_id} does not exist")
    return found


def undo(
    session: Session,
    operation_id: int,
    *,
    reason: str,
    norms: StaffingNorms | None = None,
    dry_run: bool = False,
) -> EditOutcome:
    """Undo edit `operation_id` as a new edit of kind 'undo'; the caller commits."""
    original = read_edit(session, operation_id)
    if original.undone_by is not None:
        raise Conflict(
            f"编辑 {operation_id} 已被编辑 {original.undone_by} 撤销 / edit {operation_id} was "
            f"already undone by edit {original.undone_by}",
            detail={"undone_by": original.undone_by},
        )
    features = list(original.features)

    def action(t: Tracker, _live: list[Grid]) -> None:
        rows = [_row(session, f) for f in features]
        stale = [(f, r) for f, r in zip(features, rows, strict=True) if _changed(session, f, r)]
        if stale:
            raise Conflict(
                f"编辑 {operation_id} 之后 {'、'.join(f['code'] for f, _ in stale)} 又被修改，"
                f"无法撤销 / cannot undo edit {operation_id}: "
                f"{', '.join(f['code'] for f, _ in stale)} changed since",
                detail={"current": {f["code"]: _current(r) for f, r in stale}},
            )
        for f, row in zip(features, rows, strict=True):
            _restore(t, f, row)

    return run(
        session, "undo", original.community_id, action,
        params={"op": "undo", "operation": operation_id}, reason=reason,
        norms=norms or StaffingNorms(), dry_run=dry_run, undo_of=original,
        extra_ids=[f["id"] for f in features if f["layer"] == "enterprise"],
    )  # fmt: skip


def _row(session: Session, feature: dict[str, Any]) -> Any:
    model: Any = {"grid": Grid, "microgrid": Microgrid, "enterprise": Enterprise}[feature["layer"]]
    query = (
        select(model)
        .where(model.id == feature["id"])
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = session.scalar(query)
    if found is None:
        raise Conflict(f"{feature['code']} 已被删除，无法撤销 / {feature['code']} was deleted")
    return found


def _changed(session: Session, feature: dict[str, Any], row: Any) -> bool:
    """Whether `row` differs from the state the edit left it in.

    A later version with the same boundary, parent and liveness (an undo of a later edit, say)
    counts as unchanged, so a sequence of edits can be undone newest first.
    """
    now, after = _current(row), feature["after"]
    if now == after or isinstance(row, Enterprise):
        return bool(now != after)
    if now["live"] != after["live"]:
        return True
    same_shape = shapely.equals_exact(
        geometry_at(session, row, now["version"]), geometry_at(session, row, after["version"]), 0
    )
    return not same_shape or parent_at(session, row, now["version"]) != parent_at(
        session, row, after["version"]
    )


def _current(row: Any) -> dict[str, Any]:
    if isinstance(row, Enterprise):
        point = to_shape(row.geom)
        return {"lon": point.x, "lat": point.y}
    return state(row)


def _restore(t: Tracker, feature: dict[str, Any], row: Any) -> None:
    target = feature["before"]
    if isinstance(row, Enterprise):
        old, new = to_shape(row.geom), Point(target["lon"], target["lat"])
        row.geom = from_shape(new, SRID)
        t.extra.append({**feature, "before": feature["after"], "after": target})
        t.areas.append(MultiPoint([old, new]))
        return
    grid_or_micro: Feature = row
    if target is None or not target["live"]:
        if grid_or_micro.valid_to is None:
            t.retire(grid_or_micro)
        return
    geom = geometry_at(t.session, grid_or_micro, target["version"])
    parent = parent_at(t.session, grid_or_micro, target["version"])
    if grid_or_micro.valid_to is None:
        t.new_version(grid_or_micro, geom, parent_id=parent)
    else:
        t.revive(grid_or_micro, geom, parent)
