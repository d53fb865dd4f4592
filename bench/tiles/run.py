"""Benchmark: gridmap's vector tiles against tipg, 1,000,000 enterprises and 2,000 grids.

In one run on one scratch database (created in the running cluster, migrated, dropped at the
end): loads seeded synthetic enterprises and grid polygons around Suzhou with COPY, serves
gridmap (uvicorn, `create_app`) and tipg (from its own venv, bench/out/venv-tipg, installed
there from PyPI when missing) on free local ports, requests the same seeded list of tiles at
zooms 10–16 for both layers with a bounded concurrent client on 127.0.0.1, and prints median
and p95 latency, requests/s and the ratios. Targets: uncached ≥ 2× tipg's throughput, cached
≥ 3,000 requests/s, p95 < 50 ms uncached at zoom ≥ 12.

    .venv/bin/python bench/tiles/run.py [--rows 1000000] [--per-zoom 40] [--concurrency 8]
        [--workers 2]

Every server runs `--workers` uvicorn processes (2: one per core, as gridmap is deployed with
`gridmap serve --workers 2`); the client shares the same cores. When GRIDMAP_BENCH_TOKEN is
set, gridmap's requests carry `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import uvloop
from sqlalchemy import URL, Engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from data import EAST, NORTH, SEED, SOUTH, WEST, load  # noqa: E402
from geo import schema  # noqa: E402
from geo.accounts import create_user  # noqa: E402
from geo.db import database_url, drop_database, ensure_database, make_engine  # noqa: E402
from geo.sessions import create_token  # noqa: E402
from geo.settings import Settings  # noqa: E402

ZOOMS = range(10, 17)
TIPG_VENV = ROOT / "bench" / "out" / "venv-tipg"
TARGET_UNCACHED_RATIO, TARGET_CACHED_RPS, TARGET_P95_MS = 2.0, 3000.0, 50.0


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
    python: Path, app: str, port: int, env: dict[str, str], *options: str
) -> subprocess.Popen[bytes]:
    """uvicorn (uvloop, httptools, no access log) for `app` on 127.0.0.1:`port`."""
    args = [str(python), "-m", "uvicorn", app, *options, "--host", "127.0.0.1", "--port",
            str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
            "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env})


def wait_up(port: int, path: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        try:
            results = uvloop.run(fetch(port, [path], 1, 5))
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


def sign_in(engine: Engine) -> None:
    """A viewer account and its API token in the scratch database, for gridmap's requests
    (every tile needs a signed-in user); GRIDMAP_BENCH_TOKEN, when set, is used instead."""
    if os.environ.get("GRIDMAP_BENCH_TOKEN"):
        return
    with Session(engine) as session:
        user = create_user(session, "bench", role="viewer", password=secrets.token_urlsafe(16))
        token, _ = create_token(session, user, "bench/tiles")
        session.commit()
    os.environ["GRIDMAP_BENCH_TOKEN"] = token


def auth_header() -> str:
    """`Authorization: Bearer` from GRIDMAP_BENCH_TOKEN for gridmap's requests, or nothing."""
    token = os.environ.get("GRIDMAP_BENCH_TOKEN", "").strip()
    return f"Authorization: Bearer {token}\r\n" if token else ""


async def _worker(
    port: int, paths: list[str], out: list[Result], deadline: float, extra: str
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while paths and time.perf_counter() < deadline:
            path = paths.pop()
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode())
            status, body = await _read_response(reader)
            out.append(Result(path, status, len(body), time.perf_counter() - started))
    finally:
        writer.close()


async def fetch(
    port: int, paths: list[str], concurrency: int, limit_s: float, extra: str = ""
) -> list[Result]:
    """GET every path (bounded: `concurrency` keep-alive connections, `limit_s` seconds)."""
    queue, out = list(reversed(paths)), []  # type: ignore[var-annotated]
    deadline = time.perf_counter() + limit_s
    workers = (_worker(port, queue, out, deadline, extra) for _ in range(concurrency))
    await asyncio.gather(*workers)
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


def timed(
    name: str, port: int, paths: list[str], concurrency: int, limit_s: float, extra: str = ""
) -> Run:
    started = time.perf_counter()
    # uvloop, as the servers use: the client takes less of the cores it shares with them
    results = uvloop.run(fetch(port, paths, concurrency, limit_s, extra))
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
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes per server")
    args = parser.parse_args()
    url = database_url(Settings(), database=f"gridmap_bench_tiles_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        schema.upgrade(url)
        engine = make_engine(url)
        # synthetic data: the scratch database skips the per-row audit for all its sessions
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"ALTER DATABASE {url.database} SET gridmap.audit = 'bulk'"))
        engine.dispose()
        load(engine, args.rows)
        sign_in(engine)
        engine.dispose()
        servers = start_servers(url, args.workers)
        measure(url, servers, args)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=15)
        drop_database(url)
        print(f"dropped {url.database}")


def start_servers(url: URL, workers: int) -> dict[str, tuple[subprocess.Popen[bytes], int]]:
    """gridmap without and with its tile cache, and tipg, on free local ports, one database."""
    rendered = url.render_as_string(hide_password=False)
    tipg_python = ensure_tipg()
    servers = {}
    each = ("--workers", str(workers))
    for name, cache_mb in (("gridmap-nocache", "0"), ("gridmap", "256")):
        port = free_port()
        env = {"GRIDMAP_DATABASE_URL": rendered, "GRIDMAP_TILE_CACHE_MB": cache_mb}
        servers[name] = (
            serve(Path(sys.executable), "api.app:create_app", port, env, "--factory", *each),
            port,
        )
    port = free_port()
    servers["tipg"] = (serve(tipg_python, "tipg.main:app", port, {
        "DATABASE_URL": rendered.replace("postgresql+psycopg2://", "postgresql://"),
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.enterprise", "public.grid"]',
    }, *each), port)  # fmt: skip
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
    c, limit, auth = args.concurrency, 300.0, auth_header()
    print(f"{len(requests)} tiles ({args.per_zoom} per zoom and layer at most, zooms 10–16, "
          f"enterprise and grid), {c} concurrent keep-alive connections")  # fmt: skip
    print(f"every server: {args.workers} uvicorn worker processes; {os.cpu_count()} cores shared "
          f"with this client{'; gridmap asked with a bearer token' if auth else ''}")  # fmt: skip
    # one untimed pass each, so both are timed on warm PostgreSQL buffers and pools
    timed("warm-up tipg", tipg_port, theirs, c, limit)
    timed("warm-up gridmap", plain, ours, c, limit, auth)
    tipg = timed("tipg", tipg_port, theirs, c, limit)
    cold = timed("gridmap uncached", plain, ours, c, limit, auth)
    first = timed("gridmap cold cache", cached, ours, c, limit, auth)
    rounds = ours * max(1, int(args.cached_seconds * 4000 / len(ours)))
    hot = timed("gridmap cached", cached, rounds, c, args.cached_seconds, auth)
    print()
    print_runs([tipg, cold, first, hot], zoom(12))
    print_zooms(tipg, cold, zoom)
    print_sql_times(url, requests)
    print_verdict(tipg, cold, hot, zoom(12))


if __name__ == "__main__":
    main()
