"""Spatial checks on the written layers: exact partitions, nesting, assignment, routable roads."""

from __future__ import annotations

from collections import deque
from typing import Any

import shapely
from shapely import STRtree
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

Row = tuple[dict[str, Any], BaseGeometry | None]
Layers = dict[str, list[Row]]
ON_LINE_DEG = 1e-9  # about 0.1 mm


def _geoms(rows: list[Row]) -> list[BaseGeometry]:
    out = [g for _, g in rows]
    assert all(g is not None for g in out)
    return [g for g in out if g is not None]


def _pairs(geoms: list[BaseGeometry]) -> list[tuple[int, int]]:
    """Index pairs (a < b) of geometries that intersect."""
    left, right = STRtree(geoms).query(geoms, predicate="intersects")
    return [(int(a), int(b)) for a, b in zip(left, right, strict=True) if a < b]


def interiors_disjoint(geoms: list[BaseGeometry], label: str) -> None:
    """No two polygons share interior points (exact DE-9IM test, not an area threshold)."""
    for a, b in _pairs(geoms):
        assert not shapely.relate_pattern(geoms[a], geoms[b], "T********"), f"{label} {a}/{b}"


def no_t_junctions(geoms: list[BaseGeometry], label: str) -> None:
    """A vertex of one polygon on another's boundary is a vertex of that one too."""
    for a, b in _pairs(geoms):
        for one, other in ((geoms[a], geoms[b]), (geoms[b], geoms[a])):
            coords = shapely.get_coordinates(one)
            near = shapely.dwithin(shapely.points(coords), other.boundary, ON_LINE_DEG)
            theirs = {tuple(c) for c in shapely.get_coordinates(other)}
            missing = [tuple(c) for c in coords[near] if tuple(c) not in theirs]
            assert not missing, f"{label}: T-junction at {missing[:3]}"


def partitions(parts: list[BaseGeometry], whole: BaseGeometry, tol: float, label: str) -> None:
    """`parts` tile `whole`: same union, disjoint interiors, shared vertices."""
    union = shapely.unary_union(parts)
    assert shapely.symmetric_difference(union, whole).area < tol, f"{label}: gap or spill"
    interiors_disjoint(parts, label)
    no_t_junctions(parts, label)


def check_partition(layers: Layers, tol: float) -> float:
    """Communities tile the park, grids tile each community. Returns the share of grid
    boundary length that runs on a road centreline."""
    park = _geoms(layers["park"])[0]
    partitions(_geoms(layers["community"]), park, tol, "communities")
    for props, community in layers["community"]:
        mine = [g for p, g in layers["grid"] if p["community_code"] == props["code"]]
        assert community is not None
        partitions([g for g in mine if g is not None], community, tol, props["code"])
    boundaries = shapely.unary_union([g.boundary for g in _geoms(layers["grid"])])
    roads = shapely.unary_union(_geoms(layers["road"])).buffer(1e-7)
    return float(boundaries.intersection(roads).length / boundaries.length)


def check_microgrids(layers: Layers) -> None:
    """Each micro-grid inside its grid; no two overlap."""
    grids = {p["code"]: g for p, g in layers["grid"]}
    for props, geom in layers["microgrid"]:
        assert geom is not None and geom.within(grids[props["grid_code"]]), props["code"]
    interiors_disjoint(_geoms(layers["microgrid"]), "microgrids")


def _covering(rows: list[Row], point: BaseGeometry) -> list[str]:
    return sorted(p["code"] for p, g in rows if g is not None and g.covers(point))


def check_enterprise_places(layers: Layers) -> dict[str, int]:
    """Points fall in the grid/micro-grid they name; edge cases are where they should be."""
    grid_tree = STRtree(_geoms(layers["grid"]))
    micro_tree = STRtree(_geoms(layers["microgrid"]))
    grid_codes = [p["code"] for p, _ in layers["grid"]]
    micro_codes = [p["code"] for p, _ in layers["microgrid"]]
    park = _geoms(layers["park"])[0]
    kinds = {"orphan": 0, "on_edge": 0}
    for props, point in layers["enterprise"]:
        grids = sorted(grid_codes[i] for i in grid_tree.query(point, predicate="covered_by"))
        micros = [micro_codes[i] for i in micro_tree.query(point, predicate="covered_by")]
        assert micros == ([props["microgrid_code"]] if props["microgrid_code"] else []), props
        if not grids:
            kinds["orphan"] += 1
            assert props["grid_code"] is None and not park.covers(point)
            assert box(*park.bounds).contains(point), props
            continue
        kinds["on_edge"] += len(grids) == 2
        assert len(grids) <= 2 and props["grid_code"] == grids[0], (props, grids)
    assert 3 <= kinds["orphan"] <= 5 and kinds["on_edge"] == 2, kinds
    for props, point in layers["enterprise"]:
        if props["compound_wkt"]:
            compound = shapely.from_wkt(props["compound_wkt"])
            assert shapely.is_valid(compound) and compound.contains(point), props["uscc"]
    assert any("<b>" in p["name"] for p, _ in layers["enterprise"])
    return kinds


def _ends(line: BaseGeometry) -> tuple[tuple[float, float], tuple[float, float]]:
    coords = shapely.get_coordinates(line)
    return (float(coords[0][0]), float(coords[0][1])), (float(coords[-1][0]), float(coords[-1][1]))


def _reaches_all(edges: list[tuple[Any, Any]], nodes: set[Any]) -> bool:
    after: dict[Any, list[Any]] = {}
    for a, b in edges:
        after.setdefault(a, []).append(b)
    start = min(nodes)
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in after.get(todo.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen == nodes


def check_roads(layers: Layers) -> None:
    """Segments meet only at shared end points; the network is strongly connected."""
    lines = _geoms(layers["road"])
    ends = {e for line in lines for e in _ends(line)}
    for line in lines:
        inner = shapely.get_coordinates(line)[1:-1]
        assert not any((float(x), float(y)) in ends for x, y in inner), "unsplit junction"
    for i, k in _pairs(lines):
        meet = shapely.get_coordinates(lines[i].intersection(lines[k]))
        shared = set(_ends(lines[i])) & set(_ends(lines[k]))
        assert all((float(x), float(y)) in shared for x, y in meet), "roads cross off a node"
    forward: list[tuple[Any, Any]] = []
    for (props, _), line in zip(layers["road"], lines, strict=True):
        a, b = _ends(line)
        forward.append((a, b))
        if not props["oneway"]:
            forward.append((b, a))
    backward = [(b, a) for a, b in forward]
    assert _reaches_all(forward, ends) and _reaches_all(backward, ends), "not strongly connected"
