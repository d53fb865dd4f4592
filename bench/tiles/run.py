"""Benchmark: gridmap's vector tiles against tipg, 1,000,000 enterprises and 2,000 grids.

In one run on one scratch database (created in the running cluster, migrated, dropped at the
end): loads seeded synthetic enterprises and grid polygons around Suzhou with COPY, serves
gridmap (uvicorn, `create_app`) and tipg (from its own venv, bench/out/venv-tipg, installed
there from PyPI when missing) on free local ports, requests the same seeded list of tiles at
zooms 10–16 for both layers with a bounded concurrent client on 127.0.0.1, and prints median
and p95 latency, requests/s and the ratios. Targets: uncached ≥ 2× tipg's throughput, cached
≥ 3,000 requests/s, p95 < 50 ms uncached at zoom ≥ 12.

    .venv/bin/python bench/tiles/run.py [--rows 1000000] [--per-zoom 40] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import URL, Engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geo import schema  # noqa: E402
from geo.db import database_url, drop_database, ensure_database, make_engine  # noqa: E402
from geo.settings import Settings  # noqa: E402

SEED = 20261128
WEST, SOUTH, EAST, NORTH = 120.6, 31.2, 120.9, 31.4
GRID_COLS, GRID_ROWS = 50, 40  # 2,000 grids in 20 communities of 10 × 10
EDGE_POINTS = 6  # wiggles per grid edge, shared by both neighbours (no gaps, no overlaps)
ZOOMS = range(10, 17)
TIPG_VENV = ROOT / "bench" / "out" / "venv-tipg"
TARGET_UNCACHED_RATIO, TARGET_CACHED_RPS, TARGET_P95_MS = 2.0, 3000.0, 50.0
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


# -- tiles --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    layer: str
    z: int
    x: int
    y: int


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def tile_list(per_zoom: int) -> list[Request]:
    """A seeded sample of the tiles covering the data at each zoom, for both layers."""
    rng = random.Random(SEED)
    out: list[Request] = []
    for z in ZOOMS:
        (x0, y0), (x1, y1) = tile_of(WEST, NORTH, z), tile_of(EAST, SOUTH, z)
        every = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        for x, y in rng.sample(every, min(per_zoom, len(every))):
            out += [Request("enterprise", z, x, y), Request("grid", z, x, y)]
    rng.shuffle(out)
    return out


def gridmap_path(r: Request) -> str:
    return f"/tiles/{r.layer}/{r.z}/{r.x}/{r.y}.mvt"


TIPG_PROPERTIES = {
    "enterprise": "id,uscc,name,industry,size_class,status,employees_day",
    "grid": "id,code,name,kind,version",
}


def tipg_path(r: Request) -> str:
    return (f"/collections/public.{r.layer}/tiles/WebMercatorQuad/{r.z}/{r.x}/{r.y}"
            f"?properties={TIPG_PROPERTIES[r.layer]}&geom-column=geom")  # fmt: skip


# -- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_tipg() -> Path:
    """tipg in its own venv (never the project's), installed from PyPI when missing."""
    python = TIPG_VENV / "bin" / "python"
    if not (TIPG_VENV / "bin" / "uvicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "tipg", "uvicorn[standard]"],
                       check=True)  # fmt: skip
    return python


def serve(
    python: Path, app: str, port: int, env: dict[str, str], *factory: str
) -> subprocess.Popen[bytes]:
    """uvicorn (uvloop, httptools, no access log) for `app` on 127.0.0.1:`port`."""
    args = [str(python), "-m", "uvicorn", app, *factory, "--host", "127.0.0.1", "--port",
            str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
            "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env})


def wait_up(port: int, path: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        try:
            results = asyncio.run(fetch(port, [path], 1, 5))
            if results and results[0].status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server on port {port} did not come up")


# -- client -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    path: str
    status: int
    size: int
    seconds: float


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
    status = int(head[9:12])
    if "transfer-encoding: chunked" in head:
        body = b""
        while size := int((await reader.readline()).strip(), 16):
            body += await reader.readexactly(size)
            await reader.readline()
        await reader.readline()
        return status, body
    length = 0
    for line in head.split("\r\n"):
        if line.startswith("content-length:"):
            length = int(line.split(":")[1])
    return status, await reader.readexactly(length)


async def _worker(port: int, paths: list[str], out: list[Result], deadline: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while paths and time.perf_counter() < deadline:
            path = paths.pop()
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status, body = await _read_response(reader)
            out.append(Result(path, status, len(body), time.perf_counter() - started))
    finally:
        writer.close()


async def fetch(port: int, paths: list[str], concurrency: int, limit_s: float) -> list[Result]:
    """GET every path (bounded: `concurrency` keep-alive connections, `limit_s` seconds)."""
    queue, out = list(reversed(paths)), []  # type: ignore[var-annotated]
    deadline = time.perf_counter() + limit_s
    await asyncio.gather(*(_worker(port, queue, out, deadline) for _ in range(concurrency)))
    return out


@dataclass
class Run:
    name: str
    results: list[Result]
    seconds: float

    def stats(self, keep=lambda r: True) -> tuple[int, float, float, float]:  # type: ignore[no-untyped-def]
        chosen = [r for r in self.results if keep(r)]
        ms = sorted(r.seconds * 1000 for r in chosen)
        if len(ms) < 2:
            return len(ms), math.nan, math.nan, math.nan
        p95 = statistics.quantiles(ms, n=20)[18]
        return len(ms), statistics.median(ms), p95, statistics.mean(r.size for r in chosen)

    @property
    def rps(self) -> float:
        return len(self.results) / self.seconds


def timed(name: str, port: int, paths: list[str], concurrency: int, limit_s: float) -> Run:
    started = time.perf_counter()
    results = asyncio.run(fetch(port, paths, concurrency, limit_s))
    run = Run(name, results, time.perf_counter() - started)
    bad = [r for r in results if r.status not in (200, 204)]
    if bad:
        print(f"  {name}: {len(bad)} failed requests, e.g. {bad[0]}")
    return run


# -- report -------------------------------------------------------------------------------------


def zoom_of(requests: dict[str, Request]):  # type: ignore[no-untyped-def]
    return lambda z_min, z_max=99: lambda r: z_min <= requests[r.path].z <= z_max


def print_runs(runs: list[Run], at_least_12) -> None:  # type: ignore[no-untyped-def]
    print(f"{'run':<22}{'n':>7}{'median ms':>11}{'p95 ms':>9}{'p95 z≥12':>10}{'req/s':>9}"
          f"{'mean KB':>9}")  # fmt: skip
    for run in runs:
        n, median, p95, size = run.stats()
        p95_12 = run.stats(at_least_12)[2]
        print(f"{run.name:<22}{n:>7}{median:>11.1f}{p95:>9.1f}{p95_12:>10.1f}{run.rps:>9.0f}"
              f"{size / 1024:>9.1f}")  # fmt: skip


def print_zooms(tipg: Run, cold: Run, zoom) -> None:  # type: ignore[no-untyped-def]
    print("\nper zoom, uncached (median / p95 ms, mean KB):")
    print(f"{'z':>3}  {'tipg':>24}  {'gridmap':>24}")
    for z in ZOOMS:
        cells = []
        for run in (tipg, cold):
            _n, median, p95, size = run.stats(zoom(z, z))
            cells.append(f"{median:6.1f} /{p95:6.1f} /{size / 1024:6.1f}")
        print(f"{z:>3}  {cells[0]:>24}  {cells[1]:>24}")


def print_sql_times(url: URL, requests: list[Request]) -> None:
    """Where gridmap's uncached time goes: its tile SQL alone, serially, by zoom."""
    from sqlalchemy.orm import Session

    from geo.tiles import TILE_LAYERS, render_tile

    engine = make_engine(url)
    spent: dict[tuple[str, int], list[float]] = {}
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        for r in requests:
            started = time.perf_counter()
            render_tile(session, TILE_LAYERS[r.layer], z=r.z, x=r.x, y=r.y)
            spent.setdefault((r.layer, r.z), []).append(time.perf_counter() - started)
    engine.dispose()
    print("\ngridmap tile SQL alone, serial (mean ms):")
    print("   z" + "".join(f"{z:>7}" for z in ZOOMS))
    for layer in ("enterprise", "grid"):
        means = [statistics.mean(spent[(layer, z)]) * 1000 for z in ZOOMS]
        print(f"{layer:<11}" + "".join(f"{m:>7.1f}" for m in means))


def print_verdict(tipg: Run, cold: Run, cached: Run, at_least_12) -> None:  # type: ignore[no-untyped-def]
    ratio = cold.rps / tipg.rps
    p95 = cold.stats(at_least_12)[2]
    print("\ntargets:")
    for label, _value, ok in (
        (f"uncached throughput gridmap/tipg = {ratio:.2f}× (≥ {TARGET_UNCACHED_RATIO}×)",
         ratio, ratio >= TARGET_UNCACHED_RATIO),
        (f"cached throughput = {cached.rps:.0f} req/s (≥ {TARGET_CACHED_RPS:.0f})",
         cached.rps, cached.rps >= TARGET_CACHED_RPS),
        (f"uncached p95 at z≥12 = {p95:.1f} ms (< {TARGET_P95_MS:.0f} ms)", p95,
         p95 < TARGET_P95_MS),
    ):  # fmt: skip
        print(f"  {'met ' if ok else 'MISS'}  {label}")
    print(f"  cached/uncached gridmap = {cached.rps / cold.rps:.1f}×, "
          f"cached gridmap/tipg = {cached.rps / tipg.rps:.1f}×")  # fmt: skip


# -- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--per-zoom", type=int, default=40, help="tiles per zoom and layer")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--cached-seconds", type=float, default=15.0)
    args = parser.parse_args()
    url = database_url(Settings(), database=f"gridmap_bench_tiles_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        schema.upgrade(url)
        engine = make_engine(url)
        load(engine, args.rows)
        engine.dispose()
        servers = start_servers(url)
        measure(url, servers, args)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=15)
        drop_database(url)
        print(f"dropped {url.database}")


def start_servers(url: URL) -> dict[str, tuple[subprocess.Popen[bytes], int]]:
    """gridmap without and with its tile cache, and tipg, on free local ports, one database."""
    rendered = url.render_as_string(hide_password=False)
    tipg_python = ensure_tipg()
    servers = {}
    for name, cache_mb in (("gridmap-nocache", "0"), ("gridmap", "256")):
        port = free_port()
        env = {"GRIDMAP_DATABASE_URL": rendered, "GRIDMAP_TILE_CACHE_MB": cache_mb}
        servers[name] = (
            serve(Path(sys.executable), "api.app:create_app", port, env, "--factory"),
            port,
        )
    port = free_port()
    servers["tipg"] = (serve(tipg_python, "tipg.main:app", port, {
        "DATABASE_URL": rendered.replace("postgresql+psycopg2://", "postgresql://"),
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.enterprise", "public.grid"]',
    }), port)  # fmt: skip
    for name, (proc, port) in servers.items():
        wait_up(port, "/collections" if name == "tipg" else "/healthz", proc)
    return servers


def measure(url: URL, servers: dict[str, tuple[subprocess.Popen[bytes], int]],
            args: argparse.Namespace) -> None:  # fmt: skip
    requests = tile_list(args.per_zoom)
    by_path = {gridmap_path(r): r for r in requests} | {tipg_path(r): r for r in requests}
    zoom = zoom_of(by_path)
    ours, theirs = [gridmap_path(r) for r in requests], [tipg_path(r) for r in requests]
    plain, cached, tipg_port = (servers[n][1] for n in ("gridmap-nocache", "gridmap", "tipg"))
    c, limit = args.concurrency, 300.0
    print(f"{len(requests)} tiles ({args.per_zoom} per zoom and layer at most, zooms 10–16, "
          f"enterprise and grid), {c} concurrent keep-alive connections")  # fmt: skip
    # one untimed pass each, so both are timed on warm PostgreSQL buffers and pools
    timed("warm-up tipg", tipg_port, theirs, c, limit)
    timed("warm-up gridmap", plain, ours, c, limit)
    tipg = timed("tipg", tipg_port, theirs, c, limit)
    cold = timed("gridmap uncached", plain, ours, c, limit)
    first = timed("gridmap cold cache", cached, ours, c, limit)
    rounds = ours * max(1, int(args.cached_seconds * 4000 / len(ours)))
    hot = timed("gridmap cached", cached, rounds, c, args.cached_seconds)
    print()
    print_runs([tipg, cold, first, hot], zoom(12))
    print_zooms(tipg, cold, zoom)
    print_sql_times(url, requests)
    print_verdict(tipg, cold, hot, zoom(12))


if __name__ == "__main__":
    main()
