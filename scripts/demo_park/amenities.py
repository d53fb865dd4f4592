"""Emergency shelters (capacity = effective area / 1.5 m², GB 21734) and parking zones.

Parking capacity: about 25 m² per space in car parks (stall plus aisle), 15 m² per space in
kerb-side strips (a 6 m x 2.5 m parallel stall).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from demo_park.enterprises import Enterprise, face_street
from demo_park.frame import rng, to_lonlat
from demo_park.hierarchy import Hierarchy
from demo_park.microgrids import inset
from demo_park.planar import Road
from demo_park.space import Space

M2_PER_PERSON = 1.5
M2_PER_SPACE_LOT = 25.0
M2_PER_SPACE_KERB = 15.0
SHELTER_NAMES = {
    "school": ["示范园实验小学", "星海学校", "青剑湖学校", "东沙湖中学"],
    "park_square": ["青剑湖公园", "月亮湾广场", "湖东中央公园", "文化艺术广场"],
    "stadium": ["示范园体育中心"],
    "outdoor": ["星海生态绿地", "东沙湖应急避难广场", "港田路防灾公园"],
    "indoor": ["星海邻里中心体育馆", "湖东文体中心", "东沙湖社区活动中心"],
}
SIZES = {  # open ground used as shelter, metres (a campus' sports grounds, a park's lawns)
    "school": (240, 180),
    "park_square": (260, 200),
    "stadium": (280, 220),
    "outdoor": (200, 150),
    "indoor": (70, 50),
}
USABLE = {"school": 0.45, "park_square": 0.6, "stadium": 0.55, "outdoor": 0.7, "indoor": 1.2}


@dataclass
class Shelter:
    """One shelter: point, area polygon (lon/lat) and its capacity."""

    name: str
    kind: str
    capacity: int
    effective_area_m2: float
    address: str
    geom: BaseGeometry
    area: BaseGeometry
    grid_code: str


@dataclass
class Parking:
    """One parking zone polygon (lon/lat) with its capacity."""

    name: str
    kind: str
    capacity: int
    grid_code: str
    geom: BaseGeometry


def _shelter_area(h: Hierarchy, face: int, kind: str) -> Polygon:
    block = inset(h.faces[face], 32.0)
    c = block.centroid
    pond = h.faces[face].metric.interiors
    if pond:  # the lakeside park: the whole block but the water, an area with a hole
        area = block.difference(Polygon(pond[0]).buffer(20))
        assert isinstance(area, Polygon)
        return area
    rnd = rng(f"shelter-{face}")
    w, d = (s * rnd.uniform(0.8, 1.15) for s in SIZES[kind])
    area = box(c.x - w / 2, c.y - d / 2, c.x + w / 2, c.y + d / 2).intersection(block)
    assert isinstance(area, Polygon)
    return area


def make_shelters(h: Hierarchy, space: Space, public: dict[int, str]) -> list[Shelter]:
    """A shelter in every public block (15), named and sized by kind."""
    names = {k: iter(v) for k, v in SHELTER_NAMES.items()}
    out = []
    for face, kind in sorted(public.items()):
        area = _shelter_area(h, face, kind)
        space.taken[face].append(area.buffer(5))
        effective = float(round(area.area * USABLE[kind]))
        spot = area.centroid if area.contains(area.centroid) else area.representative_point()
        street = _street(h, face)
        out.append(
            Shelter(
                next(names[kind]),
                kind,
                math.floor(effective / M2_PER_PERSON),
                effective,
                f"苏州工业园区{street}{10 + 2 * face}号",
                to_lonlat(spot),
                to_lonlat(MultiPolygon([area])),
                space.grid_at(area),
            )
        )
    return out


def _street(h: Hierarchy, face: int) -> str:
    return face_street(h, h.faces[face])


def _kerb_strip(h: Hierarchy, edge: tuple[int, int], road: Road, side: int) -> Polygon | None:
    """A 2.5 m parking lane along the kerb on one side, kept 30 m clear of the junctions."""
    (ax, ay), (bx, by) = h.graph.xy[edge[0]], h.graph.xy[edge[1]]
    line = LineString([(ax, ay), (bx, by)])
    if line.length < 160:
        return None
    part = LineString([line.interpolate(30), line.interpolate(line.length - 30)])
    near = part.offset_curve(side * (road.width_m / 2 - 2.5))
    far = part.offset_curve(side * road.width_m / 2)
    return Polygon([*near.coords, *reversed(far.coords)])


def _kerbside(h: Hierarchy, space: Space, rnd: random.Random) -> list[Parking]:
    edges = [(e, r) for e, r in sorted(h.graph.edges.items()) if r is not None]
    edges = [(e, r) for e, r in edges if r.road_class in ("local", "secondary")]
    out: list[Parking] = []
    counts: dict[str, int] = {}
    for edge, road in rnd.sample(edges, len(edges)):
        strip = _kerb_strip(h, edge, road, rnd.choice([1, -1]))
        if strip is None or len(out) == 40:
            continue
        counts[road.name] = counts.get(road.name, 0) + 1
        out.append(
            Parking(
                f"{road.name}路侧停车{counts[road.name]}段",
                "road_side",
                math.floor(strip.area / M2_PER_SPACE_KERB),
                space.grid_at(strip),
                to_lonlat(MultiPolygon([strip])),
            )
        )
    return out


def _lot(name: str, kind: str, rect: Polygon, space: Space) -> Parking:
    capacity = math.floor(rect.area / M2_PER_SPACE_LOT)
    return Parking(name, kind, capacity, space.grid_at(rect), to_lonlat(MultiPolygon([rect])))


def _public_lots(
    h: Hierarchy, space: Space, public: dict[int, str], rnd: random.Random
) -> list[Parking]:
    out: list[Parking] = []
    blocks = [f.index for f in h.faces if f.use not in ("dedicated",)]
    for attempt in range(200):
        if len(out) == 20:
            break
        face = sorted(public)[attempt] if attempt < 5 else rnd.choice(blocks)
        rect = space.place(face, (rnd.uniform(40, 60), rnd.uniform(50, 80)), rnd)
        if rect is not None:
            name = f"{_street(h, face)}公共停车场{len(out) + 1}"
            out.append(_lot(name, "public", rect, space))
    return out


def _front_lots(space: Space, firms: list[Enterprise], rnd: random.Random) -> list[Parking]:
    out: list[Parking] = []
    hosts = [f for f in firms if f.size_class in ("large", "medium") and f.grid_code]
    hosts = [f for f in hosts if "on_grid_edge" not in f.tags]
    for firm in rnd.sample(hosts, len(hosts)):
        if len(out) == 20:
            break
        near: BaseGeometry = Point(firm.xy).buffer(90)
        if firm.compound is not None:
            near = firm.compound.metric.buffer(60).difference(firm.compound.metric)
        size = (rnd.uniform(8, 16), rnd.uniform(20, 45))
        rect = space.place(space.face_at(firm.xy), size, rnd, near)
        if rect is not None:
            out.append(_lot(f"{firm.name}门前停车区", "enterprise_front", rect, space))
    return out


def make_parking(
    h: Hierarchy, space: Space, firms: list[Enterprise], public: dict[int, str]
) -> list[Parking]:
    """About 80 parking zones: 40 kerb-side, 20 public car parks, 20 in front of firms."""
    rnd = rng("parking")
    return [
        *_kerbside(h, space, rnd),
        *_public_lots(h, space, public, rnd),
        *_front_lots(space, firms, rnd),
    ]
