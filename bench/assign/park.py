"""bench/assign's synthetic park: a jittered lattice of 2,000 grids with wiggly shared edges,
50,000 micro-grids and seeded enterprise points (README.md, "What it builds")."""

from __future__ import annotations

import numpy as np
import shapely

from geo.uscc import check_digit, org_check_digit

SEED = 20240611
COLS, ROWS, BLOCK, SUB = 50, 40, 10, 5  # 2,000 grids, 20 communities of 10×10, 25 micro each
WEST, SOUTH, CELL_X, CELL_Y = 120.60, 31.25, 0.004, 0.003  # Suzhou; cells ~380 m × 330 m
Edge = tuple[tuple[int, int], tuple[int, int]]
Edges = dict[Edge, np.ndarray]


def wiggle(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, straight: bool) -> np.ndarray:
    """The shared edge a→b densified with 12–45 points and a smooth sideways wiggle."""
    t = np.linspace(0.0, 1.0, int(rng.integers(12, 46)) + 2)
    pts = a + np.outer(t, b - a)
    if not straight:
        phase, freq = rng.uniform(0, 2 * np.pi), rng.integers(1, 4)
        bend = np.sin(np.pi * t) * (np.sin(freq * np.pi * t + phase) + 0.5 * np.sin(9 * t))
        pts += np.outer(0.03 * rng.uniform(0.3, 1.0) * bend, [a[1] - b[1], b[0] - a[0]])
        pts[0], pts[-1] = a, b
    return pts


def build_edges(rng: np.random.Generator) -> tuple[np.ndarray, Edges]:
    """A jittered lattice of nodes and its densified edges (straight on the outline)."""
    ii, jj = np.meshgrid(np.arange(COLS + 1), np.arange(ROWS + 1), indexing="ij")
    inner = (ii > 0) & (ii < COLS) & (jj > 0) & (jj < ROWS)
    jitter = rng.uniform(-0.25, 0.25, (2, COLS + 1, ROWS + 1)) * inner
    nodes = np.stack([WEST + CELL_X * (ii + jitter[0]), SOUTH + CELL_Y * (jj + jitter[1])], -1)
    edges: Edges = {}
    for i, j in np.ndindex(COLS + 1, ROWS + 1):
        for di, dj, outline in ((1, 0, j in (0, ROWS)), (0, 1, i in (0, COLS))):
            if i + di <= COLS and j + dj <= ROWS:
                end = (i + di, j + dj)
                edges[(i, j), end] = wiggle(rng, nodes[i, j], nodes[end], outline)
    return nodes, edges


def cell(edges: Edges, i: int, j: int) -> shapely.Polygon:
    """Grid (i, j) from its four edges, shared exactly (same coordinates) with its neighbours."""
    south, east = edges[(i, j), (i + 1, j)], edges[(i + 1, j), (i + 1, j + 1)]
    north, west = edges[(i, j + 1), (i + 1, j + 1)], edges[(i, j), (i, j + 1)]
    return shapely.Polygon(np.concatenate([south[:-1], east[:-1], north[:0:-1], west[::-1]]))


def micro_cells(poly: shapely.Polygon, corners: np.ndarray) -> list[shapely.MultiPolygon]:
    """SUB×SUB bilinear sub-quads of the grid's corner quad, kept apart, clipped to the grid."""
    out = []
    for a, b in np.ndindex(SUB, SUB):
        s = np.array([a, a + 1, a + 1, a]) / SUB + [0.02, -0.02, -0.02, 0.02]
        t = np.array([b, b, b + 1, b + 1]) / SUB + [0.02, 0.02, -0.02, -0.02]
        weights = np.stack([(1 - s) * (1 - t), s * (1 - t), s * t, (1 - s) * t], -1)
        piece = shapely.intersection(shapely.Polygon(weights @ corners), poly)
        polys = [p for p in shapely.get_parts(piece) if p.geom_type == "Polygon" and p.area > 0]
        out += [shapely.MultiPolygon(polys)] if polys else []
    return out


def build_park(rng: np.random.Generator) -> tuple[Edges, list, list]:
    """Edges, grids (id = position + 1) with their community, micro-grids with their grid."""
    nodes, edges = build_edges(rng)
    grids, micros = [], []
    for j, i in np.ndindex(ROWS, COLS):
        poly = cell(edges, i, j)
        assert poly.is_valid, (i, j)
        grids.append(((j // BLOCK) * (COLS // BLOCK) + i // BLOCK + 1, poly))
        corners = nodes[[i, i + 1, i + 1, i], [j, j, j + 1, j + 1]]
        micros += [(len(grids), m) for m in micro_cells(poly, corners)]
    return edges, grids, micros


def enterprise_points(rng: np.random.Generator, edges: Edges, n: int) -> np.ndarray:
    """60 % clustered, 39 % uniform over a margin (orphans), 1 % on shared vertices; shuffled."""
    n_on, n_cluster = n // 100, n * 6 // 10
    east, north = WEST + COLS * CELL_X, SOUTH + ROWS * CELL_Y
    centres = rng.uniform([WEST, SOUTH], [east, north], (400, 2))
    sigma = rng.uniform(0.5, 3.0, (400, 1)) * [CELL_X, CELL_Y]
    pick = rng.integers(0, 400, n_cluster)
    clustered = centres[pick] + rng.normal(size=(n_cluster, 2)) * sigma[pick]
    low, high = [WEST - 0.002, SOUTH - 0.0012], [east + 0.002, north + 0.0012]
    uniform = rng.uniform(low, high, (n - n_on - n_cluster, 2))
    vertices = np.concatenate(list(edges.values()))
    on_edges = vertices[rng.integers(0, len(vertices), n_on)]
    return np.concatenate([clustered, uniform, on_edges])[rng.permutation(n)]


def uscc_of(i: int) -> str:
    """A valid, unique USCC for enterprise number i."""
    first17 = f"91320594{i:08d}" + org_check_digit(f"{i:08d}")
    return first17 + check_digit(first17)
