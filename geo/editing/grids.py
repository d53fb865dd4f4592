"""Grid edits on the locked community: reshape, split, merge, and micro-grids that follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry.base import BaseGeometry

from geo.codes import next_code, reading_order
from geo.editing import topology
from geo.editing.measure import PRECISION, local_for, polygonal
from geo.editing.store import (
    Tracker,
    community_by_id,
    live_microgrids,
    require_versions,
    shape_of,
)
from geo.errors import InvalidInput, NotFound
from geo.models import SRID, CodeLineage, Grid
from geo.vocab import GRID_KINDS


@dataclass(frozen=True)
class EditRequest:
    """One planner's edit, as the API receives it (geometry already parsed, EPSG:4326)."""

    op: str
    reason: str
    versions: dict[str, int] = field(default_factory=dict)
    grid: str | None = None  # reshape, split, create_microgrid
    grids: Sequence[str] = ()  # merge
    microgrid: str | None = None  # delete_microgrid, reshape_microgrid
    uscc: str | None = None  # move_enterprise
    geometry: BaseGeometry | None = None  # polygon, split line or point
    name: str | None = None
    names: Sequence[str] = ()
    kind: str | None = None

    def params(self) -> dict[str, Any]:
        """The request as JSON, for the edit's record."""
        found: dict[str, Any] = {"op": self.op, "versions": dict(self.versions)}
        for key in ("grid", "microgrid", "uscc", "name", "kind"):
            if getattr(self, key) is not None:
                found[key] = getattr(self, key)
        if self.grids:
            found["grids"] = list(self.grids)
        if self.names:
            found["names"] = list(self.names)
        if self.geometry is not None:
            found["geometry"] = shapely.geometry.mapping(self.geometry)
        return found

    def shape(self) -> BaseGeometry:
        if self.geometry is None or self.geometry.is_empty:
            raise InvalidInput(f"{self.op} 需要几何图形 / {self.op} needs a geometry")
        return self.geometry


def target(grids: Sequence[Grid], code: str | None) -> Grid:
    """The live grid `code` among the community's locked grids."""
    for grid in grids:
        if grid.code == code:
            return grid
    raise NotFound(f"网格 {code} 不存在或已撤销 / grid {code} does not exist or is retired")


def reshape(t: Tracker, grids: list[Grid], req: EditRequest, snap_m: float) -> None:
    """Redraw one grid; its neighbours give and take (topology.reshape)."""
    grid = target(grids, req.grid)
    require_versions([grid], req.versions)
    community = community_by_id(t.session, grid.community_id)
    shapes = {g.code: shape_of(g) for g in grids}
    result = topology.reshape(shape_of(community), shapes, grid.code, req.shape(), snap_m=snap_m)
    by_code = {g.code: g for g in grids}
    for code, geom in result.items():
        t.new_version(by_code[code], geom)
    follow(t, grids)


def split(t: Tracker, grids: list[Grid], req: EditRequest, snap_m: float) -> None:
    """Cut one grid by a line into new grids (new codes; the old code retired, lineage split)."""
    grid = target(grids, req.grid)
    require_versions([grid], req.versions)
    pieces = topology.split(shape_of(grid), req.shape(), snap_m=snap_m)
    t.retire(grid)
    made = _create(t, grid.community_id, [pieces[i] for i in reading_order(pieces)],
                   kind=grid.kind, names=req.names, default=grid.name)  # fmt: skip
    t.session.add_all(
        CodeLineage(layer="grid", old_code=grid.code, new_code=row.code, reason="split")
        for row in made
    )
    t.notes.append(
        f"网格 {grid.code} 已撤销，拆分为 {'、'.join(r.code for r in made)}；其人员任命仍在原网格，"
        f"请重新任命 / grid {grid.code} is retired and split into "
        f"{', '.join(r.code for r in made)}; its staff duties stay with it: re-assign them"
    )
    follow(t, [*grids, *made])


def merge(t: Tracker, grids: list[Grid], req: EditRequest, snap_m: float) -> None:
    """Join adjacent grids of one community into a new grid (old codes retired, lineage merge)."""
    if len(set(req.grids)) < 2:
        raise InvalidInput("合并至少需要两个网格 / a merge needs at least two grids")
    rows = [target(grids, code) for code in dict.fromkeys(req.grids)]
    require_versions(rows, req.versions)
    shape = topology.merge({r.code: shape_of(r) for r in rows})
    kinds = {r.kind for r in rows}
    kind = req.kind or (kinds.pop() if len(kinds) == 1 else None)
    if kind is None or kind not in GRID_KINDS:
        raise InvalidInput(
            "合并的网格类型不同，请指定 kind / the grids differ in kind; give kind (base|dedicated)"
        )
    for row in rows:
        t.retire(row)
    (made,) = _create(t, rows[0].community_id, [shape], kind=kind,
                      names=[req.name] if req.name else [], default=rows[0].name)  # fmt: skip
    t.session.add_all(
        CodeLineage(layer="grid", old_code=r.code, new_code=made.code, reason="merge") for r in rows
    )
    t.notes.append(
        f"网格 {'、'.join(r.code for r in rows)} 已撤销，合并为 {made.code}；人员任命请重新安排 / "
        f"grids {', '.join(r.code for r in rows)} are retired and merged into {made.code}; "
        "re-assign their staff duties"
    )
    follow(t, [*grids, made])


def _create(
    t: Tracker,
    community_id: int,
    shapes: Sequence[BaseGeometry],
    *,
    kind: str,
    names: Sequence[str],
    default: str,
) -> list[Grid]:
    community = community_by_id(t.session, community_id)
    made = []
    for n, shape in enumerate(shapes):
        name = names[n] if n < len(names) and names[n] else f"{default}（{n + 1}）"
        if len(shapes) == 1 and not names:
            name = default
        row = Grid(community_id=community_id, kind=kind, name=name[:200],
                   code=next_code(t.session, "grid", community.code),
                   valid_from=t.now, version=1)  # fmt: skip
        row.geom = from_shape(polygonal(shape), SRID)
        t.session.add(row)
        t.session.flush()
        t.created(row)
        made.append(row)
    return made


def follow(t: Tracker, grids: Sequence[Grid]) -> None:
    """Micro-grids of changed grids move to the grid holding most of them, clipped to it."""
    touched = {fid for (layer, fid) in t.before if layer == "grid"}
    live = [g for g in grids if g.valid_to is None]
    if not touched or not live:
        return
    shapes = {g.id: shape_of(g) for g in live}
    local = local_for(shapely.union_all(list(shapes.values())))
    for micro in live_microgrids(t.session, sorted(touched)):
        own = shape_of(micro)
        shares = {gid: local.area_m2(shapely.intersection(own, s)) for gid, s in shapes.items()}
        best = max(sorted(shares), key=lambda gid: shares[gid])
        clipped = own
        if local.area_m2(shapely.difference(own, shapes[best])) >= 0.001:
            clipped = polygonal(shapely.intersection(own, shapes[best], grid_size=PRECISION))
        if clipped.is_empty or local.is_sliver(clipped):
            t.retire(micro)
            t.notes.append(
                f"微网格 {micro.code} 已不在任何网格内，已撤销 / micro-grid {micro.code} "
                "lies in no grid any more and is retired"
            )
            continue
        old_parent = micro.grid_id
        if t.new_version(micro, clipped, parent_id=best) and best != old_parent:
            code = next((g.code for g in grids if g.id == best), str(best))
            t.notes.append(
                f"微网格 {micro.code} 现主要位于网格 {code}，已划入该网格并按其边界裁剪 / "
                f"micro-grid {micro.code} now lies mostly in grid {code}: re-parented there "
                "and clipped to it"
            )
