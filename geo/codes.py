"""Standard codes of grids and micro-grids (DESIGN §4, after DB11/T 2157-2023).

grid code = community code (district 6 + street 3 + community 3) + grid number (3);
micro-grid code = grid code + number (3). Children are numbered in reading order,
west→east inside rows taken north→south. Codes are assigned on creation and never reused;
renumbering happens only on request and records every change in the lineage table.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geo.errors import Conflict, NotFound
from geo.models import CodeLineage, Community, Grid, Microgrid

NUMBER_DIGITS = 3
MAX_NUMBER = 10**NUMBER_DIGITS - 1


def reading_order(shapes: Sequence[shapely.Geometry]) -> list[int]:
    """Indexes of `shapes` in reading order: rows north→south, west→east inside a row.

    Rows are bands as tall as the median shape, counted down from the northernmost
    centre; each shape falls in the band of a point inside it.

    >>> from shapely.geometry import box
    >>> reading_order([box(1, 0, 2, 1), box(0, 0, 1, 1), box(0, 1, 2, 2)])
    [2, 1, 0]
    """
    if not shapes:
        return []
    centres = [shapely.point_on_surface(s) for s in shapes]
    heights = [s.bounds[3] - s.bounds[1] for s in shapes]
    band = statistics.median(heights) or 1e-9
    top = max(c.y for c in centres) + band / 2

    def key(index: int) -> tuple[int, float, float]:
        centre = centres[index]
        return math.floor((top - centre.y) / band), centre.x, -centre.y

    return sorted(range(len(shapes)), key=key)


def _used_numbers(session: Session, layer: str, prefix: str) -> set[int]:
    """Numbers ever given under `prefix`: live, retired, and retired by lineage."""
    model = Grid if layer == "grid" else Microgrid
    codes = set(session.scalars(select(model.code).where(model.code.startswith(prefix))))
    codes |= set(
        session.scalars(
            select(CodeLineage.old_code).where(
                CodeLineage.layer == layer, CodeLineage.old_code.startswith(prefix)
            )
        )
    )
    return {int(code[len(prefix) :]) for code in codes if len(code) == len(prefix) + 3}


def next_code(session: Session, layer: str, parent_code: str) -> str:
    """The next never-used code under a community (grid) or grid (micro-grid).

    Numbers used before, by live or retired features or in the lineage, are never given again.
    """
    used = _used_numbers(session, layer, parent_code)
    number = max(used, default=0) + 1
    if number > MAX_NUMBER:
        raise Conflict(
            f"{parent_code} 下的编号已用尽 / all 999 numbers under {parent_code} are used"
        )
    return f"{parent_code}{number:03d}"


@dataclass(frozen=True)
class CodeChange:
    """One code changed by renumbering."""

    layer: str
    old: str
    new: str


# District 000000 does not exist in GB/T 2260: a parking prefix while codes swap places.
PARKING = {"grid": "0" * 12, "microgrid": "0" * 15}


def _renumber_children(
    session: Session, layer: str, parent_code: str, rows: Sequence[tuple[int, str, Any]]
) -> list[CodeChange]:
    """Give live children positional numbers, skipping numbers of retired ones.

    Codes may swap between siblings, and uniqueness is checked row by row, so changing
    codes are first parked under a prefix no real code has, then set (one transaction:
    nobody else ever sees the parked codes).
    """
    model = Grid if layer == "grid" else Microgrid
    order = reading_order([to_shape(geom) for _, _, geom in rows])
    live = {code for _, code, _ in rows}
    retired = _used_numbers(session, layer, parent_code) - {int(c[-3:]) for c in live}
    numbers = (n for n in range(1, MAX_NUMBER + 1) if n not in retired)
    planned = [(rows[i][0], rows[i][1], f"{parent_code}{next(numbers):03d}") for i in order]
    changes = [(fid, old, new) for fid, old, new in planned if new != old]
    for slot, (feature_id, _, _) in enumerate(changes):
        parked = f"{PARKING[layer]}{slot:03d}"
        session.execute(update(model).where(model.id == feature_id).values(code=parked))
    for feature_id, _, new in changes:
        session.execute(update(model).where(model.id == feature_id).values(code=new))
    return [CodeChange(layer, old, new) for _, old, new in changes]


def planned_order(session: Session, community_code: str) -> list[tuple[str, str]]:
    """(current code, positional code) of a community's live grids, for `gridmap codes`."""
    rows = _live_grids(session, community_code)
    order = reading_order([to_shape(geom) for _, _, geom in rows])
    return [(rows[index][1], f"{community_code}{n:03d}") for n, index in enumerate(order, 1)]


def _live_grids(session: Session, community_code: str) -> list[tuple[int, str, Any]]:
    community = session.scalar(select(Community).where(Community.code == community_code))
    if community is None:
        raise NotFound(f"社区 {community_code} 不存在 / community {community_code} does not exist")
    return [
        (r.id, r.code, r.geom)
        for r in session.execute(
            select(Grid.id, Grid.code, Grid.geom)
            .where(Grid.community_id == community.id, Grid.valid_to.is_(None))
            .order_by(Grid.id)
        )
    ]


def renumber(session: Session, *, community_code: str) -> list[CodeChange]:
    """Renumber a community's grids and their micro-grids by position, recording lineage."""
    changes = _renumber_children(
        session, "grid", community_code, _live_grids(session, community_code)
    )
    grid_rows = session.execute(
        select(Grid.id, Grid.code)
        .join(Community)
        .where(Community.code == community_code, Grid.valid_to.is_(None))
    ).all()
    for grid_id, grid_code in grid_rows:
        micro = session.execute(
            select(Microgrid.id, Microgrid.code, Microgrid.geom)
            .where(Microgrid.grid_id == grid_id, Microgrid.valid_to.is_(None))
            .order_by(Microgrid.id)
        ).all()
        changes += _renumber_children(session, "microgrid", grid_code, [tuple(r) for r in micro])
    session.add_all(
        CodeLineage(layer=c.layer, old_code=c.old, new_code=c.new, reason="renumber")
        for c in changes
    )
    session.flush()
    return changes
