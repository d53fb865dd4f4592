"""Benchmark: gridmap's enterprise import against ogr2ogr, CSV and GeoPackage, 100,000 rows.

Generates seeded enterprises (valid USCCs, Chinese names, points in Suzhou) into bench/out/,
creates a scratch database in the running cluster, then in one run times gridmap's
`import_layer` (one committed transaction, into an empty enterprise table) and `ogr2ogr -f
PostgreSQL` with PG_USE_COPY=YES (into a fresh scratch table) on the same files, three runs each,
and prints the medians, rows/s and the ratio gridmap/ogr2ogr per format. The target is a ratio
of at least 0.5. The scratch database is dropped at the end.

    .venv/bin/python bench/import/run.py [--rows 100000] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import URL, Engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geo import schema  # noqa: E402
from geo.db import database_url, drop_database, ensure_database, make_engine  # noqa: E402
from geo.demo import demo_files  # noqa: E402
from geo.layers.importer import import_layer  # noqa: E402
from geo.settings import Settings  # noqa: E402
from geo.uscc import generate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stages  # noqa: E402

SEED = 20240501
OUT = ROOT / "bench" / "out"
SUZHOU = (120.55, 31.25, 120.80, 31.40)  # west, south, east, north (Suzhou Industrial Park)
OGR_TABLE = "bench_ogr_enterprise"
PARK_LAYERS = ("park", "community", "grid", "microgrid")  # the demo park's places, for --park
TARGET = 0.5
HEADERS = [
    "uscc", "name", "industry", "industry_detail", "size_class", "employees_day",
    "employees_night", "address", "contact_name", "contact_phone", "status", "lon", "lat",
]  # fmt: skip
PLACES = ["星海", "金鸡湖", "独墅湖", "斜塘", "唯亭", "胜浦", "娄葑", "月亮湾", "阳澄湖", "东沙湖"]
TRADES = [
    ("C", "精密机械"), ("C", "电子科技"), ("C", "新材料"), ("I", "软件"), ("I", "信息技术"),
    ("F", "商贸"), ("M", "生物医药研发"), ("G", "物流"), ("L", "企业管理咨询"), ("E", "建设工程"),
]  # fmt: skip
SIZES = ["large", "medium", "small", "micro"]
STATUSES = ["operating"] * 8 + ["suspended", "relocated"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
STREETS = ["星湖街", "苏虹东路", "现代大道", "金鸡湖大道", "星港街", "东环路", "唯华路"]


# -- data --------------------------------------------------------------------------------------


def enterprises(rows: int, rng: random.Random) -> list[list[object]]:
    """`rows` valid, distinct enterprises as CSV rows (HEADERS order)."""
    codes: set[str] = set()
    out: list[list[object]] = []
    west, south, east, north = SUZHOU
    while len(out) < rows:
        code = generate(rng)
        if code in codes:
            continue
        codes.add(code)
        industry, trade = rng.choice(TRADES)
        name = f"苏州{rng.choice(PLACES)}{trade}有限公司{len(out):06d}"
        person = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        address = f"苏州工业园区{rng.choice(STREETS)}{rng.randint(1, 999)}号"
        phone = f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}"
        employees = int(rng.lognormvariate(3.5, 1.2))
        out.append([
            code, name, industry, f"{industry}{rng.randint(1000, 9999)}", rng.choice(SIZES),
            employees, employees // 10, address, person, phone, rng.choice(STATUSES),
            rng.uniform(west, east), rng.uniform(south, north),
        ])  # fmt: skip
    return out


def write_files(rows: int) -> tuple[Path, Path]:
    """The CSV (lon/lat columns) and GeoPackage (EPSG:4326) of the same seeded rows."""
    OUT.mkdir(parents=True, exist_ok=True)
    data = enterprises(rows, random.Random(SEED))
    csv_path, gpkg_path = OUT / f"enterprise_{rows}.csv", OUT / f"enterprise_{rows}.gpkg"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(data)
    columns = list(zip(*data, strict=True))
    frame = {name: list(values) for name, values in zip(HEADERS[:-2], columns, strict=False)}
    points = shapely.points(columns[-2], columns[-1])
    gdf = gpd.GeoDataFrame(frame, geometry=list(points), crs="EPSG:4326")
    gpkg_path.unlink(missing_ok=True)
    gdf.to_file(gpkg_path, layer="enterprise", driver="GPKG", engine="pyogrio")
    return csv_path, gpkg_path


# -- the two loaders ----------------------------------------------------------------------------


def gridmap_import(engine: Engine, path: Path, rows: int, spent: list[dict[str, float]]) -> float:
    """Seconds for one committed import into an empty enterprise table; stages into `spent`."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE enterprise RESTART IDENTITY CASCADE"))
    with stages.timed() as phases:
        start = time.perf_counter()
        with Session(engine) as session:
            report = import_layer(session, "enterprise", path, crs="wgs84")
            session.commit()
        elapsed = time.perf_counter() - start
    spent.append({**phases, "total": elapsed})
    if report.inserted != rows or report.rejected_rows:
        raise SystemExit(f"gridmap import went wrong: {report.as_dict()['problems'][:5]}")
    return elapsed


def ogr2ogr_load(engine: Engine, url: URL, path: Path, rows: int) -> float:
    """Seconds for one ogr2ogr load into a fresh scratch table (password via PGPASSWORD)."""
    with engine.begin() as conn:
        conn.execute(text(f'DROP TABLE IF EXISTS "{OGR_TABLE}"'))
    target = f"PG:host={url.host} port={url.port} dbname={url.database} user={url.username}"
    command = ["ogr2ogr", "-f", "PostgreSQL", target, str(path), "-nln", OGR_TABLE,
               "-lco", "GEOMETRY_NAME=geom", "--config", "PG_USE_COPY", "YES"]  # fmt: skip
    if path.suffix == ".csv":
        command += ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat"]
        command += ["-a_srs", "EPSG:4326"]
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    with engine.connect() as conn:
        loaded = conn.execute(text(f'SELECT count(*) FROM "{OGR_TABLE}"')).scalar_one()
    if loaded != rows:
        raise SystemExit(f"ogr2ogr loaded {loaded} rows, expected {rows}")
    return elapsed


# -- running and reporting ----------------------------------------------------------------------


def medians(
    runs: int, gridmap: Callable[[], float], ogr: Callable[[], float]
) -> tuple[float, float]:
    """Alternate the two loaders `runs` times; the median seconds of each."""
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(gridmap())
        theirs.append(ogr())
    return statistics.median(ours), statistics.median(theirs)


def profile(engine: Engine, path: Path, rows: int) -> str:
    """cProfile of one gridmap import: the 25 most expensive calls, cumulative."""
    profiler = cProfile.Profile()
    profiler.runcall(gridmap_import, engine, path, rows, [])
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats("cumulative")
    stats.print_stats(25)
    return buffer.getvalue()


def versions(engine: Engine) -> str:
    with engine.connect() as conn:
        pg = conn.execute(text("SHOW server_version")).scalar_one().split()[0]
        postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    gdal = subprocess.run(["ogr2ogr", "--version"], capture_output=True, text=True).stdout
    return f"PostgreSQL {pg}, PostGIS {postgis}, ogr2ogr {gdal.split(',')[0].strip()}"


def result_line(label: str, ours: float, theirs: float, rows: int) -> str:
    """Seconds and rows/s of both loaders, and gridmap's rows/s ÷ ogr2ogr's."""
    return (f"{label:<6} {ours:>10.2f} {rows / ours:>9,.0f} {theirs:>10.2f} "
            f"{rows / theirs:>9,.0f} {theirs / ours:>16.2f}")  # fmt: skip


def load_park(engine: Engine) -> str:
    """The demo park's park, communities, grids and micro-grids (data/layers), once."""
    with Session(engine) as session:
        for layer, path in demo_files(ROOT / "data" / "layers"):
            if layer in PARK_LAYERS:
                import_layer(session, layer, path, crs="wgs84")
        session.commit()
        grids = session.execute(text("SELECT count(*) FROM grid")).scalar_one()
        micro = session.execute(text("SELECT count(*) FROM microgrid")).scalar_one()
    return f"{grids} grids, {micro} micro-grids"


def inside_park(engine: Engine, path: Path) -> Path:
    """The same rows with their points moved into the park's live grids (seeded, uniform)."""
    with engine.connect() as conn:
        wkb = conn.execute(
            text("SELECT ST_AsBinary(ST_Union(geom)) FROM grid WHERE valid_to IS NULL")
        ).scalar_one()
    area = shapely.from_wkb(bytes(wkb))
    shapely.prepare(area)
    west, south, east, north = area.bounds
    rng = np.random.default_rng(SEED)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    xs: list[float] = []
    ys: list[float] = []
    while len(xs) < len(rows) - 1:
        x, y = rng.uniform(west, east, len(rows)), rng.uniform(south, north, len(rows))
        kept = shapely.contains_xy(area, x, y)
        xs += x[kept].tolist()
        ys += y[kept].tolist()
    for row, lon, lat in zip(rows[1:], xs, ys, strict=False):
        row[-2:] = [repr(lon), repr(lat)]
    moved = path.with_name(path.stem + "_in_park.csv")
    with moved.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return moved


def park_arm(engine: Engine, url: URL, path: Path, rows: int, runs: int) -> None:
    """The CSV again into the demo park (live grids, so every chunk is placed on the way), as
    it is and with every point moved into a grid."""
    places = load_park(engine)
    for label, file in (
        ("as generated", path),
        ("every point in a grid", inside_park(engine, path)),
    ):
        spent: list[dict[str, float]] = []
        ours, theirs = medians(
            runs, partial(gridmap_import, engine, file, rows, spent),
            partial(ogr2ogr_load, engine, url, file, rows),
        )  # fmt: skip
        with engine.connect() as conn:
            placed = conn.execute(text("SELECT count(grid_id) FROM enterprise")).scalar_one()
        print(f"\nCSV into the demo park ({places}), {label}: {placed:,} of the rows fall in a "
              "grid, placed on import:")  # fmt: skip
        print(result_line("CSV", ours, theirs, rows))
        print(f"  CSV   {stages.line(stages.medians(spent))}")


def run(url: URL, rows: int, runs: int, with_profile: bool, park: bool) -> None:
    started = time.perf_counter()
    files = write_files(rows)
    print(f"data: {rows:,} enterprises, seed {SEED}, written in {time.perf_counter() - started:.1f}"
          f" s to {OUT.relative_to(ROOT)}/")  # fmt: skip
    engine = make_engine(url)
    try:
        print(f"{versions(engine)}; {runs} runs each, medians")
        print(f"{'format':<6} {'gridmap s':>10} {'rows/s':>9} {'ogr2ogr s':>10} {'rows/s':>9} "
              f"{'gridmap/ogr2ogr':>16}")  # fmt: skip
        met, breakdown = {}, {}
        for path in files:
            spent: list[dict[str, float]] = []
            ours, theirs = medians(
                runs,
                partial(gridmap_import, engine, path, rows, spent),
                partial(ogr2ogr_load, engine, url, path, rows),
            )
            label = path.suffix[1:].upper()
            ratio = theirs / ours  # = gridmap rows/s ÷ ogr2ogr rows/s
            met[label] = ratio >= TARGET
            print(result_line(label, ours, theirs, rows))
            breakdown[label] = stages.medians(spent)
        print("gridmap per stage, medians of the runs (s):")
        for label, phases in breakdown.items():
            print(f"  {label:<5} {stages.line(phases)}")
        verdict = ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items())
        print(f"target gridmap ≥ {TARGET} × ogr2ogr rows/s: {verdict}")
        if park:
            park_arm(engine, url, files[0], rows, runs)
        if with_profile:
            for path in files:
                print(f"\n--- cProfile, gridmap import of {path.name} ---")
                print(profile(engine, path, rows))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one import per format")
    parser.add_argument(
        "--no-park", action="store_true", help="skip the CSV into the demo park's grids"
    )
    args = parser.parse_args()
    os.chdir(ROOT)  # the cluster's settings (.env, .gridmap/) are relative to the repo
    url = database_url(Settings(), database=f"gridmap_bench_{uuid.uuid4().hex[:10]}")
    ensure_database(url)
    try:
        schema.upgrade(url)
        run(url, args.rows, args.runs, args.profile, not args.no_park)
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()
