"""Synthetic data for bench/tiles: seeded grids partitioning 20 communities around Suzhou and
enterprises inside them, loaded with COPY into a scratch database."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import numpy as np
from sqlalchemy import Engine, text

SEED = 20261128
WEST, SOUTH, EAST, NORTH = 120.6, 31.2, 120.9, 31.4
GRID_COLS, GRID_ROWS = 50, 40  # 2,000 grids in 20 communities of 10 × 10
EDGE_POINTS = 6  # wiggles per grid edge, shared by both neighbours (no gaps, no overlaps)
INDUSTRY_CODES = list("CCCCCFFIIMLGEK")
SIZES = ["micro"] * 6 + ["small"] * 3 + ["medium", "large"]
WORDS = "星海金鸡湖独墅斜塘唯亭胜浦娄葑月亮湾阳澄东沙精密电子新材料软件信息商贸生物物流"


# -- data ---------------------------------------------------------------------------------------


def _lattice(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Jittered lattice vertices (interior only; the outer border stays straight)."""
    dx, dy = (EAST - WEST) / GRID_COLS, (NORTH - SOUTH) / GRID_ROWS
    xs = WEST + dx * np.arange(GRID_COLS + 1)[:, None] + np.zeros((1, GRID_ROWS + 1))
    ys = SOUTH + dy * np.arange(GRID_ROWS + 1)[None, :] + np.zeros((GRID_COLS + 1, 1))
    inner = (slice(1, -1), slice(1, -1))
    xs[inner] += rng.uniform(-0.25, 0.25, xs[inner].shape) * dx
    ys[inner] += rng.uniform(-0.25, 0.25, ys[inner].shape) * dy
    return xs, ys


def _edge(a: tuple[float, float], b: tuple[float, float], seed: int) -> list[tuple[float, float]]:
    """Points from a to b with seeded wiggles; the same seed gives the same edge to both sides."""
    wiggle = np.random.default_rng(seed).uniform(-0.08, 0.08, EDGE_POINTS)
    (ax, ay), (bx, by) = a, b
    out = [a]
    for i, w in enumerate(wiggle, start=1):
        t = i / (EDGE_POINTS + 1)
        out.append((ax + t * (bx - ax) - w * (by - ay), ay + t * (by - ay) + w * (bx - ax)))
    return out


def grid_rings(rng: np.random.Generator) -> Iterator[tuple[int, int, str]]:
    """(column, row, WKT) of each grid: a partition of the area with wiggly shared edges."""
    xs, ys = _lattice(rng)

    def v(i: int, j: int) -> tuple[float, float]:
        return float(xs[i, j]), float(ys[i, j])

    def h(i: int, j: int) -> list[tuple[float, float]]:  # from v(i,j) to v(i+1,j)
        return _edge(v(i, j), v(i + 1, j), SEED + 2 * (i * 1000 + j))

    def vert(i: int, j: int) -> list[tuple[float, float]]:  # from v(i,j) to v(i,j+1)
        return _edge(v(i, j), v(i, j + 1), SEED + 2 * (i * 1000 + j) + 1)

    for i in range(GRID_COLS):
        for j in range(GRID_ROWS):
            ring = h(i, j) + vert(i + 1, j) + [*reversed(h(i, j + 1)[1:]), v(i, j + 1)]
            ring += list(reversed(vert(i, j)[1:]))
            coords = ", ".join(f"{x:.7f} {y:.7f}" for x, y in [*ring, ring[0]])
            yield i, j, f"SRID=4326;MULTIPOLYGON((({coords})))"


def _copy(engine: Engine, table: str, columns: str, buffer: io.StringIO) -> None:
    buffer.seek(0)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
        raw.commit()
    finally:
        raw.close()


def load_hierarchy(engine: Engine, rng: np.random.Generator) -> None:
    """One park, 20 communities and 2,000 grids (ids 1..2000, cell (i, j) → i * ROWS + j + 1)."""
    box = f"ST_Multi(ST_MakeEnvelope({WEST}, {SOUTH}, {EAST}, {NORTH}, 4326))"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO park (id, code, name, geom) "
                f"VALUES (1, '320571', '苏州工业园区', {box})"
            )
        )
        for c in range(20):
            ci, cj = c // 4, c % 4
            w, s = (
                WEST + ci * 10 * (EAST - WEST) / GRID_COLS,
                SOUTH + cj * 10 * (NORTH - SOUTH) / GRID_ROWS,
            )
            env = f"ST_Multi(ST_MakeEnvelope({w}, {s}, {w + 0.06}, {s + 0.05}, 4326))"
            conn.execute(
                text(
                    "INSERT INTO community (id, park_id, code, name, geom) VALUES "
                    f"({c + 1}, 1, '320571001{c + 1:03d}', '企业社区{c + 1}', {env})"
                )
            )
    buf = io.StringIO()
    for i, j, wkt in grid_rings(rng):
        community = (i // 10) * 4 + (j // 10) + 1
        gid, local = i * GRID_ROWS + j + 1, (i % 10) * 10 + j % 10 + 1
        buf.write(f'{gid},{community},320571001{community:03d}{local:03d},网格{gid},"{wkt}"\n')
    _copy(engine, "grid", "id, community_id, code, name, geom", buf)


def load_enterprises(engine: Engine, rng: np.random.Generator, rows: int) -> None:
    """`rows` enterprises: 70 % around 40 industrial hot spots, 30 % spread out; COPY."""
    centres = np.column_stack([rng.uniform(WEST, EAST, 40), rng.uniform(SOUTH, NORTH, 40)])
    chunk = 200_000
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        hot = rng.random(n) < 0.7
        pick = centres[rng.integers(0, len(centres), n)]
        lon = np.where(hot, pick[:, 0] + rng.normal(0, 0.012, n), rng.uniform(WEST, EAST, n))
        lat = np.where(hot, pick[:, 1] + rng.normal(0, 0.009, n), rng.uniform(SOUTH, NORTH, n))
        lon, lat = np.clip(lon, WEST, EAST - 1e-9), np.clip(lat, SOUTH, NORTH - 1e-9)
        col = ((lon - WEST) / (EAST - WEST) * GRID_COLS).astype(int)
        row = ((lat - SOUTH) / (NORTH - SOUTH) * GRID_ROWS).astype(int)
        grid = col * GRID_ROWS + row + 1  # the cell before jitter: near enough for a benchmark
        employees = rng.lognormal(3.0, 1.2, n).astype(int)
        words = rng.integers(0, len(WORDS) - 1, (n, 2))
        industry = rng.integers(0, len(INDUSTRY_CODES), n)
        size = rng.integers(0, len(SIZES), n)
        buf = io.StringIO()
        for k in range(n):
            i = start + k
            name = f"苏州{WORDS[words[k, 0]]}{WORDS[words[k, 1]]}科技有限公司{i:07d}"
            buf.write(
                f"91320500{i:010d},{name},{INDUSTRY_CODES[industry[k]]},{SIZES[size[k]]},"
                f"{employees[k]},{grid[k]},SRID=4326;POINT({lon[k]:.7f} {lat[k]:.7f})\n"
            )
        _copy(
            engine,
            "enterprise",
            "uscc, name, industry, size_class, employees_day, grid_id, geom",
            buf,
        )


def load(engine: Engine, rows: int) -> None:
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    load_hierarchy(engine, rng)
    load_enterprises(engine, rng, rows)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT setval('grid_id_seq', 2000)"))
        conn.execute(text("VACUUM ANALYZE enterprise"))
        conn.execute(text("VACUUM ANALYZE grid"))
        conn.execute(text("VACUUM ANALYZE enterprise_cluster"))
        conn.execute(text("CHECKPOINT"))  # no dirty pages left for the timed reads to write
    print(f"loaded {rows:,} enterprises and {GRID_COLS * GRID_ROWS:,} grids in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
