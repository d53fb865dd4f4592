"""The demo park: plan_evacuation (PostGIS graph, demand, CCRP, refinement, report) for a hazard
of every scenario around every key site, in a scratch database; prints median and worst time."""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from geo import schema  # noqa: E402
from geo.db import database_url, drop_database, ensure_database, make_engine  # noqa: E402
from geo.demo import load_demo  # noqa: E402
from geo.evacuation.hazards import hazard_at_site  # noqa: E402
from geo.evacuation.planner import plan_evacuation  # noqa: E402
from geo.models import KeySite  # noqa: E402
from geo.settings import Settings  # noqa: E402
from geo.vocab import HAZARD_SCENARIOS  # noqa: E402


def main() -> None:
    url = database_url(Settings(), database=f"bench_evac_demo_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    try:
        schema.upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            load_demo(session, ROOT / "data" / "layers")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # as autovacuum would have done on a live server
        with Session(engine) as session, session.begin():
            times: list[float] = []
            for code in session.scalars(select(KeySite.code).order_by(KeySite.code)):
                for scenario in HAZARD_SCENARIOS:
                    hazard = hazard_at_site(session, code, scenario=scenario)
                    t0 = time.perf_counter()
                    plan = plan_evacuation(session, hazard.id)
                    times.append(time.perf_counter() - t0)
                    rep = plan.report
                    line = (f"  {code} {scenario:<14} {plan.graph_nodes:>5} nodes "
                            f"{rep.evacuees:>6} evacuees {rep.routed:>6} routed "
                            f"ETE100 {rep.ete100_min} min: {times[-1]:.2f} s")  # fmt: skip
                    print(line, flush=True)
            session.rollback()
        print(f"demo park, {len(times)} hazards: plan_evacuation median "
              f"{statistics.median(times):.2f} s, worst {max(times):.2f} s")  # fmt: skip
        engine.dispose()
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()
