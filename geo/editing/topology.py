"""Topology-safe boundary edits on shapes alone (no database): snap, reshape, split, merge.

Every function takes the community's live grids as ``{code: shape}`` (EPSG:4326) and returns
new shapes computed on one precision grid (`PRECISION`), so neighbours share exact
coordinates. The rules are DESIGN §4: a reshaped grid takes what it gains from its neighbours;
each released piece goes to the neighbour sharing the longest border with it; vertices within
the tolerance snap to the neighbours' vertices and edges; slivers are absorbed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from geo.editing.measure import PRECISION, Local, local_for, pieces, polygonal, union
from geo.errors import InvalidGeometry, InvalidInput

Shapes = dict[str, MultiPolygon]


def snap_to(shape: BaseGeometry, reference: BaseGeometry, tolerance: float) -> BaseGeometry:
    """`shape` with each vertex within `tolerance` (degrees) of `reference` moved onto it.

    A vertex goes to the nearest reference vertex when one is that close, else to the nearest
    point of a reference edge; then reference vertices near `shape`'s edges are inserted.

    >>> from shapely import box
    >>> snap_to(box(0, 0, 0.999, 1), box(1, 0, 2, 1), 0.01).bounds
    (0.0, 0.0, 1.0, 1.0)
    """
    if tolerance <= 0 or reference.is_empty or shape.is_empty:
        return shape
    edges = lines_of(reference)
    corners = shapely.points(np.unique(shapely.get_coordinates(reference), axis=0))
    tree = shapely.STRtree(corners)

    def move(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        for i, xy in enumerate(coords):
            point = Point(xy)
            near = tree.query_nearest(point, max_distance=tolerance)
            if len(near):
                out[i] = shapely.get_coordinates(corners[near[0]])[0]
            elif edges.distance(point) <= tolerance:
                out[i] = shapely.get_coordinates(edges.interpolate(edges.project(point)))[0]
        return out

    moved = shapely.transform(shape, move)
    return shapely.snap(moved, reference, tolerance)


def lines_of(geom: BaseGeometry) -> MultiLineString:
    """Every edge of `geom` (polygon rings, lines) as one MultiLineString."""
    lines: list[LineString] = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "GeometryCollection":
            lines.extend(lines_of(part).geoms)
            continue
        if part.geom_type in ("Polygon", "MultiPolygon"):
            part = shapely.boundary(part)
        lines.extend(LineString(p.coords) for p in shapely.get_parts(part) if not p.is_empty)
    return MultiLineString(lines)


def reshape(
    community: BaseGeometry,
    grids: Mapping[str, MultiPolygon],
    code: str,
    shape: BaseGeometry,
    *,
    snap_m: float,
) -> Shapes:
    """The community's grids after grid `code` is redrawn as `shape` (DESIGN §4).

    The new shape is clipped to the community and snapped to the other grids; what it gains is
    taken from its neighbours; each released piece goes to the neighbour sharing the longest
    border with it; slivers are absorbed. Raises InvalidInput when a released piece touches no
    neighbour or a neighbour would vanish.
    """
    local = local_for(community)
    others = {c: g for c, g in grids.items() if c != code}
    # every grid's own edges (a union would dissolve the borders between neighbours)
    reference = lines_of(shapely.GeometryCollection([*others.values(), community]))
    drawn = polygonal(snap_to(polygonal(shape), reference, local.degrees(snap_m)))
    new = polygonal(shapely.intersection(drawn, community, grid_size=PRECISION))
    if new.is_empty or local.is_sliver(new):
        raise InvalidGeometry(
            f"新边界在社区内几乎没有面积 / the new boundary of grid {code} has (almost) no area "
            "inside its community"
        )
    result: Shapes = {code: new}
    touched = {code}
    for other, geom in others.items():
        if not geom.relate_pattern(new, "2********"):
            result[other] = geom  # untouched: its exact coordinates are kept
            continue
        touched.add(other)
        left = polygonal(shapely.difference(geom, new, grid_size=PRECISION))
        if left.is_empty or local.is_sliver(left):
            raise InvalidInput(
                f"新边界会吞并整个网格 {other}，请改用合并 / the new boundary would swallow all of "
                f"grid {other}; merge the grids instead",
                detail={"grid": other},
            )
        result[other] = left
    released = shapely.difference(grids[code], new, grid_size=PRECISION)
    for piece in pieces(released):
        owner = longest_border(local, piece, result, exclude=code)
        if owner is None:
            raise InvalidInput(
                f"网格 {code} 让出的一块区域不与任何相邻网格相接，无法分配 / a piece that grid "
                f"{code} gives up touches no neighbouring grid, so it cannot be handed over",
                detail={"piece": shapely.geometry.mapping(piece)},
            )
        result[owner] = union([result[owner], piece])
        touched.add(owner)
    return absorb_slivers(local, result, changed=touched)


def longest_border(
    local: Local, piece: BaseGeometry, grids: Mapping[str, BaseGeometry], *, exclude: str
) -> str | None:
    """The grid (not `exclude`) sharing the longest border with `piece`; ties: lowest code."""
    best: tuple[float, str] | None = None
    for code in sorted(grids):
        if code == exclude:
            continue
        length = local.shared_border_m(piece, grids[code])
        if length > 0 and (best is None or length > best[0]):
            best = (length, code)
    return None if best is None else best[1]


def absorb_slivers(local: Local, grids: Shapes, *, changed: set[str]) -> Shapes:
    """Hand each sliver part of a changed grid to the neighbour sharing its longest border.

    A grid's only part is never taken from it (that would delete the grid).
    """
    result = dict(grids)
    for code in sorted(changed):
        parts = pieces(result[code])
        keep = [p for p in parts if not local.is_sliver(p)]
        if not keep:
            continue
        for part in parts:
            if not local.is_sliver(part):
                continue
            owner = longest_border(local, part, result, exclude=code)
            if owner is None:
                continue
            result[owner] = union([result[owner], part])
            changed = changed | {owner}
            keep_now = [p for p in pieces(result[code]) if not p.equals(part)]
            result[code] = union(keep_now) if keep_now else result[code]
    return {
        c: polygonal(shapely.set_precision(g, PRECISION)) if c in changed else g
        for c, g in result.items()
    }


def split(grid: MultiPolygon, line: BaseGeometry, *, snap_m: float) -> list[MultiPolygon]:
    """The pieces of `grid` cut by `line`, in no particular order (at least two).

    The line's vertices snap to the grid's boundary; parts of a multi-part grid that the line
    does not cut go with the nearest cut piece; sliver pieces join their longest-border piece.
    """
    if line.geom_type not in ("LineString", "MultiLineString") or line.is_empty:
        raise InvalidGeometry("拆分线须为线 / the split line must be a LineString")
    local = local_for(grid)
    snapped = snap_to(line, shapely.boundary(grid), local.degrees(snap_m))
    edges = shapely.union(shapely.boundary(grid), snapped, grid_size=PRECISION)
    faces = [
        f
        for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
        if grid.contains(f.representative_point())
    ]
    cut = [f for f in faces if f.boundary.intersection(snapped.buffer(PRECISION)).length > 0]
    if len(cut) < 2:
        raise InvalidInput("拆分线没有把网格完整切开 / the line does not cut the grid in two")
    groups: dict[int, list[BaseGeometry]] = {i: [f] for i, f in enumerate(cut)}
    for face in faces:
        if not any(face is f for f in cut):
            nearest = min(range(len(cut)), key=lambda i: cut[i].distance(face))
            groups[nearest].append(face)
    shapes = {str(i): union(g) for i, g in groups.items()}
    shapes = absorb_slivers(local, shapes, changed=set(shapes))
    solid = [s for s in shapes.values() if not local.is_sliver(s)]
    if len(solid) < 2:
        raise InvalidInput(
            "拆分后只有一块有面积的网格 / the line cuts off only slivers; draw it across the grid"
        )
    return [polygonal(s) for s in shapes.values() if not s.is_empty and s in solid]


def merge(grids: Mapping[str, MultiPolygon]) -> MultiPolygon:
    """The union of adjacent grids; InvalidInput naming the grids that touch none of the others."""
    codes = sorted(grids)
    if len(codes) < 2:
        raise InvalidInput("合并至少需要两个网格 / a merge needs at least two grids")
    local = local_for(union(grids.values()))
    joined = {codes[0]}
    growing = True
    while growing:
        growing = False
        for code in codes:
            if code in joined:
                continue
            if any(local.shared_border_m(grids[code], grids[j]) > 0 for j in joined):
                joined.add(code)
                growing = True
    apart = [c for c in codes if c not in joined]
    if apart:
        raise InvalidInput(
            f"网格 {'、'.join(apart)} 与其余网格不相邻，不能合并 / grids {', '.join(apart)} share "
            "no border with the others and cannot be merged",
            detail={"not_adjacent": apart},
        )
    return union(grids.values())


def as_line(coords: list[tuple[float, float]]) -> LineString:
    """A line from coordinates (for tests and callers that have bare coordinates)."""
    return LineString(coords)
