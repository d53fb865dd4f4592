"""Small hand-made partitions for the editor tests (coordinates in steps of 2⁻¹⁰° ≈ 100 m).

The community is the rectangle 0..4 × 0..2 steps; `three_grids` cuts it into A (west half),
B (south-east) and C (north-east). Enterprises and micro-grids are added as a test asks.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Point, Polygon, box
from sqlalchemy import select

from geo.assignment import assign_all
from geo.models import Community, Enterprise, Grid, Microgrid, Park
from geo.uscc import generate

BASE_X, BASE_Y, STEP = 120.5, 31.25, 1 / 1024
COMMUNITY = "999002001001"


def xy(x: float, y: float) -> tuple[float, float]:
    return BASE_X + x * STEP, BASE_Y + y * STEP


def at(x: float, y: float) -> Point:
    return Point(*xy(x, y))


def rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return box(*xy(x0, y0), *xy(x1, y1))


def multi(geom: Polygon | MultiPolygon) -> MultiPolygon:
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])


@dataclass
class Partition:
    """A community with grids by letter, enterprises by name, micro-grids by name."""

    db: Any
    community: Community
    grids: dict[str, Grid] = field(default_factory=dict)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    micro: dict[str, Microgrid] = field(default_factory=dict)
    numbers: Any = field(default_factory=lambda: itertools.count(1))
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def grid(self, letter: str, geom: Polygon | MultiPolygon) -> Grid:
        old = datetime.now(UTC) - timedelta(days=30)
        row = Grid(community_id=self.community.id, kind="base", name=f"网格{letter}",
                   code=f"{COMMUNITY}{next(self.numbers):03d}", geom=from_shape(multi(geom), 4326),
                   valid_from=old)  # fmt: skip
        self.db.add(row)
        self.db.flush()
        self.grids[letter] = row
        return row

    def enterprise(self, name: str, point: Point) -> Enterprise:
        row = Enterprise(uscc=generate(self.rng), name=name, employees_day=10,
                         geom=from_shape(point, 4326))  # fmt: skip
        self.db.add(row)
        self.db.flush()
        self.enterprises[name] = row
        return row

    def microgrid(self, name: str, letter: str, geom: Polygon) -> Microgrid:
        grid = self.grids[letter]
        old = datetime.now(UTC) - timedelta(days=30)
        row = Microgrid(grid_id=grid.id, kind="building", name=name, valid_from=old,
                        code=f"{grid.code}{len(self.micro) + 1:03d}",
                        geom=from_shape(multi(geom), 4326))  # fmt: skip
        self.db.add(row)
        self.db.flush()
        self.micro[name] = row
        return row

    def assign(self) -> None:
        assign_all(self.db)

    def shapes(self) -> dict[str, MultiPolygon]:
        """Live grids of the community by code."""
        rows = self.db.scalars(
            select(Grid).where(Grid.community_id == self.community.id, Grid.valid_to.is_(None))
        )
        return {g.code: to_shape(g.geom) for g in rows}

    def outline(self) -> MultiPolygon:
        return to_shape(self.community.geom)


def empty_community(db: Any, outline: Polygon | None = None) -> Partition:
    outline = outline or rect(0, 0, 4, 2)
    park = Park(code="999002", name="编辑测试园区", geom=from_shape(multi(rect(-9, -9, 19, 19))))
    db.add(park)
    db.flush()
    community = Community(park_id=park.id, code=COMMUNITY, name="编辑测试社区",
                          geom=from_shape(multi(outline), 4326))  # fmt: skip
    db.add(community)
    db.flush()
    return Partition(db, community)


def three_grids(db: Any) -> Partition:
    """A (0..2 × 0..2), B (2..4 × 0..1), C (2..4 × 1..2), with enterprises in each."""
    p = empty_community(db)
    p.grid("A", rect(0, 0, 2, 2))
    p.grid("B", rect(2, 0, 4, 1))
    p.grid("C", rect(2, 1, 4, 2))
    p.enterprise("a", at(0.5, 0.5))
    p.enterprise("b", at(3.5, 0.5))
    p.enterprise("c", at(3.5, 1.5))
    p.enterprise("b_west", at(2.25, 0.5))
    p.assign()
    return p
