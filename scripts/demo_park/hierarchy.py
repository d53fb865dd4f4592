"""Park › community › grid: faces of the street graph grouped into an exact partition, coded.

Numbering (DB11/T 2157-2023 "west→east, north→south") is the application's own rule,
geo.codes.reading_order, applied to the lon/lat polygons as they will be stored: rows as tall as
the median sibling, counted down from the northernmost, west to east inside a row.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from demo_park.frame import rng
from demo_park.names import ANCHORS, PARK_SUFFIXES, Brands, person
from demo_park.plan import CellPlan, community_of
from demo_park.planar import PlanarGraph, Ring, face_tag, faces, to_multipolygon, union_rings
from geo.codes import reading_order

DISTRICT = "320571"  # 苏州工业园区, GB/T 2260
STREET = "001"
PARK_CODE = DISTRICT + STREET
PARK_NAME = "苏州工业园区示范园"
COMMUNITY_NAMES = ["星海社区", "青剑湖社区", "湖东社区", "东沙湖社区"]
T = TypeVar("T")


@dataclass
class Face:
    """A block of the street graph: its rings (shell first), region tag and grid key."""

    index: int
    rings: list[Ring]
    tag: str
    grid: str
    metric: Polygon
    use: str = ""


@dataclass
class Unit:
    """A coded polygon of the hierarchy (park, community or grid)."""

    key: str
    faces: list[int]
    geom: MultiPolygon
    metric: MultiPolygon
    code: str = ""
    name: str = ""
    kind: str = ""
    parent: str = ""
    party_org: str = ""
    leader: str = ""
    anchor: tuple[str, str, str] | None = None
    rings: list[Ring] = field(default_factory=list)


@dataclass
class Hierarchy:
    """The graph, its faces and the coded park, communities and grids."""

    graph: PlanarGraph
    faces: list[Face]
    park: Unit
    communities: list[Unit]
    grids: list[Unit] = field(default_factory=list)

    def grid(self, key: str) -> Unit:
        """The grid with plan key `key`."""
        return next(g for g in self.grids if g.key == key)

    def grid_of_face(self, face: Face) -> Unit:
        """The grid a face belongs to."""
        return self.grid(face.grid)


def in_reading_order(items: Sequence[T], shape: Callable[[T], BaseGeometry]) -> list[T]:
    """Items in the application's numbering order (geo.codes.reading_order, on lon/lat)."""
    return [items[k] for k in reading_order([shape(item) for item in items])]


def _cell(tag: str) -> tuple[int, int]:
    return int(tag[1:3]), int(tag[4:6])


def make_faces(graph: PlanarGraph, plan: CellPlan, pond: Ring) -> list[Face]:
    """The faces of the street graph with their grid; the pond becomes a hole of its block."""
    out = []
    for index, ring in enumerate(faces(graph)):
        tag = face_tag(graph, ring)[0]
        if tag.startswith("D"):
            grid, use = tag, "dedicated"
        else:
            grids = {plan.grid_of[_cell(t)] for t in face_tag(graph, ring)}
            assert len(grids) == 1, f"face {index} spans grids {grids}"
            grid, use = grids.pop(), plan.use.get(_cell(tag), "")
        metric = Polygon([graph.xy[n] for n in ring])
        out.append(Face(index, [ring], tag, grid, metric, use))
    pond_poly = Polygon([graph.xy[n] for n in pond])
    host = next(f for f in out if f.metric.contains(pond_poly))
    host.rings.append(pond)
    host.metric = Polygon(host.metric.exterior.coords, [pond_poly.exterior.coords])
    return out


def _unit(graph: PlanarGraph, key: str, members: list[Face]) -> Unit:
    rings = union_rings(graph, [r for f in members for r in f.rings])
    return Unit(
        key,
        [f.index for f in members],
        to_multipolygon(graph, rings, metric=False),
        to_multipolygon(graph, rings, metric=True),
        rings=rings,
    )


def _community_index(face_grid: str) -> int:
    if face_grid.startswith("B"):
        return int(face_grid[1])
    return community_of(_cell("C" + face_grid[1:]))


def build(graph: PlanarGraph, plan: CellPlan, pond: Ring) -> Hierarchy:
    """Faces, grids, communities and park, coded and named."""
    all_faces = make_faces(graph, plan, pond)
    park = _unit(graph, "park", all_faces)
    park.code, park.name = PARK_CODE, PARK_NAME
    rnd = rng("hierarchy")
    park.party_org, park.leader = "中共苏州工业园区示范园工作委员会", person(rnd)
    communities = []
    for c in range(4):
        members = [f for f in all_faces if _community_index(f.grid) == c]
        unit = _unit(graph, str(c), members)
        unit.name = COMMUNITY_NAMES[c]
        unit.party_org, unit.leader = f"中共{unit.name}委员会", person(rnd)
        communities.append(unit)
    for n, unit in enumerate(in_reading_order(communities, _geom), start=1):
        unit.code, unit.parent = f"{PARK_CODE}{n:03d}", park.code
    h = Hierarchy(graph, all_faces, park, sorted(communities, key=lambda u: u.code))
    _build_grids(h, plan)
    return h


def _geom(unit: Unit) -> BaseGeometry:
    return unit.geom


def _build_grids(h: Hierarchy, plan: CellPlan) -> None:
    anchors = iter(ANCHORS)
    brands, rnd = Brands(), rng("dedicated")
    for community in h.communities:
        c = int(community.key)
        keys = sorted({f.grid for f in h.faces if _community_index(f.grid) == c})
        units = [_unit(h.graph, k, [f for f in h.faces if f.grid == k]) for k in keys]
        for n, unit in enumerate(in_reading_order(units, _geom), start=1):
            unit.code, unit.parent = f"{community.code}{n:03d}", community.code
            unit.kind = "dedicated" if unit.key.startswith("D") else "base"
            unit.name = f"{community.name}第{n}网格"
            if unit.kind == "dedicated":
                _name_dedicated(unit, plan.dedicated_purpose[unit.key], anchors, brands, rnd)
            h.grids.append(unit)
    h.grids.sort(key=lambda u: u.code)


def _name_dedicated(
    unit: Unit,
    purpose: str,
    anchors: Iterator[tuple[str, str, str]],
    brands: Brands,
    rnd: random.Random,
) -> None:
    """Dedicated grids take the name of their large enterprise or small park."""
    if purpose == "enterprise":
        unit.anchor = next(anchors)
        unit.name = f"{unit.anchor[0]}{unit.anchor[1][:2]}专属网格"
    else:
        park = brands.next(rnd) + rnd.choice(PARK_SUFFIXES)
        unit.anchor = (park, "", "")
        unit.name = f"{park}专属网格"
