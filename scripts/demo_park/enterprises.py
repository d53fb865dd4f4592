"""Enterprises: firms in buildings, small parks, compounds and along streets, plus edge cases.

Edge cases for tests: orphans (inside the park's bounding box, outside the park: in Jinji
Lake and in the pond), two firms exactly on a vertex shared by two grids (one on a fence of a
dedicated grid, one on a community border), and one name that needs HTML escaping.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from demo_park.credit import CreditCodes
from demo_park.frame import lonlat, rng
from demo_park.hierarchy import DISTRICT, Face, Hierarchy
from demo_park.microgrids import Micro, inset
from demo_park.names import Brands, Phones, brand, detail_and_word, enterprise_name, person

HTML_NAME = "测试<b>粗体</b>科技有限公司"
MIX = {
    "building": {"I": 30, "L": 20, "F": 18, "M": 15, "J": 4, "R": 4, "K": 3, "P": 3, "H": 2},
    "park": {"C": 60, "M": 14, "I": 13, "F": 5, "G": 4, "L": 2, "N": 1, "D": 1},
    "street": {"C": 42, "F": 13, "G": 13, "E": 8, "H": 7, "O": 6, "K": 5, "L": 3, "Q": 3},
}
SIZES = {
    "compound": {"large": 45, "medium": 55},
    "park": {"medium": 10, "small": 55, "micro": 35},
    "building": {"medium": 3, "small": 35, "micro": 62},
    "street": {"medium": 15, "small": 50, "micro": 35},
}
EMPLOYEES = {"large": (1000, 4000), "medium": (100, 999), "small": (10, 99), "micro": (1, 9)}
STATUS = {"operating": 940, "suspended": 30, "closed": 15, "relocated": 15}
COUNTS = {"building": (3, 8), "park": (5, 12), "street": (1, 5), "anchor_park": (30, 40)}


@dataclass
class Enterprise:
    """One enterprise with its model fields, expected grid/micro-grid and metric point."""

    uscc: str
    name: str
    industry: str
    industry_detail: str
    size_class: str
    employees_day: int
    employees_night: int
    address: str
    contact_name: str
    contact_phone: str
    status: str
    grid_code: str | None
    microgrid_code: str | None
    xy: tuple[float, float]
    ll: tuple[float, float]
    setting: str
    compound: Micro | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class Context:
    """Shared draws and uniqueness registries while making enterprises."""

    h: Hierarchy
    rnd: random.Random
    brands: Brands
    codes: CreditCodes = field(default_factory=lambda: CreditCodes(DISTRICT))
    phones: Phones = field(default_factory=Phones)
    numbers: dict[str, int] = field(default_factory=dict)
    streets: dict[int, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)

    def fresh_name(self, word: str) -> str:
        """A registered name not used by another firm."""
        while True:
            name = enterprise_name(brand(self.rnd), word, self.rnd)
            if name not in self.names:
                self.names.add(name)
                return name

    def number(self, street: str) -> int:
        """The next free house number on a street (odd and even sides mixed)."""
        n = self.numbers.get(street, self.rnd.randrange(1, 40)) + self.rnd.randrange(2, 14)
        self.numbers[street] = n
        return n


def weighted(rnd: random.Random, table: dict[str, int]) -> str:
    """A key of `table` drawn with its weight."""
    return rnd.choices(list(table), weights=list(table.values()))[0]


def point_in(area: BaseGeometry, rnd: random.Random) -> tuple[float, float]:
    """A uniform random point inside `area` (metric)."""
    minx, miny, maxx, maxy = area.bounds
    while True:
        x, y = rnd.uniform(minx, maxx), rnd.uniform(miny, maxy)
        if area.contains(Point(x, y)):
            return x, y


def face_street(h: Hierarchy, face: Face) -> str:
    """The name of the longest road along a block (its address street)."""
    best, best_len = "", -1.0
    ring = face.rings[0]
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        road = h.graph.edges.get((a, b)) or h.graph.edges.get((b, a))
        if road is None:
            continue
        length = Point(h.graph.xy[a]).distance(Point(h.graph.xy[b]))
        if length > best_len:
            best, best_len = road.name, length
    return best


def _people_numbers(ctx: Context, size: str, industry: str) -> tuple[int, int]:
    low, high = EMPLOYEES[size]
    day = ctx.rnd.randint(low, high)
    shift = {"C": 0.6 if size in ("large", "medium") else 0.15, "G": 0.4, "H": 0.9}
    if ctx.rnd.random() < shift.get(industry, 0.0):
        return day, round(day * ctx.rnd.uniform(0.25, 0.45))
    return day, ctx.rnd.randint(0, min(3, day // 20))


def make_firm(
    ctx: Context, setting: str, xy: tuple[float, float], address: str, **fixed: str
) -> Enterprise:
    """One enterprise in a setting ('building', 'park', 'street' or 'compound')."""
    rnd = ctx.rnd
    industry = fixed.get("industry") or weighted(rnd, MIX.get(setting, MIX["street"]))
    detail, word = detail_and_word(industry, rnd)
    detail = fixed.get("detail", detail)
    size = fixed.get("size") or weighted(rnd, SIZES.get(setting, SIZES["street"]))
    day, night = _people_numbers(ctx, size, industry)
    name = fixed.get("name") or ctx.fresh_name(word)
    status = fixed.get("status") or weighted(rnd, STATUS)
    return Enterprise(
        ctx.codes.next(rnd),
        name,
        industry,
        detail,
        size,
        day,
        night,
        address,
        person(rnd),
        ctx.phones.next(rnd),
        status,
        fixed.get("grid"),
        fixed.get("micro"),
        xy,
        lonlat(*xy),
        setting,
    )


def _street_of(ctx: Context, face_index: int) -> str:
    if face_index not in ctx.streets:
        ctx.streets[face_index] = face_street(ctx.h, ctx.h.faces[face_index])
    return ctx.streets[face_index]


def _compound_firm(ctx: Context, m: Micro) -> Enterprise:
    street = _street_of(ctx, m.face)
    address = f"苏州工业园区{street}{ctx.number(street)}号"
    spot = m.metric.centroid
    xy = (spot.x, spot.y) if m.metric.contains(spot) else m.metric.representative_point().coords[0]
    fixed = {"industry": "C", "detail": m.detail, "grid": m.grid_code, "micro": m.code}
    if m.anchor:
        fixed |= {
            "size": "large",
            "status": "operating",
            "name": f"{m.brand}{m.word}（苏州）有限公司",
        }
    else:
        fixed |= {"name": enterprise_name(m.brand, m.word, ctx.rnd)}
    firm = make_firm(ctx, "compound", xy, address, **fixed)
    if m.anchor:
        firm.employees_day = ctx.rnd.randint(2500, 8000)
        firm.employees_night = round(firm.employees_day * ctx.rnd.uniform(0.3, 0.4))
    firm.compound = m
    return firm


def _tenants(ctx: Context, m: Micro) -> list[Enterprise]:
    """Firms inside a building or small-park micro-grid, sharing its street number."""
    street = _street_of(ctx, m.face)
    number = ctx.number(street)
    counts = COUNTS["anchor_park"] if m.anchor else COUNTS[m.kind]
    area = m.metric.buffer(-2)
    out = []
    for k in range(ctx.rnd.randint(*counts)):
        if m.kind == "building":
            room = f"{ctx.rnd.randint(1, 24)}{ctx.rnd.randint(1, 30):02d}室"
            address = f"苏州工业园区{street}{number}号{m.name}{room}"
        else:
            address = f"苏州工业园区{street}{number}号{m.name}{k // 3 + 1}幢"
        fixed = {"grid": m.grid_code, "micro": m.code}
        out.append(make_firm(ctx, m.kind, point_in(area, ctx.rnd), address, **fixed))
    return out


def _street_firms(ctx: Context, face: Face, micros: list[Micro]) -> list[Enterprise]:
    """Firms of a block outside its micro-grids."""
    area: BaseGeometry = inset(face, 30.0)
    for m in micros:
        area = area.difference(m.metric.buffer(6))
    if area.is_empty or area.area < 2000:
        return []
    grid = ctx.h.grid_of_face(face)
    street = _street_of(ctx, face.index)
    out = []
    for _ in range(ctx.rnd.randint(*COUNTS["street"])):
        address = f"苏州工业园区{street}{ctx.number(street)}号"
        xy = point_in(area, ctx.rnd)
        out.append(make_firm(ctx, "street", xy, address, grid=grid.code))
    return out


def _edge_cases(ctx: Context, bends: list[int]) -> list[Enterprise]:
    """Two firms exactly on a vertex shared by exactly two grids."""
    h = ctx.h
    on: dict[int, list[str]] = {}
    for grid in h.grids:
        for node in sorted({n for ring in grid.rings for n in ring}):
            on.setdefault(node, []).append(grid.code)
    border = [
        n for n, codes in sorted(on.items()) if len(codes) == 2 and codes[0][:12] != codes[1][:12]
    ]
    out = []
    for node in (bends[0], ctx.rnd.choice(border)):
        assert len(on[node]) == 2
        street = _street_of(ctx, next(f.index for f in h.faces if node in f.rings[0]))
        address = f"苏州工业园区{street}{ctx.number(street)}号"
        firm = make_firm(ctx, "street", h.graph.xy[node], address, grid=min(on[node]))
        firm.ll = h.graph.ll[node]  # exactly the shared vertex
        firm.tags.append("on_grid_edge")
        out.append(firm)
    return out


def _orphans(ctx: Context, pond: Polygon) -> list[Enterprise]:
    """Firms geocoded outside the park but inside its bounding box: the lake, the pond."""
    park = ctx.h.park.metric
    minx, miny, maxx, maxy = park.bounds
    outside = Polygon([(minx, miny), (maxx, miny), (maxx, maxy), (minx, maxy)])
    outside = outside.difference(park.buffer(40))
    lake = outside.intersection(Polygon([(minx, miny), (minx + 400, miny), (minx + 400, maxy)]))
    lake = lake.union(
        outside.intersection(Polygon([(minx, maxy), (minx + 400, maxy), (minx, miny)]))
    )
    spots = [point_in(lake, ctx.rnd) for _ in range(3)]
    spots.append((pond.centroid.x, pond.centroid.y))
    out = []
    for xy in spots:
        near = min(ctx.h.faces, key=lambda f: f.metric.distance(Point(xy)))
        street = _street_of(ctx, near.index)
        firm = make_firm(ctx, "street", xy, f"苏州工业园区{street}{ctx.number(street)}号")
        firm.tags.append("orphan")
        out.append(firm)
    return out


def make_enterprises(
    h: Hierarchy, micros: list[Micro], bends: list[int], brands: Brands, phones: Phones
) -> list[Enterprise]:
    """All enterprises, in grid, micro-grid and code order."""
    ctx = Context(h, rng("enterprises"), brands, phones=phones)
    firms: list[Enterprise] = []
    for m in micros:
        if m.kind == "enterprise":
            firms.append(_compound_firm(ctx, m))
        else:
            firms.extend(_tenants(ctx, m))
    for face in h.faces:
        if face.use != "public":
            firms.extend(_street_firms(ctx, face, [m for m in micros if m.face == face.index]))
    firms.extend(_edge_cases(ctx, bends))
    pond = next(f for f in h.faces if len(f.rings) > 1).metric.interiors[0]
    firms.extend(_orphans(ctx, Polygon(pond)))
    html = next(f for f in firms if f.setting == "building")
    html.name, html.industry, html.industry_detail = HTML_NAME, "I", "I65 软件和信息技术服务业"
    html.tags.append("html_name")
    return sorted(firms, key=lambda f: (f.grid_code or "~", f.microgrid_code or "", f.uscc))


def compound_geometry(firm: Enterprise) -> MultiPolygon | None:
    """The compound of a firm in lon/lat (its enterprise micro-grid's polygon)."""
    return firm.compound.geom if firm.compound else None
