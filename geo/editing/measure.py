"""Measuring shapes in metres near their latitude: areas, widths, shared borders, partitions.

Edits work in EPSG:4326 degrees; tolerances are given in metres. Near a latitude φ a degree of
longitude is 111 320·cos φ m and a degree of latitude 110 574 m, which is exact to well under
1 % over a community (a few km): enough for tolerances and sliver tests. Final partition checks
run in PostGIS on the ellipsoid (geo.hierarchy).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

# degrees (~1 µm): every edited shape is noded on this grid. Coarser grids (1e-9° ≈ 0.1 mm)
# would also move the untouched vertices that neighbours share, opening slivers of gap or
# overlap along long borders (0.05 m² per km); at 1e-11° that stays far below 0.01 m².
PRECISION = 1e-11
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0
MIN_AREA_M2 = 0.01  # overlaps and gaps below this are floating-point noise (geo.hierarchy)
SLIVER_AREA_M2 = 1.0  # a piece smaller than this is a sliver
SLIVER_WIDTH_M = 0.5  # ... and so is one whose mean width (area / half perimeter) is below this
TOUCH_M = 0.05  # borders shorter than this are touches at a point, not shared borders
NEAR_DEG = 1e-8  # ~1 mm: how close two edges must be to count as the same border


@dataclass(frozen=True)
class Local:
    """Metric scale factors at one latitude."""

    lat: float

    @property
    def kx(self) -> float:
        return M_PER_DEG_LON * math.cos(math.radians(self.lat))

    def metric(self, geom: BaseGeometry) -> BaseGeometry:
        """`geom` scaled to metres (axes along east and north)."""
        return affinity.scale(geom, xfact=self.kx, yfact=M_PER_DEG_LAT, origin=(0, 0))

    def area_m2(self, geom: BaseGeometry) -> float:
        """Area in m².

        >>> round(Local(0).area_m2(shapely.box(0, 0, 1e-5, 1e-5)), 2)
        1.23
        """
        return float(geom.area) * self.kx * M_PER_DEG_LAT

    def length_m(self, geom: BaseGeometry) -> float:
        """Length in metres."""
        return float(self.metric(geom).length)

    def degrees(self, metres: float) -> float:
        """A distance in metres as degrees of longitude (the larger of the two)."""
        return metres / self.kx

    def is_sliver(self, piece: BaseGeometry) -> bool:
        """A piece too small or too thin to be a grid of its own."""
        area = self.area_m2(piece)
        if area < SLIVER_AREA_M2:
            return True
        half_perimeter = self.length_m(piece.boundary) / 2
        return half_perimeter > 0 and area / half_perimeter < SLIVER_WIDTH_M

    def shared_border_m(self, piece: BaseGeometry, other: BaseGeometry) -> float:
        """Length (m) of `piece`'s boundary that runs along `other` (0 when they only touch)."""
        if other.is_empty or not piece.intersects(other.buffer(NEAR_DEG)):
            return 0.0
        along = shapely.intersection(piece.boundary, other.buffer(NEAR_DEG))
        length = self.length_m(along)
        return length if length > TOUCH_M else 0.0


def local_for(geom: BaseGeometry) -> Local:
    """The metric scale at the centre of `geom`."""
    return Local(float(geom.centroid.y) if not geom.is_empty else 0.0)


def polygonal(geom: BaseGeometry | None) -> MultiPolygon:
    """The polygonal part of `geom` as a valid MultiPolygon (empty when there is none)."""
    if geom is None or geom.is_empty:
        return MultiPolygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(p for p in part.geoms if not p.is_empty)
        elif part.geom_type == "GeometryCollection":
            polygons.extend(polygonal(part).geoms)
    return MultiPolygon(polygons)


def pieces(geom: BaseGeometry) -> list[Polygon]:
    """The polygons of `geom`."""
    return list(polygonal(geom).geoms)


def union(geoms: Iterable[BaseGeometry]) -> MultiPolygon:
    """The union of `geoms` on the editing precision grid."""
    items = [g for g in geoms if not g.is_empty]
    if not items:
        return MultiPolygon()
    return polygonal(shapely.union_all(items, grid_size=PRECISION))


@dataclass(frozen=True)
class PartitionProblem:
    """An overlap between two grids, or a gap in (or a part outside) the community."""

    kind: str  # grid_overlap | grid_gap | grid_outside_community
    code: str
    other_code: str | None
    area_m2: float


def partition_problems(
    community: BaseGeometry, grids: Mapping[str, BaseGeometry], *, min_area_m2: float = MIN_AREA_M2
) -> list[PartitionProblem]:
    """What keeps `grids` from partitioning `community` (areas above `min_area_m2`)."""
    local = local_for(community)
    found: list[PartitionProblem] = []
    codes = sorted(grids)
    tree = shapely.STRtree([grids[c] for c in codes])
    for i, code in enumerate(codes):
        for j in tree.query(grids[code]):
            if j <= i:
                continue
            area = local.area_m2(shapely.intersection(grids[code], grids[codes[j]]))
            if area >= min_area_m2:
                found.append(PartitionProblem("grid_overlap", code, codes[j], area))
        outside = local.area_m2(shapely.difference(grids[code], community))
        if outside >= min_area_m2:
            found.append(PartitionProblem("grid_outside_community", code, None, outside))
    gap = local.area_m2(shapely.difference(community, shapely.union_all(list(grids.values()))))
    if gap >= min_area_m2:
        found.append(PartitionProblem("grid_gap", "", None, gap))
    return found
