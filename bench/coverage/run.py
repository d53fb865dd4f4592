"""Benchmark: monthly visit coverage (issue #8), 1M enterprises, 10M visits, 2,000 grids.

Builds a seeded synthetic park in a scratch database (created in the running cluster, migrated,
dropped at the end unless --keep) and prints, in one run: (a) the coverage of all grids for a
month as gridmap answers `/api/coverage?level=grid` (months.ensure_closed + figures.units, a
fresh session per call) for the whole park, for the open current month and for a closed month,
against the plain SQL `COUNT(DISTINCT v.enterprise_id) … GROUP BY e.grid_id` over the visits;
(b) the cost of one visit insert (own transaction) with and without trigger `coverage`.

    .venv/bin/python bench/coverage/run.py [--enterprises 1000000] [--visits 10000000]
        [--runs 100] [--plain-runs 5] [--inserts 1000] [--keep]

Visits are COPied with the coverage trigger disabled, the trigger's tables are then filled with
the migration's own backfill (one INSERT … SELECT … GROUP BY each), and the trigger re-enabled.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "tiles"))

from data import load as load_park  # noqa: E402  (bench/tiles/data.py)
from geo import schema  # noqa: E402
from geo.coverage import figures, months  # noqa: E402
from geo.db import database_url, drop_database, ensure_database, make_engine  # noqa: E402
from geo.settings import Settings  # noqa: E402

SEED = 20261128
TRIGGER = "coverage"  # migration 0008: AFTER INSERT OR DELETE OR UPDATE … ON visit
MONTHS = 12
CHECKS = np.array(["verified", "flagged", "no_location"])
CHECK_WEIGHTS = [0.80, 0.12, 0.08]
TARGET_P95_MS, TARGET_RATIO, TARGET_ADDED_MS = 20.0, 50.0, 1.0
PLAIN = """SELECT e.grid_id, count(DISTINCT v.enterprise_id) AS visited
FROM visit v JOIN enterprise e ON e.id = v.enterprise_id
WHERE v.visited_at >= :since AND v.visited_at < :until
GROUP BY e.grid_id"""


def migration_backfill() -> str:
    """The BACKFILL statements of migrations 0008_coverage.py (the per-enterprise month tables)
    and 0009_coverage_figures.py (the per-grid tables, from those), exactly, in that order."""
    statements = []
    for name in ("0008_coverage", "0009_coverage_figures"):
        path = ROOT / "migrations" / "versions" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        statements.append(str(module.BACKFILL))
    return "\n".join(statements)


# -- data ---------------------------------------------------------------------------------------


def month_list(now: datetime) -> list[date]:
    """The current month (China Standard Time) and the MONTHS - 1 before it, oldest first."""
    out = [months.current_month(now)]
    while len(out) < MONTHS:
        m = out[-1]
        out.append(date(m.year - (m.month == 1), (m.month - 2) % 12 + 1, 1))
    return out[::-1]


def _raw(
    engine: Engine, statements: list[str], copy: tuple[str, io.StringIO] | None = None
) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("SET LOCAL gridmap.audit = 'bulk'")  # synthetic rows: no row-by-row audit
            for statement in statements:
                cur.execute(statement)
            if copy:
                copy[1].seek(0)
                cur.copy_expert(copy[0], copy[1])
        raw.commit()
    finally:
        raw.close()


def load_visits(engine: Engine, visits: int, now: datetime) -> None:
    """`visits` seeded visits spread evenly over the 12 months (the current one up to now),
    random enterprises, 80 % verified / 12 % flagged / 8 % without location; COPY with the
    coverage trigger disabled, then the migration's backfill, then the trigger enabled."""
    rng = np.random.default_rng(SEED + 1)
    with engine.connect() as conn:
        lo, hi = conn.execute(text("SELECT min(id), max(id) FROM enterprise")).one()
    bounds = [months.month_bounds(m) for m in month_list(now)]
    starts = np.array([int(s.timestamp() * 1e6) for s, _ in bounds], dtype=np.int64)
    ends = np.array([int(min(e, now - timedelta(hours=1)).timestamp() * 1e6) for _, e in bounds])
    started = time.perf_counter()
    _raw(engine, [f"ALTER TABLE visit DISABLE TRIGGER {TRIGGER}"])
    chunk = 1_000_000
    for first in range(0, visits, chunk):
        n = min(chunk, visits - first)
        k = rng.integers(0, MONTHS, n)
        us = starts[k] + (rng.random(n) * (ends[k] - starts[k])).astype(np.int64)
        stamps = np.datetime_as_string(us.astype("datetime64[us]"), unit="us")
        ids = rng.integers(lo, hi + 1, n)
        checks = CHECKS[rng.choice(3, n, p=CHECK_WEIGHTS)]
        buf = io.StringIO()
        buf.writelines(
            f"{e},{t}+00,{c}\n"
            for e, t, c in zip(ids.tolist(), stamps.tolist(), checks.tolist(), strict=True)
        )
        # replica role: no row trigger at all (coverage, audit, scope, foreign-key checks;
        # the ids come from the enterprise table), the same rows ~2× faster
        copy = "COPY visit (enterprise_id, visited_at, check_result) FROM STDIN WITH (FORMAT csv)"
        _raw(engine, ["SET LOCAL session_replication_role = replica"], (copy, buf))
    copied = time.perf_counter()
    _raw(
        engine,
        ["SET LOCAL work_mem = '256MB'", migration_backfill(),
         f"ALTER TABLE visit ENABLE TRIGGER {TRIGGER}"],
    )  # fmt: skip
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in (
            "visit",
            "coverage_enterprise_month",
            "coverage_member_month",
            "coverage_grid_total",
            "coverage_grid_month",
        ):
            conn.execute(text(f"VACUUM ANALYZE {table}"))
        conn.execute(text("CHECKPOINT"))
    print(f"loaded {visits:,} visits: COPY (coverage trigger disabled) "
          f"{copied - started:.1f} s, coverage tables filled by the migration's backfill + "
          f"VACUUM ANALYZE {time.perf_counter() - copied:.1f} s")  # fmt: skip


def load(engine: Engine, enterprises: int, visits: int, now: datetime) -> None:
    """bench/tiles' park, grids and enterprises (the same generator and seed), then the visits."""
    load_park(engine, enterprises)
    load_visits(engine, visits, now)


# -- timing -------------------------------------------------------------------------------------


def quantiles(ms: list[float]) -> tuple[float, float]:
    """Median and p95 (ms)."""
    if len(ms) < 2:
        return ms[0], ms[0]
    return statistics.median(ms), statistics.quantiles(ms, n=20)[18]


def timed(call: Callable[[], object], runs: int) -> tuple[list[float], object]:
    out, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        out.append((time.perf_counter() - started) * 1000)
    return out, result


def gridmap_call(engine: Engine, month: date, *, cached: bool = True) -> Callable[[], object]:
    """What GET /api/coverage?level=grid does for the whole park: a fresh session, the month
    closed on its first read once it has ended, the figures of every grid. Uncached: the
    process's memory of figures (geo.coverage.memo) is emptied before the call, so the figures
    are read from the database every time (what the first read after any write costs)."""

    def call() -> list[figures.Unit]:
        if not cached:
            figures.UNITS.clear()
        with Session(engine) as session:
            if months.ensure_closed(session, month):
                session.commit()
            return figures.units(session, month, "grid")

    return call


def plain_call(engine: Engine, month: date) -> Callable[[], dict[int, int]]:
    since, until = months.month_bounds(month)

    def call() -> dict[int, int]:
        with engine.connect() as conn:
            rows = conn.execute(text(PLAIN), {"since": since, "until": until})
            return {int(g): int(n) for g, n in rows}

    return call


def compare(units: list[figures.Unit], plain: dict[int, int], engine: Engine) -> int:
    """Grids whose visited count differs from the plain SQL's."""
    with engine.connect() as conn:
        codes = {code: gid for code, gid in conn.execute(text("SELECT code, id FROM grid"))}
    ours = {codes[u.code]: u.visited for u in units}
    return sum(ours.get(g, 0) != plain.get(g, 0) for g in set(ours) | set(plain))


def measure_queries(engine: Engine, args: argparse.Namespace, now: datetime) -> list[tuple]:
    current = months.current_month(now)
    closed = month_list(now)[-2]  # last month: ended, closed by its first read below
    started = time.perf_counter()
    gridmap_call(engine, closed)()
    print(f"closing {months.month_name(closed)} (first read: freezes every unit and enterprise) "
          f"took {time.perf_counter() - started:.1f} s, once")  # fmt: skip
    # the closing wrote a million rows: autovacuum would vacuum and analyze them within a minute,
    # in the middle of the timed reads below (it did: one arm's p95 at 46 ms); do it now, untimed
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("coverage_closed", "coverage_closed_enterprise", "coverage_month"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))
        conn.execute(text("CHECKPOINT"))
    rows = []
    print(f"\n(a) coverage of all 2,000 grids for a month; gridmap {args.runs} runs, plain SQL "
          f"{args.plain_runs} runs (one untimed warm-up each)")  # fmt: skip
    print(f"{'month':<26}{'gridmap p50':>12}{'p95 ms':>9}{'plain p50':>11}{'p95 ms':>9}"
          f"{'ratio p50':>11}{'grids off':>11}")  # fmt: skip
    arms = [
        (f"{months.month_name(m)} {state}{'' if cached else ' uncached'}", m, cached)
        for m, state in ((current, "open"), (closed, "closed"))
        for cached in (True, False)
    ]
    plain_ms: dict[date, list[float]] = {}
    counts: dict[date, object] = {}
    for label, month, cached in arms:
        ours, plain = gridmap_call(engine, month, cached=cached), plain_call(engine, month)
        ours()
        if month not in plain_ms:
            plain()
            plain_ms[month], counts[month] = timed(plain, args.plain_runs)
        ms, units = timed(ours, args.runs)
        (p50, p95), (q50, q95) = quantiles(ms), quantiles(plain_ms[month])
        off = compare(units, counts[month], engine)  # type: ignore[arg-type]
        print(f"{label:<26}{p50:>12.1f}{p95:>9.1f}{q50:>11.1f}{q95:>9.1f}{q50 / p50:>10.1f}×"
              f"{off:>11}")  # fmt: skip
        rows.append((label, p95, q50 / p50))
    return rows


def measure_inserts(engine: Engine, count: int, now: datetime) -> tuple[float, float]:
    """Single-row visit inserts, one transaction each, in alternating blocks of 100 with the
    coverage trigger enabled and disabled (the audit and scope triggers fire in both)."""
    rng = np.random.default_rng(SEED + 2)
    with engine.connect() as conn:
        lo, hi = conn.execute(text("SELECT min(id), max(id) FROM enterprise")).one()
    since = months.month_bounds(months.current_month(now))[0]
    span_us = int((now - since).total_seconds() * 1e6) - 1
    spent: dict[bool, list[float]] = {True: [], False: []}
    without: list[int] = []
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        block = 50
        for b in range(2 * max(1, count // block)):
            enabled = b % 2 == 0
            cur.execute(f"ALTER TABLE visit {'ENABLE' if enabled else 'DISABLE'} TRIGGER {TRIGGER}")
            raw.commit()
            for _ in range(block):
                at = since + timedelta(microseconds=int(rng.integers(0, span_us)))
                params = (int(rng.integers(lo, hi + 1)), at, "verified")
                started = time.perf_counter()
                cur.execute(
                    "INSERT INTO visit (enterprise_id, visited_at, check_result) "
                    "VALUES (%s, %s, %s) RETURNING id",
                    params,
                )
                raw.commit()
                spent[enabled].append((time.perf_counter() - started) * 1000)
                if not enabled:
                    without.append(cur.fetchone()[0])
        # leave the coverage tables true to the visits (for --keep): drop the untracked rows
        cur.execute(f"ALTER TABLE visit DISABLE TRIGGER {TRIGGER}")
        cur.execute("SET LOCAL gridmap.audit = 'bulk'")
        cur.execute("DELETE FROM visit WHERE id = ANY(%s)", (without,))
        cur.execute(f"ALTER TABLE visit ENABLE TRIGGER {TRIGGER}")
        raw.commit()
    finally:
        raw.close()
    (on50, on95), (off50, off95) = quantiles(spent[True]), quantiles(spent[False])
    print(
        f"\n(b) one visit insert in its own transaction, {len(spent[True])} with and "
        f"{len(spent[False])} without trigger {TRIGGER} (alternating blocks of {block})"
    )
    print(f"{'':<22}{'median ms':>10}{'p95 ms':>9}")
    print(f"{'with upkeep':<22}{on50:>10.3f}{on95:>9.3f}")
    print(f"{'without upkeep':<22}{off50:>10.3f}{off95:>9.3f}")
    print(f"{'added by the trigger':<22}{on50 - off50:>10.3f}{on95 - off95:>9.3f}")
    return on50 - off50, on95 - off95


def verdict(rows: list[tuple], added: tuple[float, float]) -> None:
    print("\ntargets:")
    checks = []
    for label, p95, ratio in rows:
        checks += [
            (f"{label}: gridmap p95 = {p95:.1f} ms (< {TARGET_P95_MS:.0f} ms)",
             p95 < TARGET_P95_MS),
            (f"{label}: plain SQL / gridmap (medians) = {ratio:.1f}× (≥ {TARGET_RATIO:.0f}×)",
             ratio >= TARGET_RATIO),
        ]  # fmt: skip
    checks.append((f"added per insert = {added[0]:.3f} ms median, {added[1]:.3f} ms p95 "
                   f"(< {TARGET_ADDED_MS:.0f} ms)", added[0] < TARGET_ADDED_MS))  # fmt: skip
    for label, ok in checks:
        print(f"  {'met ' if ok else 'MISS'}  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=100, help="timed gridmap calls per month")
    parser.add_argument("--plain-runs", type=int, default=5, help="timed plain SQL per month")
    parser.add_argument("--inserts", type=int, default=1000, help="inserts per arm")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    now = datetime.now(UTC)
    url = database_url(Settings(), database=f"gridmap_bench_coverage_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    total = time.perf_counter()
    try:
        schema.upgrade(url)
        engine = make_engine(url)
        load(engine, args.enterprises, args.visits, now)
        rows = measure_queries(engine, args, now)
        added = measure_inserts(engine, args.inserts, now)
        verdict(rows, added)
        engine.dispose()
    finally:
        if args.keep:
            print(f"kept {url.database}")
        else:
            drop_database(url)
            print(f"dropped {url.database}")
        print(f"total {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
