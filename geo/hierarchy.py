"""The park › community › grid › micro-grid hierarchy: its rules checked, and park outlines.

Rules (DESIGN §4): grids partition their community (no overlap, no gap), micro-grids lie
inside their grid without overlapping each other, communities lie inside their park.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.errors import PartitionBroken
from geo.models import Park
from geo.sqlfiles import sql

# kind → (中文, English)
VIOLATIONS: dict[str, tuple[str, str]] = {
    "grid_overlap": ("网格重叠", "grids overlap"),
    "grid_gap": ("社区内有未被网格覆盖的空隙", "part of the community is in no grid"),
    "grid_outside_community": ("网格超出所属社区", "grid reaches outside its community"),
    "microgrid_outside_grid": ("微网格超出所属网格", "micro-grid reaches outside its grid"),
    "microgrid_overlap": ("微网格重叠", "micro-grids overlap"),
    "community_outside_park": ("社区超出所属园区", "community reaches outside its park"),
}
# which rules a write to each layer can break
RULES_OF_LAYER: dict[str, tuple[str, ...]] = {
    "park": ("community_outside_park",),
    "community": ("community_outside_park", "grid_gap", "grid_outside_community"),
    "grid": ("grid_overlap", "grid_gap", "grid_outside_community", "microgrid_outside_grid"),
    "microgrid": ("microgrid_outside_grid", "microgrid_overlap"),
}
MIN_AREA_M2 = 0.01  # below this, differences are floating-point slivers along shared edges


@dataclass(frozen=True)
class Violation:
    """One broken rule at one place: the codes involved, the area in m², the geometry."""

    kind: str
    code: str
    other_code: str | None
    area_m2: float
    geometry: dict[str, Any]

    def describe(self) -> str:
        """One line, Chinese first: what is wrong, where, how large."""
        zh, en = VIOLATIONS[self.kind]
        where = self.code + (f" / {self.other_code}" if self.other_code else "")
        return f"{zh} / {en}: {where} ({self.area_m2:.2f} m²)"


def check_hierarchy(
    session: Session,
    *,
    community_ids: Sequence[int] | None = None,
    kinds: Iterable[str] = tuple(VIOLATIONS),
    min_area_m2: float = MIN_AREA_M2,
) -> list[Violation]:
    """Every violation of the hierarchy rules (optionally for some communities and rules)."""
    rows = session.execute(
        sql("check_hierarchy"),
        {
            "community_ids": list(community_ids) if community_ids is not None else None,
            "kinds": list(kinds),
            "min_area_m2": min_area_m2,
        },
    ).all()
    return [Violation(k, c, o, float(a), json.loads(g)) for k, c, o, a, g in rows]


def require_hierarchy(
    session: Session, layer: str, *, community_ids: Sequence[int] | None = None
) -> None:
    """Refuse (PartitionBroken, naming the places) a write to `layer` that broke a rule."""
    violations = check_hierarchy(
        session, community_ids=community_ids, kinds=RULES_OF_LAYER.get(layer, ())
    )
    if violations:
        shown = "; ".join(v.describe() for v in violations[:5])
        more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
        raise PartitionBroken(
            f"写入被拒绝，网格层级规则被破坏 / refused, the hierarchy rules would break: "
            f"{shown}{more}",
            detail={"violations": [v.__dict__ for v in violations]},
        )


@dataclass(frozen=True)
class ParkOutline:
    """The parks as a GeoJSON FeatureCollection, with their joint bounds (lon/lat)."""

    features: dict[str, Any]
    bounds: tuple[float, float, float, float] | None


def park_outline(session: Session) -> ParkOutline:
    """Every park's boundary and the extent around all of them."""
    rows = session.execute(
        select(Park.code, Park.name, func.ST_AsGeoJSON(Park.geom, 7)).order_by(Park.code)
    ).all()
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": json.loads(geometry),
        }
        for code, name, geometry in rows
    ]
    extent = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(Park.geom)),
            func.ST_YMin(func.ST_Extent(Park.geom)),
            func.ST_XMax(func.ST_Extent(Park.geom)),
            func.ST_YMax(func.ST_Extent(Park.geom)),
        )
    ).one()
    bounds = None if extent[0] is None else (extent[0], extent[1], extent[2], extent[3])
    return ParkOutline({"type": "FeatureCollection", "features": features}, bounds)
