"""The park's plan on a block lattice: communities, grid rectangles and what each block holds.

Blocks (cells) are indexed (i, j): column i west→east, row j north→south. Communities are
quadrants split along arterials; base grids are rectangles of 2-3 x 2-3 blocks; a few blocks
become dedicated grids (whole, or carved by a fence); some blocks of one grid merge (a local
road removed), some are split by a short local road, and one holds a pond (a hole).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from demo_park.frame import rng

NX, NY = 16, 12
EAST_FROM = 8  # first column of the eastern communities
NORTH_ROWS = {0: 6, 1: 5}  # rows of the northern community in the west (0) and east (1) half
WHOLE_DEDICATED = 3
FENCED_DEDICATED = 2
MERGES = 12
SPLITS = 26
FRAC_CHOICES = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65]
SHORE_FRACS = (0.25, 0.5, 0.75)

Cell = tuple[int, int]


@dataclass(frozen=True)
class Rect:
    """A base grid's rectangle of blocks in one community."""

    key: str
    community: int
    cols: range
    rows: range

    def cells(self) -> list[Cell]:
        """The blocks of the rectangle, row by row."""
        return [(i, j) for j in self.rows for i in self.cols]

    def corners(self) -> list[Cell]:
        """The four corner blocks."""
        return [
            (i, j) for j in (self.rows[0], self.rows[-1]) for i in (self.cols[0], self.cols[-1])
        ]


@dataclass(frozen=True)
class Split:
    """A short local road across one or two blocks: 'ew' runs west→east, 'ns' north→south."""

    axis: str
    cells: tuple[Cell, ...]
    frac: float


@dataclass
class CellPlan:
    """Everything decided on the lattice before any coordinate is drawn."""

    rects: list[Rect]
    grid_of: dict[Cell, str]
    use: dict[Cell, str]
    dedicated_purpose: dict[str, str] = field(default_factory=dict)
    fences: list[tuple[Cell, float]] = field(default_factory=list)
    merges: list[tuple[str, int, int]] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)
    pond: Cell = (0, 0)
    fracs: dict[tuple[str, int, int], list[float]] = field(default_factory=dict)


def community_of(cell: Cell) -> int:
    """Community index of a block: 0 north-west, 1 north-east, 2 south-west, 3 south-east."""
    east = int(cell[0] >= EAST_FROM)
    south = int(cell[1] >= NORTH_ROWS[east])
    return east + 2 * south


def _community_span(community: int) -> tuple[range, range]:
    east, south = community % 2, community // 2
    cols = range(EAST_FROM, NX) if east else range(0, EAST_FROM)
    rows = range(NORTH_ROWS[east], NY) if south else range(0, NORTH_ROWS[east])
    return cols, rows


def _parts(n: int, rnd: random.Random) -> list[int]:
    """A random composition of n into parts of 2 and 3 (twos preferred)."""
    parts: list[int] = []
    while n > 0:
        options = [k for k in (2, 3) if n - k >= 0 and n - k != 1]
        k = options[0] if len(options) == 1 else (2 if rnd.random() < 0.75 else 3)
        parts.append(k)
        n -= k
    return parts


def _slices(span: range, rnd: random.Random) -> list[range]:
    out, start = [], span.start
    for k in _parts(len(span), rnd):
        out.append(range(start, start + k))
        start += k
    return out


def make_rects(rnd: random.Random) -> list[Rect]:
    """Base grid rectangles: column groups per community, each with its own row groups."""
    rects: list[Rect] = []
    for community in range(4):
        cols, rows = _community_span(community)
        for col_group in _slices(cols, rnd):
            for row_group in _slices(rows, rnd):
                key = f"B{community}{len(rects):02d}"
                rects.append(Rect(key, community, col_group, row_group))
    return rects


def _free(plan: CellPlan, cell: Cell) -> bool:
    return plan.use.get(cell, "") == ""


def _take_frac(plan: CellPlan, segments: list[tuple[str, int, int]], rnd: random.Random) -> float:
    """A fraction along `segments` at least 0.12 from nodes already put there, or -1."""
    taken = [f for s in segments for f in plan.fracs.get(s, [])]
    options = [f for f in FRAC_CHOICES if all(abs(f - t) >= 0.12 for t in taken)]
    if not options:
        return -1.0
    frac = rnd.choice(options)
    for s in segments:
        plan.fracs.setdefault(s, []).append(frac)
    return frac


def _dedicate(plan: CellPlan, rnd: random.Random) -> None:
    """Whole-block dedicated grids at rectangle corners, then fence-carved ones."""
    order = [0, 1, 2, 3]
    rnd.shuffle(order)
    chosen: list[Rect] = []
    for n in range(WHOLE_DEDICATED + FENCED_DEDICATED):
        pool = [r for r in plan.rects if r.community == order[n % 4] and r not in chosen]
        chosen.append(rnd.choice(pool))
    for n, rect in enumerate(chosen):
        if n < WHOLE_DEDICATED:
            cell = rnd.choice(rect.corners())
            key = f"D{cell[0]:02d}_{cell[1]:02d}"
            plan.grid_of[cell] = key
            plan.use[cell] = "dedicated"
            plan.dedicated_purpose[key] = "enterprise"
            continue
        cells = rect.cells()
        rnd.shuffle(cells)
        for cell in cells:
            segments = [("ns", cell[0], cell[1]), ("ns", cell[0] + 1, cell[1])]
            frac = _take_frac(plan, segments, rnd)
            if frac >= 0:
                break
        assert frac >= 0, "no room for a fence"
        plan.use[cell] = "fence"
        plan.fences.append((cell, frac))
        purpose = "park" if n == len(chosen) - 1 else "enterprise"
        plan.dedicated_purpose[f"D{cell[0]:02d}_{cell[1]:02d}"] = purpose


def _place_pond(plan: CellPlan, rnd: random.Random) -> None:
    cols, rows = _community_span(1)
    inner = [(i, j) for j in rows for i in cols if 0 < i < NX - 1 and 0 < j < rows[-1]]
    cell = rnd.choice([c for c in inner if _free(plan, c)])
    plan.pond = cell
    plan.use[cell] = "pond"


def _merge(plan: CellPlan, rnd: random.Random) -> None:
    """Remove a few local road segments between blocks of one base grid."""
    candidates: list[tuple[str, int, int, Cell, Cell]] = []
    for (i, j), key in sorted(plan.grid_of.items()):
        if plan.grid_of.get((i + 1, j)) == key:
            candidates.append(("ns", i + 1, j, (i, j), (i + 1, j)))
        if plan.grid_of.get((i, j + 1)) == key:
            candidates.append(("ew", i, j + 1, (i, j), (i, j + 1)))
    rnd.shuffle(candidates)
    touched: set[tuple[int, int]] = set()
    for axis, i, j, a, b in candidates:
        ends = {(i, j), (i, j + 1)} if axis == "ns" else {(i, j), (i + 1, j)}
        if len(plan.merges) == MERGES or not (_free(plan, a) and _free(plan, b)) or ends & touched:
            continue
        plan.merges.append((axis, i, j))
        plan.use[a] = plan.use[b] = "merge"
        touched |= ends


def _split(plan: CellPlan, rnd: random.Random) -> None:
    """Short local roads across free blocks, some running on into the next block."""
    cells = [c for c in sorted(plan.grid_of) if _free(plan, c)]
    rnd.shuffle(cells)
    for cell in cells:
        if len(plan.splits) == SPLITS or not _free(plan, cell):
            continue
        axis = rnd.choice(["ew", "ns"])
        step = (1, 0) if axis == "ew" else (0, 1)
        after = (cell[0] + step[0], cell[1] + step[1])
        span = [cell, after] if after in plan.grid_of and _free(plan, after) else [cell]
        if len(span) == 2 and rnd.random() < 0.6:
            span = [cell]
        frac = _take_frac(plan, _crossed(axis, span), rnd)
        if frac < 0:
            continue
        plan.splits.append(Split(axis, tuple(span), frac))
        for c in span:
            plan.use[c] = f"split-{axis}"


def _crossed(axis: str, span: list[Cell]) -> list[tuple[str, int, int]]:
    """The lattice segments a split crosses (where its nodes go)."""
    if axis == "ew":
        j = span[0][1]
        return [("ns", i, j) for i in range(span[0][0], span[-1][0] + 2)]
    i = span[0][0]
    return [("ew", i, j) for j in range(span[0][1], span[-1][1] + 2)]


def make_plan() -> CellPlan:
    """The whole lattice plan, drawn from the 'plan' random stream."""
    rnd = rng("plan")
    rects = make_rects(rnd)
    grid_of = {cell: rect.key for rect in rects for cell in rect.cells()}
    plan = CellPlan(rects, grid_of, {})
    for j in range(NY):
        plan.fracs[("ns", 0, j)] = list(SHORE_FRACS)
    _dedicate(plan, rnd)
    _place_pond(plan, rnd)
    _merge(plan, rnd)
    _split(plan, rnd)
    return plan
