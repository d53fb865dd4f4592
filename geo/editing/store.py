"""Reading, locking and versioning the features an edit writes (DESIGN §4 history).

Every write goes through `Tracker`: it remembers each feature's state before the edit (version,
live or retired), keeps the superseded geometry in `boundary_version` with its validity
interval, and collects the area that changed so that only what moved is re-assigned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.assignment import edit_area
from geo.editing.measure import polygonal
from geo.errors import Conflict, InvalidInput, NotFound
from geo.models import SRID, BoundaryVersion, Community, Grid, Microgrid

Feature = Grid | Microgrid


def layer_of(row: Feature) -> str:
    """'grid' or 'microgrid'."""
    return "grid" if isinstance(row, Grid) else "microgrid"


def shape_of(row: Any) -> MultiPolygon:
    """A feature's boundary as a shapely MultiPolygon."""
    return polygonal(to_shape(row.geom))


def parent_of(row: Feature) -> int:
    return row.community_id if isinstance(row, Grid) else row.grid_id


def state(row: Feature) -> dict[str, Any]:
    """What undo compares and restores: the version and whether it is live."""
    return {"version": row.version, "live": row.valid_to is None}


@dataclass
class Tracker:
    """The features one edit wrote, their states before, the changed area and notes."""

    session: Session
    now: datetime
    before: dict[tuple[str, int], dict[str, Any] | None] = field(default_factory=dict)
    rows: dict[tuple[str, int], Feature] = field(default_factory=dict)
    areas: list[BaseGeometry] = field(default_factory=list)
    shapes_before: dict[tuple[str, int], BaseGeometry | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)  # enterprise moves

    def _touch(self, row: Feature, *, created: bool = False) -> None:
        key = (layer_of(row), row.id)
        if key not in self.before:
            self.before[key] = None if created else state(row)
            self.shapes_before[key] = None if created else shape_of(row)
            self.rows[key] = row

    def new_version(
        self, row: Feature, geom: BaseGeometry, *, parent_id: int | None = None
    ) -> bool:
        """Give `row` a new version with `geom` (and parent); False when nothing changes."""
        old = shape_of(row)
        new = polygonal(geom)
        parent = parent_of(row) if parent_id is None else parent_id
        if shapely.equals_exact(old, new, 0) and parent == parent_of(row):
            return False
        self._touch(row)
        self._keep_history(row, old)
        row.geom = from_shape(new, SRID)
        row.version += 1
        row.valid_from = self.now
        if isinstance(row, Microgrid):
            row.grid_id = parent
        self.areas.append(edit_area(old, new))
        return True

    def retire(self, row: Feature) -> None:
        """End `row`'s life now (its last version keeps its geometry)."""
        self._touch(row)
        row.valid_to = self.now
        self.areas.append(shape_of(row))

    def revive(self, row: Feature, geom: BaseGeometry, parent_id: int) -> None:
        """Make a retired `row` live again with `geom` as a new version."""
        self._touch(row)
        old = shape_of(row)
        self._keep_history(row, old, until=row.valid_to)
        new = polygonal(geom)
        row.geom = from_shape(new, SRID)
        row.version += 1
        row.valid_from = self.now
        row.valid_to = None
        if isinstance(row, Microgrid):
            row.grid_id = parent_id
        self.areas.append(new)

    def created(self, row: Feature) -> None:
        """Record a feature made by this edit (flushed, so it has an id)."""
        self._touch(row, created=True)
        self.areas.append(shape_of(row))

    def _keep_history(self, row: Feature, old: BaseGeometry, until: datetime | None = None) -> None:
        self.session.add(
            BoundaryVersion(
                layer=layer_of(row), feature_id=row.id, version=row.version, code=row.code,
                name=row.name, kind=row.kind, parent_id=parent_of(row),
                valid_from=row.valid_from, valid_to=until or self.now,
                geom=from_shape(old, SRID),
            )
        )  # fmt: skip

    def features(self) -> list[dict[str, Any]]:
        """Each written feature with its state before and after (for edit_operation)."""
        found = [
            {"layer": layer, "id": fid, "code": self.rows[(layer, fid)].code,
             "before": before, "after": state(self.rows[(layer, fid)])}
            for (layer, fid), before in self.before.items()
        ]  # fmt: skip
        return found + self.extra

    def changed_area(self) -> BaseGeometry:
        """Everything this edit touched (for re-assignment and map highlights)."""
        return shapely.union_all(self.areas) if self.areas else MultiPolygon()


def now(session: Session) -> datetime:
    """The wall-clock time (not the transaction's start): successive edits get later times."""
    moment = session.scalar(select(func.clock_timestamp()))
    assert isinstance(moment, datetime)
    return moment


def community_by_id(session: Session, community_id: int) -> Community:
    found = session.get(Community, community_id)
    if found is None:
        raise NotFound(f"社区 {community_id} 不存在 / community {community_id} does not exist")
    return found


def lock_community(session: Session, community_id: int) -> list[Grid]:
    """Lock a community and its live grids; return the grids (fresh, by id).

    The community row is locked first, so concurrent edits of one community queue there; the
    grids are then read by a new statement that sees what the previous edit committed (grids
    it created included), and are locked too (SELECT … FOR UPDATE).
    """
    session.execute(
        select(Community.id).where(Community.id == community_id).with_for_update()
    ).all()
    query = (
        select(Grid)
        .where(Grid.community_id == community_id, Grid.valid_to.is_(None))
        .order_by(Grid.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def live_microgrids(session: Session, grid_ids: Sequence[int]) -> list[Microgrid]:
    """Live micro-grids of some grids, locked, by id."""
    query = (
        select(Microgrid)
        .where(Microgrid.grid_id.in_(grid_ids), Microgrid.valid_to.is_(None))
        .order_by(Microgrid.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def grid_by_code(session: Session, code: str) -> Grid:
    """The live grid `code`; NotFound naming it otherwise."""
    found = session.scalar(select(Grid).where(Grid.code == code))
    if found is None or found.valid_to is not None:
        raise NotFound(f"网格 {code} 不存在或已撤销 / grid {code} does not exist or is retired")
    return found


def microgrid_by_code(session: Session, code: str) -> Microgrid:
    """The live micro-grid `code`; NotFound naming it otherwise."""
    found = session.scalar(select(Microgrid).where(Microgrid.code == code))
    if found is None or found.valid_to is not None:
        raise NotFound(
            f"微网格 {code} 不存在或已撤销 / micro-grid {code} does not exist or is retired"
        )
    return found


def require_versions(features: Sequence[Feature], versions: Mapping[str, int]) -> None:
    """Refuse (Conflict, current versions in detail) an edit started from stale versions."""
    missing = [f.code for f in features if f.code not in versions]
    if missing:
        raise InvalidInput(
            f"请给出编辑所基于的版本 / name the version you started from for {', '.join(missing)} "
            '(body "versions": {code: version}, or If-Match)',
            detail={"current": {f.code: f.version for f in features}},
        )
    stale = [f for f in features if versions[f.code] != f.version]
    if stale:
        shown = "、".join(f"{f.name}（{f.code}）" for f in stale)
        raise Conflict(
            f"{shown} 已被他人修改，请刷新后重做 / changed by someone else since you started "
            f"(your version {', '.join(str(versions[f.code]) for f in stale)}, now "
            f"{', '.join(str(f.version) for f in stale)}); reload and redo the edit",
            detail={"current": {f.code: f.version for f in features}},
        )


def geometry_at(session: Session, row: Feature, version: int) -> BaseGeometry:
    """The boundary `row` had at `version` (its own row, or the history)."""
    if row.version == version:
        return shape_of(row)
    kept = session.scalar(
        select(BoundaryVersion).where(
            BoundaryVersion.layer == layer_of(row),
            BoundaryVersion.feature_id == row.id,
            BoundaryVersion.version == version,
        )
    )
    if kept is None:
        raise Conflict(f"{row.code} 的第 {version} 版已不存在 / version {version} is gone")
    return shape_of(kept)


def parent_at(session: Session, row: Feature, version: int) -> int:
    """The parent (community or grid) `row` had at `version`."""
    if row.version == version:
        return parent_of(row)
    kept = session.scalar(
        select(BoundaryVersion.parent_id).where(
            BoundaryVersion.layer == layer_of(row),
            BoundaryVersion.feature_id == row.id,
            BoundaryVersion.version == version,
        )
    )
    return parent_of(row) if kept is None else int(kept)
