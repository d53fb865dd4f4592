"""The routable road layer (segments between junctions) and the utility networks along it."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any

from shapely.geometry import LineString

from demo_park.frame import rng, to_lonlat
from demo_park.planar import PlanarGraph, Road

ONEWAYS = 6


@dataclass
class Segment:
    """A road segment from junction to junction, drawn in its (one-way) direction."""

    nodes: list[int]
    road: Road
    oneway: bool = False


@dataclass
class Line:
    """A network line: kind, name, operator, attributes and lon/lat geometry."""

    kind: str
    name: str
    operator: str
    attributes: dict[str, Any]
    geom: LineString


def _road_edges(graph: PlanarGraph) -> dict[tuple[int, int], Road]:
    return {e: r for e, r in graph.edges.items() if r is not None}


def _breaks(edges: dict[tuple[int, int], Road]) -> set[int]:
    """Nodes where a segment must end: junctions, dead ends, and changes of road."""
    at: dict[int, list[Road]] = {}
    for (u, v), road in edges.items():
        at.setdefault(u, []).append(road)
        at.setdefault(v, []).append(road)
    return {n for n, roads in at.items() if len(roads) != 2 or roads[0] != roads[1]}


def _fence_only(graph: PlanarGraph) -> set[int]:
    """Nodes no road touches (the bends of fences)."""
    on_road = {n for e, r in graph.edges.items() if r is not None for n in e}
    return {n for e in graph.edges for n in e} - on_road


def segments(graph: PlanarGraph) -> list[Segment]:
    """Road edges chained through plain vertices into junction-to-junction segments."""
    edges = _road_edges(graph)
    breaks = _breaks(edges)
    after = {u: v for u, v in edges if u not in breaks}
    before = {v: u for u, v in edges if v not in breaks}
    assert len(after) == len(before) == len(set(graph.degree()) - breaks - _fence_only(graph))
    done: set[tuple[int, int]] = set()
    out = []
    for u, v in sorted(edges):
        if (u, v) in done:
            continue
        nodes = [u, v]
        while nodes[0] in before and nodes[0] not in breaks:
            nodes.insert(0, before[nodes[0]])
        while nodes[-1] in after and nodes[-1] not in breaks:
            nodes.append(after[nodes[-1]])
        done.update(itertools.pairwise(nodes))
        out.append(Segment(nodes, edges[(u, v)]))
    _one_ways(out, rng("oneway"))
    return out


def _one_ways(segs: list[Segment], rnd: random.Random) -> None:
    """A few short local streets become one-way (some against their drawing direction)."""
    local = [s for s in segs if s.road.road_class == "local" and len(s.nodes) == 2]
    for seg in rnd.sample(local, ONEWAYS):
        seg.oneway = True
        if rnd.random() < 0.5:
            seg.nodes.reverse()


def metric_line(graph: PlanarGraph, seg: Segment) -> LineString:
    """A segment's centreline in metres."""
    return LineString([graph.xy[n] for n in seg.nodes])


# kind: (name suffix, operator, offset from the centreline as a share of half the width)
UTILITIES = {
    "water": ("给水管", "园区供水公司", 0.8),
    "power": ("电力电缆", "园区供电公司", -0.8),
    "telecom": ("通信管道", "", -0.6),
    "sewage": ("污水管", "园区排水公司", 0.3),
    "gas": ("燃气管", "园区燃气公司", 0.55),
}
TELECOM = ["中国电信园区分公司", "中国移动园区分公司", "中国联通园区分公司"]
MAIN = {"arterial": 0, "secondary": 1, "local": 2}  # index into the per-class tuples below


def _attributes(kind: str, road_class: str) -> dict[str, Any]:
    """Typical pipe or cable attributes under a road of a class (arterial, secondary, local)."""
    k = MAIN[road_class]
    if kind == "water":
        return {"diameter_mm": (600, 400, 200)[k], "material": "球墨铸铁管", "pressure_mpa": 0.35}
    if kind == "power":
        return {"voltage_kv": (110, 20, 20)[k], "laying": "电缆排管", "circuits": (4, 2, 2)[k]}
    if kind == "telecom":
        return {"ducts": (12, 6, 6)[k], "cable": "光缆", "fibres": 144}
    if kind == "sewage":
        return {"diameter_mm": (1000, 800, 500)[k], "material": "钢筋混凝土管", "system": "污水"}
    return {
        "pressure": ("中压A", "中压B", "低压")[k],
        "pressure_mpa": (0.4, 0.2, 0.01)[k],
        "diameter_mm": (300, 200, 110)[k],
        "material": ("钢管", "钢管", "PE管")[k],
    }


def _kinds(road: Road, rnd: random.Random) -> list[str]:
    """Every road carries water, power, telecom and sewage; gas under half the local ones."""
    gas = road.road_class != "local" or rnd.random() < 0.5
    return ["water", "power", "telecom", "sewage", *(["gas"] if gas else [])]


def networks(graph: PlanarGraph, segs: list[Segment]) -> list[Line]:
    """Utility lines under each road, offset from the centreline, in lon/lat."""
    rnd = rng("networks")
    out = []
    for seg in segs:
        centre = metric_line(graph, seg)
        half = seg.road.width_m / 2
        for kind in _kinds(seg.road, rnd):
            suffix, operator, share = UTILITIES[kind]
            geom = to_lonlat(centre.offset_curve(share * half, join_style="mitre"))
            assert isinstance(geom, LineString)
            attributes = _attributes(kind, seg.road.road_class)
            name = seg.road.name + suffix
            out.append(Line(kind, name, operator or rnd.choice(TELECOM), attributes, geom))
    return sorted(out, key=lambda n: (n.kind, n.name, n.geom.coords[0]))
