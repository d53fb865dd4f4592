"""A planar graph of street centrelines and fences, its faces, and exact unions of faces.

Every polygon of the hierarchy (park, community, grid) is a union of faces of one graph, and
each union is traced from the graph's node list, never recomputed by an overlay: neighbours
therefore share the very same vertices (no T-junctions, no slivers), which is what makes the
partition exact in PostGIS.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shapely.geometry import MultiPolygon, Polygon

from demo_park.frame import lonlat

HalfEdge = tuple[int, int]
Ring = list[int]


@dataclass(frozen=True)
class Road:
    """The road attributes a street centreline edge carries (fences carry none)."""

    name: str
    road_class: str
    lanes: int
    width_m: float
    speed_kmh: float


@dataclass
class PlanarGraph:
    """Nodes (metric and rounded lon/lat), edges with their road, and the tag left of each."""

    xy: list[tuple[float, float]] = field(default_factory=list)
    ll: list[tuple[float, float]] = field(default_factory=list)
    edges: dict[HalfEdge, Road | None] = field(default_factory=dict)
    left: dict[HalfEdge, str] = field(default_factory=dict)

    def add_node(self, x: float, y: float) -> int:
        """A new node at metric (x, y); its lon/lat is rounded once, here."""
        self.xy.append((x, y))
        self.ll.append(lonlat(x, y))
        return len(self.xy) - 1

    def add_edge(self, u: int, v: int, road: Road | None, left: str, right: str) -> None:
        """An edge drawn u→v, with the region tags on its left and right."""
        assert (u, v) not in self.edges and (v, u) not in self.edges, (u, v)
        self.edges[(u, v)] = road
        self.left[(u, v)] = left
        self.left[(v, u)] = right

    def degree(self) -> dict[int, int]:
        """Number of edges at each node."""
        counts: dict[int, int] = {}
        for u, v in self.edges:
            counts[u] = counts.get(u, 0) + 1
            counts[v] = counts.get(v, 0) + 1
        return counts


def _angle(graph: PlanarGraph, a: int, b: int) -> float:
    (ax, ay), (bx, by) = graph.xy[a], graph.xy[b]
    return math.atan2(by - ay, bx - ax)


def _turn(graph: PlanarGraph, arrived: HalfEdge, options: Sequence[int]) -> int:
    """The option leaving `arrived[1]` that turns most to the left (smallest clockwise angle
    from the way back), which keeps the face being traced on the left."""
    a, b = arrived
    back = _angle(graph, b, a)
    best, best_turn = options[0], math.inf
    for c in options:
        turn = (back - _angle(graph, b, c)) % (2 * math.pi)
        if c == a:
            turn = 2 * math.pi
        if turn < best_turn:
            best, best_turn = c, turn
    return best


def signed_area(graph: PlanarGraph, ring: Ring) -> float:
    """Shoelace area of a node ring in m², positive when counter-clockwise."""
    pts = [graph.xy[n] for n in ring]
    total = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2.0


def _trace(graph: PlanarGraph, half_edges: Iterable[HalfEdge]) -> list[Ring]:
    """Chain half-edges into rings, turning most to the left at each node."""
    remaining = sorted(half_edges)
    outgoing: dict[int, list[int]] = {}
    for a, b in remaining:
        outgoing.setdefault(a, []).append(b)
    used: set[HalfEdge] = set()
    rings: list[Ring] = []
    for start in remaining:
        if start in used:
            continue
        ring, edge = [], start
        while edge not in used:
            used.add(edge)
            ring.append(edge[0])
            edge = (edge[1], _turn(graph, edge, outgoing[edge[1]]))
        assert edge == start, "half-edges do not close into rings"
        rings.append(ring)
    return rings


def faces(graph: PlanarGraph) -> list[Ring]:
    """The bounded faces of the graph as counter-clockwise node rings."""
    both = [*graph.edges, *((v, u) for u, v in graph.edges)]
    return [ring for ring in _trace(graph, both) if signed_area(graph, ring) > 0]


def face_tag(graph: PlanarGraph, ring: Ring) -> list[str]:
    """The region tags found left of a face's half-edges, most specific (fence) first."""
    tags = {graph.left[(a, b)] for a, b in zip(ring, ring[1:] + ring[:1], strict=True)}
    tags.discard("")
    return sorted(tags, key=lambda t: (not t.startswith("D"), t))


def union_rings(graph: PlanarGraph, rings: Iterable[Ring]) -> list[Ring]:
    """The boundary rings of a union of faces (shells CCW, holes CW), traced on the graph."""
    half: set[HalfEdge] = set()
    for ring in rings:
        half.update(zip(ring, ring[1:] + ring[:1], strict=True))
    boundary = [(a, b) for a, b in half if (b, a) not in half]
    return _trace(graph, boundary)


def to_multipolygon(graph: PlanarGraph, rings: Sequence[Ring], *, metric: bool) -> MultiPolygon:
    """Rings (shells CCW, holes CW) as a MultiPolygon in metric or rounded lon/lat."""
    coords = graph.xy if metric else graph.ll
    shells = [r for r in rings if signed_area(graph, r) > 0]
    holes = [r for r in rings if signed_area(graph, r) < 0]
    shell_polys = [Polygon([graph.xy[n] for n in r]) for r in shells]
    parts: list[Polygon] = []
    for shell, poly in zip(shells, shell_polys, strict=True):
        inner = [h for h in holes if poly.contains(Polygon([graph.xy[n] for n in h]))]
        ring_coords = [coords[n] for n in _rotate(shell)]
        parts.append(Polygon(ring_coords, [[coords[n] for n in _rotate(h)] for h in inner]))
    return MultiPolygon(parts)


def _rotate(ring: Ring) -> Ring:
    """The ring started at its smallest node id, so output does not depend on trace order."""
    k = ring.index(min(ring))
    return ring[k:] + ring[:k]
