"""Block uses and micro-grids: public blocks (shelters), enterprise compounds, parks, buildings.

Micro-grids are laid out in slots of a block inset from the road centrelines, so each lies
well inside its grid and no two overlap; they need not cover the grid.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from demo_park.frame import rng, to_lonlat
from demo_park.hierarchy import Face, Hierarchy, in_reading_order
from demo_park.names import ANCHORS, BUILDING_SUFFIXES, PARK_SUFFIXES, Brands, detail_and_word

SETBACK_M = 26.0  # from the road centreline: half an arterial's width plus a verge
SLOT_GAP_M = 8.0
FOREIGN_COMPOUNDS = 8
PUBLIC_KINDS = ["school", "park_square", "stadium", "outdoor", "indoor"]
PUBLIC_PLAN = [4, 4, 1, 3, 3]  # how many public blocks of each kind (15 shelters)


@dataclass
class Micro:
    """A micro-grid: its block, kind, polygon (metric and lon/lat), naming parts and code."""

    face: int
    grid_code: str
    kind: str
    metric: Polygon
    geom: MultiPolygon
    brand: str
    word: str = ""
    detail: str = ""
    name: str = ""
    code: str = ""
    anchor: bool = False


def inset(face: Face, metres: float = SETBACK_M) -> Polygon:
    """The buildable part of a block: its polygon pulled in from the road centrelines."""
    shrunk = face.metric.buffer(-metres, join_style="mitre")
    if isinstance(shrunk, MultiPolygon):
        shrunk = max(shrunk.geoms, key=lambda p: p.area)
    assert isinstance(shrunk, Polygon)
    return shrunk


def choose_public(h: Hierarchy) -> dict[int, str]:
    """Blocks kept free of firms for schools, parks, squares and a stadium (shelter sites)."""
    minx, miny, maxx, maxy = h.park.metric.bounds
    targets = [
        (minx + (maxx - minx) * fx, miny + (maxy - miny) * fy)
        for fy in (0.83, 0.5, 0.17)
        for fx in (0.08, 0.25, 0.42, 0.58, 0.75, 0.92)
    ]
    kinds = [k for k, n in zip(PUBLIC_KINDS, PUBLIC_PLAN, strict=True) for _ in range(n)]
    rng("public").shuffle(kinds)
    pond = next(f for f in h.faces if f.use == "pond")
    chosen = {pond.index: "park_square"}
    kinds.remove("park_square")
    eligible = [f for f in h.faces if f.use in ("", "split-ew", "split-ns", "merge")]
    for tx, ty in targets:
        if len(chosen) == sum(PUBLIC_PLAN):
            break
        if Point(tx, ty).distance(pond.metric) < 1500:
            continue
        free = [f for f in eligible if f.index not in chosen]
        face = min(free, key=lambda f: f.metric.centroid.distance(Point(tx, ty)))
        chosen[face.index] = kinds.pop()
    for index in chosen:
        h.faces[index].use = "public"
    return chosen


def _slots(area: Polygon, rnd: random.Random) -> list[Polygon]:
    """Roughly 230 m x 210 m slots of a block that lie mostly inside it."""
    minx, miny, maxx, maxy = area.bounds
    nx, ny = max(1, round((maxx - minx) / 230)), max(1, round((maxy - miny) / 210))
    out = []
    for a in range(nx):
        for b in range(ny):
            cell = box(
                minx + (maxx - minx) * a / nx + SLOT_GAP_M,
                miny + (maxy - miny) * b / ny + SLOT_GAP_M,
                minx + (maxx - minx) * (a + 1) / nx - SLOT_GAP_M,
                miny + (maxy - miny) * (b + 1) / ny - SLOT_GAP_M,
            )
            part = cell.intersection(area)
            if isinstance(part, Polygon) and part.area >= 0.7 * cell.area:
                out.append(part)
    rnd.shuffle(out)
    return out


def _building(slot: Polygon, rnd: random.Random) -> Polygon:
    """An office building footprint inside a slot."""
    c = slot.centroid
    w, d = rnd.uniform(45, 80), rnd.uniform(25, 45)
    dx, dy = rnd.uniform(-30, 30), rnd.uniform(-30, 30)
    footprint = box(c.x + dx - w / 2, c.y + dy - d / 2, c.x + dx + w / 2, c.y + dy + d / 2)
    return (
        footprint
        if slot.buffer(-3).contains(footprint)
        else box(c.x - w / 2, c.y - d / 2, c.x + w / 2, c.y + d / 2)
    )


def _micro(face: Face, grid_code: str, kind: str, poly: Polygon, brand: str) -> Micro:
    return Micro(face.index, grid_code, kind, poly, _lonlat_multi(poly), brand)


def _lonlat_multi(poly: BaseGeometry) -> MultiPolygon:
    out = to_lonlat(MultiPolygon([poly]))
    assert isinstance(out, MultiPolygon)
    return out


def _dedicated(h: Hierarchy, face: Face) -> list[Micro]:
    grid = h.grid_of_face(face)
    assert grid.anchor is not None
    if grid.anchor[1]:  # a large enterprise: its compound, with a ring for small suppliers
        m = _micro(face, grid.code, "enterprise", inset(face, SETBACK_M + 25), grid.anchor[0])
        m.word, m.detail, m.anchor = grid.anchor[1], grid.anchor[2], True
        return [m]
    m = _micro(face, grid.code, "park", inset(face, SETBACK_M + 8), grid.anchor[0])
    m.anchor = True
    return [m]


def _ordinary(h: Hierarchy, face: Face, brands: Brands, rnd: random.Random) -> list[Micro]:
    grid = h.grid_of_face(face)
    out = []
    for slot in _slots(inset(face), rnd):
        if rnd.random() > 0.58:
            continue
        roll = rnd.random()
        if roll < 0.12:
            m = _micro(face, grid.code, "enterprise", slot, brands.next(rnd))
            m.detail, m.word = detail_and_word("C", rnd)
        elif roll < 0.45:
            m = _micro(face, grid.code, "park", slot, brands.next(rnd))
        else:
            m = _micro(face, grid.code, "building", _building(slot, rnd), brands.next(rnd))
        out.append(m)
    return out


def make_microgrids(h: Hierarchy, brands: Brands) -> list[Micro]:
    """All micro-grids, coded per grid in reading order and named."""
    rnd = rng("microgrids")
    micros: list[Micro] = []
    for face in h.faces:
        if face.use == "public":
            continue
        grid = h.grid_of_face(face)
        whole = grid.kind == "dedicated" and len(grid.faces) == 1
        micros.extend(_dedicated(h, face) if whole else _ordinary(h, face, brands, rnd))
    _foreign_compounds(h, micros, rnd)
    for grid in h.grids:
        mine = [m for m in micros if m.grid_code == grid.code]
        for n, m in enumerate(in_reading_order(mine, lambda m: m.geom), 1):
            m.code = f"{grid.code}{n:03d}"
            m.name = _micro_name(m, rnd)
    return sorted(micros, key=lambda m: m.code)


def _foreign_compounds(h: Hierarchy, micros: list[Micro], rnd: random.Random) -> None:
    """The anchors no dedicated grid took get ordinary compounds (foreign-invested firms)."""
    taken = {g.anchor[0] for g in h.grids if g.anchor}
    spare = [a for a in ANCHORS if a[0] not in taken][:FOREIGN_COMPOUNDS]
    compounds = [m for m in micros if m.kind == "enterprise" and not m.anchor]
    for m, (brand, word, detail) in zip(rnd.sample(compounds, len(spare)), spare, strict=True):
        m.brand, m.word, m.detail, m.anchor = brand, word, detail, True


def _micro_name(m: Micro, rnd: random.Random) -> str:
    if m.kind == "enterprise":
        return f"{m.brand}{m.word}厂区"
    if m.kind == "park":
        return m.brand if m.anchor else m.brand + rnd.choice(PARK_SUFFIXES)
    return m.brand + rnd.choice(BUILDING_SUFFIXES)
