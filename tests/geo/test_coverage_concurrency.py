"""A visit and a move of its enterprise in two concurrent transactions: whichever commits
first, the per-grid figures (migration 0009_coverage_figures) end where the enterprise is."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from geo.coverage import autoclose, months
from geo.models import Community, CoverageGridMonth, CoverageGridTotal, CoverageMonth, Grid, Visit
from tests.geo.editing_fixtures import COMMUNITY, three_grids
from tests.geo.test_editing_concurrency import _cleanup

FIGURES = text(
    "SELECT g.code, m.visited FROM coverage_grid_month m JOIN grid g ON g.id = m.grid_id "
    "WHERE m.month = gridmap_coverage_month(now()) AND m.visited <> 0 ORDER BY 1"
)

VISIT = text(
    "INSERT INTO visit (enterprise_id, visited_at, check_result) VALUES (:e, now(), 'verified')"
)


def _move(engine, enterprise_id: int, grid_id: int, done: list[float]) -> None:
    with Session(engine) as session:
        session.execute(text("UPDATE enterprise SET grid_id = :g WHERE id = :e"),
                        {"g": grid_id, "e": enterprise_id})  # fmt: skip
        session.commit()
        done.append(time.monotonic())


def test_a_move_waits_for_a_first_visit_and_then_takes_its_figures_along(engine):
    with Session(engine) as session:
        world = three_grids(session)
        session.commit()
        enterprise_id, to_grid = world.enterprises["a"].id, world.grids["B"].id
        codes = {letter: grid.code for letter, grid in world.grids.items()}
    try:
        with Session(engine) as visiting:
            visiting.execute(VISIT, {"e": enterprise_id})
            done: list[float] = []
            mover = threading.Thread(target=_move, args=(engine, enterprise_id, to_grid, done))
            mover.start()
            time.sleep(0.5)
            assert not done  # the move waits for the visit's transaction (FOR SHARE)
            committed = time.monotonic()
            visiting.commit()
        mover.join(10)
        assert done and done[0] >= committed
        with Session(engine) as session:
            assert session.execute(FIGURES).all() == [(codes["B"], 1)]
    finally:
        _drop_world(engine)


def _drop_world(engine) -> None:
    with Session(engine) as session:
        cid = session.scalar(select(Community.id).where(Community.code == COMMUNITY))
        grid_ids = list(session.scalars(select(Grid.id).where(Grid.community_id == cid)))
    _cleanup(engine)  # its deletes take the figures back to zero through the triggers
    with Session(engine) as session:  # then the zero rows of the grids that are gone
        session.execute(delete(CoverageGridMonth).where(CoverageGridMonth.grid_id.in_(grid_ids)))
        session.execute(delete(CoverageGridTotal).where(CoverageGridTotal.grid_id.in_(grid_ids)))
        session.commit()


def test_two_closers_at_once_close_an_ended_month_once(engine):
    """Two workers' closers start together: one closes, the other skips or finds it closed."""
    month = date(2026, 10, 1)
    with Session(engine) as session:
        world = three_grids(session)
        session.add(Visit(enterprise_id=world.enterprises["a"].id, check_result="verified",
                          visited_at=datetime(2026, 10, 9, tzinfo=UTC)))  # fmt: skip
        session.commit()
    results: list[list[date]] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        results.append(autoclose.close_due(sessionmaker(engine)))

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(results) == 2 and sum(r.count(month) for r in results) == 1
        with Session(engine) as session:
            assert months.is_closed(session, month)
            assert autoclose.close_due(sessionmaker(engine)) == []  # and once more: nothing
    finally:
        with Session(engine) as session:  # reopen (the closed rows go with it), drop the world
            session.execute(delete(CoverageMonth).where(CoverageMonth.month == month))
            session.commit()
        _drop_world(engine)
