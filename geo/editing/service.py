"""Running an edit as one unit: lock, write versions, re-assign what moved, check, record.

An edit (or an undo, or a dry run of either) runs in a SAVEPOINT of the caller's transaction:
a dry run (impact preview) rolls it back, a real one keeps it, and the caller commits. The
planner's reason goes to the audit log (`gridmap.reason`) and to the edit's record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo import audit
from geo.assignment import reassign_area
from geo.editing import grids, micro
from geo.editing.grids import EditRequest
from geo.editing.impact import Impact, compare, snapshot
from geo.editing.store import Tracker, lock_community, now
from geo.errors import InvalidInput, NotFound, PartitionBroken
from geo.hierarchy import Violation, check_hierarchy
from geo.models import Community, EditOperation, Enterprise, Grid, Microgrid
from geo.sqlfiles import sql
from geo.staffing import StaffingNorms

Action = Callable[[Tracker, list[Grid]], None]
OPERATIONS: dict[str, Callable[[Tracker, list[Grid], EditRequest, float], None]] = {
    "reshape": grids.reshape,
    "split": grids.split,
    "merge": grids.merge,
    "create_microgrid": micro.create_microgrid,
    "delete_microgrid": micro.delete_microgrid,
    "reshape_microgrid": micro.reshape_microgrid,
    "move_enterprise": micro.move_enterprise,
}
RULES = ("grid_overlap", "grid_gap", "grid_outside_community", "microgrid_outside_grid",
         "microgrid_overlap")  # fmt: skip
MAX_REASON = 500


@dataclass(frozen=True)
class EditOutcome:
    """What an edit did (or would do, on a dry run)."""

    operation_id: int | None
    kind: str
    dry_run: bool
    features: list[dict[str, Any]]
    impact: Impact


def edit(
    session: Session,
    request: EditRequest,
    *,
    snap_m: float = 1.0,
    norms: StaffingNorms | None = None,
    dry_run: bool = False,
) -> EditOutcome:
    """Apply (or preview) one planner's edit; the caller commits."""
    operation = OPERATIONS.get(request.op)
    if operation is None:
        raise InvalidInput(
            f"未知的编辑操作 '{request.op}' / unknown op '{request.op}' "
            f"(known: {', '.join(OPERATIONS)})"
        )
    community_id = _community_of(session, request)
    moved = _enterprise_ids(session, request)
    return run(
        session, request.op, community_id,
        lambda t, live: operation(t, live, request, snap_m),
        params=request.params(), reason=request.reason, norms=norms or StaffingNorms(),
        dry_run=dry_run, extra_ids=moved,
    )  # fmt: skip


def run(
    session: Session,
    kind: str,
    community_id: int,
    action: Action,
    *,
    params: dict[str, Any],
    reason: str,
    norms: StaffingNorms,
    dry_run: bool,
    extra_ids: Iterable[int] = (),
    undo_of: EditOperation | None = None,
) -> EditOutcome:
    """Lock the community, run `action`, re-assign, check the rules, record; roll back if dry."""
    reason = _reason(reason)
    actor = replace(audit.current_actor() or audit.Actor(None, ""), reason=reason)
    # the reason rides on the actor: every (nested) transaction started below binds it again
    with audit.acting_as(actor):
        audit.bind(session.connection(), actor)
        return _run(session, kind, community_id, action, params=params, actor=actor,
                    norms=norms, dry_run=dry_run, extra_ids=extra_ids, undo_of=undo_of)  # fmt: skip


def _run(
    session: Session,
    kind: str,
    community_id: int,
    action: Action,
    *,
    params: dict[str, Any],
    actor: audit.Actor,
    norms: StaffingNorms,
    dry_run: bool,
    extra_ids: Iterable[int],
    undo_of: EditOperation | None,
) -> EditOutcome:
    reason = actor.reason or ""
    live = lock_community(session, community_id)
    before = snapshot(session, community_id, norms, extra=extra_ids)
    known = _violations(session, community_id)
    nested = session.begin_nested()
    try:
        tracker = Tracker(session, now(session))
        action(tracker, live)
        session.flush()
        _reassign(session, tracker)
        _refuse_new_violations(session, community_id, known)
        record = EditOperation(
            kind=kind, community_id=community_id, params=params, reason=reason,
            user_id=actor.user_id, username=actor.username or None,
            features=tracker.features(), undo_of=undo_of.id if undo_of else None,
        )  # fmt: skip
        session.add(record)
        session.flush()
        if undo_of is not None:
            undo_of.undone_by = record.id
        after = snapshot(session, community_id, norms, extra=extra_ids)
        impact = compare(session, before, after, tracker)
        record.summary = impact.summary()
        session.flush()
        outcome = EditOutcome(
            None if dry_run else record.id, kind, dry_run, record.features, impact
        )
    except BaseException:
        nested.rollback()
        raise
    if dry_run:
        nested.rollback()
    else:
        nested.commit()
    return outcome


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("请填写编辑原因 / a reason is required for every boundary edit")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"编辑原因过长 / the reason is longer than {MAX_REASON} characters")
    return text


def _reassign(session: Session, t: Tracker) -> None:
    """Re-assign only what the edit touched: enterprises, key sites and parking zones."""
    area = t.changed_area()
    if area.is_empty:
        return
    reassign_area(session, changed=area)
    retired = [fid for (layer, fid), row in t.rows.items() if layer == "grid" and row.valid_to]
    wkb = bytes(area.wkb)
    for name in ("reassign_key_sites", "reassign_parking_zones"):
        session.execute(sql(name), {"area": wkb, "retired": retired})


def _violations(session: Session, community_id: int) -> set[tuple[str, str, str | None]]:
    found = check_hierarchy(session, community_ids=[community_id], kinds=RULES)
    return {(v.kind, v.code, v.other_code) for v in found}


def _refuse_new_violations(
    session: Session, community_id: int, known: set[tuple[str, str, str | None]]
) -> None:
    found: list[Violation] = check_hierarchy(session, community_ids=[community_id], kinds=RULES)
    new = [v for v in found if (v.kind, v.code, v.other_code) not in known]
    if new:
        shown = "; ".join(v.describe() for v in new[:5])
        raise PartitionBroken(
            f"编辑被拒绝，网格层级规则会被破坏 / refused, the edit would break the hierarchy "
            f"rules: {shown}",
            detail={"violations": [v.__dict__ for v in new]},
        )


def _community_of(session: Session, request: EditRequest) -> int:
    """The community an edit works in (from its grid, micro-grid or enterprise)."""
    code = request.grid or (request.grids[0] if request.grids else None)
    if code:
        found = session.scalar(select(Grid.community_id).where(Grid.code == code))
        if found is None:
            raise NotFound(f"网格 {code} 不存在 / grid {code} does not exist")
        return int(found)
    if request.microgrid:
        found = session.scalar(
            select(Grid.community_id)
            .join(Microgrid, Microgrid.grid_id == Grid.id)
            .where(Microgrid.code == request.microgrid)
        )
        if found is None:
            raise NotFound(f"微网格 {request.microgrid} 不存在 / micro-grid does not exist")
        return int(found)
    if request.uscc:
        return _community_of_enterprise(session, request)
    raise InvalidInput("请指明要编辑的网格、微网格或企业 / name the grid, micro-grid or enterprise")


def _community_of_enterprise(session: Session, request: EditRequest) -> int:
    from geoalchemy2.shape import from_shape

    uscc = (request.uscc or "").upper()
    found = session.scalar(
        select(Grid.community_id).join(Enterprise, Enterprise.grid_id == Grid.id)
        .where(Enterprise.uscc == uscc)
    )  # fmt: skip
    if found is None and request.geometry is not None:
        point = from_shape(request.geometry, 4326)
        found = session.scalar(select(Community.id).where(Community.geom.ST_Covers(point)))
    if found is None:
        raise InvalidInput(
            f"企业 {uscc} 不在任何社区内 / enterprise {uscc} is not in any community (and neither "
            "is the new point)"
        )
    return int(found)


def _enterprise_ids(session: Session, request: EditRequest) -> list[int]:
    if not request.uscc:
        return []
    found = session.scalar(select(Enterprise.id).where(Enterprise.uscc == request.uscc.upper()))
    return [] if found is None else [found]
