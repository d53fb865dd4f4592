"""Street lines of the demo park and the planar graph drawn from them and the lattice plan.

North-south lines are 街 (streets), east-west lines 路/大道 (roads), as in Suzhou Industrial
Park. Every fourth north-south and every third east-west line is an arterial; the western
line follows the east shore of Jinji Lake (金鸡湖).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from demo_park.frame import rng
from demo_park.plan import NX, NY, SHORE_FRACS, CellPlan, Split
from demo_park.planar import PlanarGraph, Road

COL_W, ROW_H = 525.0, 500.0
WEST_X = 250.0
NS_ARTERIALS = ["星港街", "星湖街", "星华街", "星龙街", "星塘街"]
NS_OTHERS = ["翠微街", "华池街", "钟南街", "东振街", "方浜街", "凤里街"]
NS_OTHERS += ["金厍街", "东景街", "胜浦街", "淞北街", "汀兰街", "青丘街"]
EW_ARTERIALS = ["阳澄湖大道", "苏虹东路", "现代大道", "金鸡湖大道", "苏州大道东"]
EW_OTHERS = ["港田路", "东旺路", "展业路", "苏绣路", "东长路", "淞江路", "方洲路", "唯新路"]
SPLIT_EW = ["兴浦路", "翠园路", "华云路", "瑞林路", "锦溪路", "泰和路", "裕新路", "康华路"]
SPLIT_EW += ["澄湾路", "启月路", "明珠路", "云梨路", "新昌路", "汇仁路", "丰和路", "景桥路"]
SPLIT_EW += ["恒润路", "华林路", "东富路", "和顺路", "永安路", "裕丰路", "春晖路", "秋实路"]
SPLIT_NS = ["嘉瑞街", "安民街", "祥和街", "鸿禧街", "若水街", "兴贤街", "金埠街", "通园街"]
SPLIT_NS += ["沁苑街", "长阳街", "葑谊街", "独墅街", "斜塘街", "莲花街", "玲珑街", "东湖街"]
SPLIT_NS += ["凤凰街", "金浦街", "银胜街", "青秋街", "碧波街", "荷风街", "枫林街", "桂香街"]
FENCE_BEND_M = 12.0


@dataclass(frozen=True)
class Wave:
    """A gentle sideways wave of a line: offset = amp * sin(2π t / length + phase)."""

    amp: float
    length: float
    phase: float

    def at(self, t: float) -> float:
        """The sideways offset at position t along the line."""
        return self.amp * math.sin(2 * math.pi * t / self.length + self.phase)


@dataclass
class Lines:
    """Base positions, waves and roads of the north-south and east-west lines."""

    xs: list[float]
    ys: list[float]
    ns_wave: list[Wave]
    ew_wave: list[Wave]
    ns_road: list[Road]
    ew_road: list[Road]

    def x_at(self, i: int, y: float) -> float:
        """x of north-south line i at height y (line 0 is the lake shore)."""
        x = self.xs[i] + self.ns_wave[i].at(y)
        if i == 0:
            x += 45.0 * math.sin(2 * math.pi * y / 900.0 + 2.0)
        return x

    def y_at(self, j: int, x: float) -> float:
        """y of east-west line j at x."""
        return self.ys[j] + self.ew_wave[j].at(x)

    def junction(self, i: int, j: int) -> tuple[float, float]:
        """Where line i crosses line j (fixed-point iteration; the waves are gentle)."""
        x, y = self.xs[i], self.ys[j]
        for _ in range(8):
            y = self.y_at(j, x)
            x = self.x_at(i, y)
        return x, y


def line_road(name: str, road_class: str, rnd: random.Random) -> Road:
    """Road attributes of a whole line by class (widths are red-line widths)."""
    if road_class == "arterial":
        lanes = rnd.choice([6, 6, 8])
        return Road(name, "arterial", lanes, 34.0 if lanes == 6 else 40.0, 60.0)
    if road_class == "secondary":
        return Road(name, "secondary", 4, rnd.choice([20.0, 24.0]), 40.0)
    return Road(name, "local", 2, rnd.choice([12.0, 14.0, 16.0]), 30.0)


def _classes(count: int, every: int, secondary: int) -> list[str]:
    out = []
    for k in range(count):
        if k in (0, count - 1) or k % every == 0:
            out.append("arterial")
        else:
            out.append("secondary" if k % every == secondary else "local")
    return out


def _roads(
    classes: list[str], arterials: list[str], others: list[str], rnd: random.Random
) -> list[Road]:
    art, oth = iter(arterials), iter(others)
    return [line_road(next(art) if c == "arterial" else next(oth), c, rnd) for c in classes]


def make_lines() -> Lines:
    """The lines of the park, from the 'streets' random stream."""
    rnd = rng("streets")
    xs = [WEST_X + i * COL_W + (rnd.uniform(-50, 50) if 0 < i < NX else 0) for i in range(NX + 1)]
    ys = [(NY - j) * ROW_H + (rnd.uniform(-40, 40) if 0 < j < NY else 0) for j in range(NY + 1)]
    ns_cls, ew_cls = _classes(NX + 1, 4, 2), _classes(NY + 1, 3, 2)

    def wave(cls: str) -> Wave:
        amp = 0.0 if cls == "arterial" else rnd.uniform(0, 18)
        return Wave(amp, rnd.uniform(2500, 6000), rnd.uniform(0, 2 * math.pi))

    ns_wave = [wave(c) for c in ns_cls]
    ns_wave[0] = Wave(120.0, 2600.0, 0.6)
    ew_wave = [wave(c) for c in ew_cls]
    ns_road = _roads(ns_cls, NS_ARTERIALS, NS_OTHERS, rnd)
    ns_road[0] = Road(ns_road[0].name, "arterial", 6, 32.0, 50.0)
    ew_road = _roads(ew_cls, EW_ARTERIALS, EW_OTHERS, rnd)
    return Lines(xs, ys, ns_wave, ew_wave, ns_road, ew_road)


def cell_tag(i: int, j: int) -> str:
    """Region tag of block (i, j); '' outside the lattice."""
    return f"C{i:02d}_{j:02d}" if 0 <= i < NX and 0 <= j < NY else ""


@dataclass
class Drawing:
    """The graph being drawn plus the nodes put along lattice segments."""

    graph: PlanarGraph
    lines: Lines
    base: dict[tuple[int, int], int]
    extras: dict[tuple[str, int, int], list[tuple[float, int]]]

    def on_segment(self, seg: tuple[str, int, int], frac: float) -> int:
        """The node at `frac` along lattice segment `seg` (created once)."""
        for f, node in self.extras.get(seg, []):
            if f == frac:
                return node
        axis, i, j = seg
        if axis == "ns":
            (_, ya), (_, yb) = (
                self.graph.xy[self.base[(i, j)]],
                self.graph.xy[self.base[(i, j + 1)]],
            )
            y = ya + frac * (yb - ya)
            node = self.graph.add_node(self.lines.x_at(i, y), y)
        else:
            (xa, _), (xb, _) = (
                self.graph.xy[self.base[(i, j)]],
                self.graph.xy[self.base[(i + 1, j)]],
            )
            x = xa + frac * (xb - xa)
            node = self.graph.add_node(x, self.lines.y_at(j, x))
        self.extras.setdefault(seg, []).append((frac, node))
        return node


def _draw_split(d: Drawing, split: Split, road: Road) -> None:
    (i0, j0), (i1, j1) = split.cells[0], split.cells[-1]
    if split.axis == "ew":
        nodes = [d.on_segment(("ns", i, j0), split.frac) for i in range(i0, i1 + 2)]
    else:
        nodes = [d.on_segment(("ew", i0, j), split.frac) for j in range(j0, j1 + 2)]
    for k, (u, v) in enumerate(itertools.pairwise(nodes)):
        cell = split.cells[k]
        d.graph.add_edge(u, v, road, cell_tag(*cell), cell_tag(*cell))


def _draw_fence(d: Drawing, cell: tuple[int, int], frac: float) -> int:
    """A fence west→east across a block; north of it is a dedicated grid. Returns its bend."""
    i, j = cell
    west = d.on_segment(("ns", i, j), frac)
    east = d.on_segment(("ns", i + 1, j), frac)
    (xa, ya), (xb, yb) = d.graph.xy[west], d.graph.xy[east]
    bend = d.graph.add_node((xa + xb) / 2, (ya + yb) / 2 + FENCE_BEND_M)
    north, south = f"D{i:02d}_{j:02d}", cell_tag(i, j)
    d.graph.add_edge(west, bend, None, north, south)
    d.graph.add_edge(bend, east, None, north, south)
    return bend


def _draw_lattice(d: Drawing, merges: set[tuple[str, int, int]]) -> None:
    """Chain every lattice segment (with the nodes put along it) into edges."""
    for i in range(NX + 1):
        for j in range(NY):
            if ("ns", i, j) in merges:
                continue
            chain = [d.base[(i, j)], *_along(d, ("ns", i, j)), d.base[(i, j + 1)]]
            for u, v in itertools.pairwise(chain):  # southward: east is on the left
                d.graph.add_edge(u, v, d.lines.ns_road[i], cell_tag(i, j), cell_tag(i - 1, j))
    for j in range(NY + 1):
        for i in range(NX):
            if ("ew", i, j) in merges:
                continue
            chain = [d.base[(i, j)], *_along(d, ("ew", i, j)), d.base[(i + 1, j)]]
            for u, v in itertools.pairwise(chain):  # eastward: north is on the left
                d.graph.add_edge(u, v, d.lines.ew_road[j], cell_tag(i, j - 1), cell_tag(i, j))


def _along(d: Drawing, seg: tuple[str, int, int]) -> list[int]:
    return [node for _, node in sorted(d.extras.get(seg, []))]


def draw(plan: CellPlan, lines: Lines) -> tuple[PlanarGraph, list[int]]:
    """The planar graph of streets and fences, and the bend node of each fence."""
    graph = PlanarGraph()
    base = {
        (i, j): graph.add_node(*lines.junction(i, j)) for j in range(NY + 1) for i in range(NX + 1)
    }
    d = Drawing(graph, lines, base, {})
    for j in range(NY):
        for frac in SHORE_FRACS:
            d.on_segment(("ns", 0, j), frac)
    ew_names, ns_names = iter(SPLIT_EW), iter(SPLIT_NS)
    rnd = rng("split-roads")
    for split in plan.splits:
        name = next(ew_names) if split.axis == "ew" else next(ns_names)
        _draw_split(d, split, line_road(name, "local", rnd))
    bends = [_draw_fence(d, cell, frac) for cell, frac in plan.fences]
    _draw_lattice(d, set(plan.merges))
    return graph, bends


def pond_ring(graph: PlanarGraph, lines: Lines, plan: CellPlan) -> list[int]:
    """Nodes of the pond (a clockwise hole ring) in the middle of the pond block."""
    rnd = rng("pond")
    i, j = plan.pond
    corners = [lines.junction(a, b) for a in (i, i + 1) for b in (j, j + 1)]
    cx = sum(x for x, _ in corners) / 4
    cy = sum(y for _, y in corners) / 4
    ring = []
    for k in range(20):
        t = -2 * math.pi * k / 20  # clockwise
        r = 130.0 + 25.0 * math.sin(3 * t + 0.4) + rnd.uniform(-6, 6)
        ring.append(graph.add_node(cx + 1.2 * r * math.cos(t), cy + r * math.sin(t)))
    return ring
