"""Ended months close in the background (geo/coverage/autoclose.py): due months are closed once,
a second run or a run while another process holds the lock changes nothing, and the thread is
scheduled shortly after each month's end."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, text

from geo.coverage import autoclose, figures, months
from geo.models import CoverageMonth, Enterprise
from tests.geo.catalog_fixtures import G1, build_world
from tests.geo.test_coverage import OCTOBER, _visit

SEPTEMBER = date(2026, 9, 1)


def _world_with_visits(db) -> None:
    world = build_world(db)
    e1 = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e1"]))
    _visit(db, e1, datetime(2026, 9, 20, tzinfo=UTC), "verified")
    _visit(db, e1, datetime(2026, 10, 10, tzinfo=UTC), "flagged")
    _visit(db, e1, db.scalar(text("SELECT now()")), "verified")  # the current month: never due
    db.commit()  # (a savepoint of the test's transaction: close_due's sessions see the rows)


def test_ended_months_with_visits_are_closed_once_and_a_second_run_is_harmless(db):
    _world_with_visits(db)
    assert autoclose.due_months(db) == [OCTOBER, SEPTEMBER]
    assert autoclose.close_due(lambda: db) == [OCTOBER, SEPTEMBER]
    assert months.is_closed(db, OCTOBER) and months.is_closed(db, SEPTEMBER)
    assert not months.is_closed(db, months.current_month())
    by = db.scalars(select(CoverageMonth.closed_by).where(CoverageMonth.month == OCTOBER))
    assert list(by) == ["auto"]
    [g1] = figures.units(db, OCTOBER, "grid", grid=G1)
    assert (g1.visited, g1.verified, g1.flagged) == (1, 0, 1)
    assert autoclose.due_months(db) == []
    assert autoclose.close_due(lambda: db) == []


def test_a_month_closed_meanwhile_by_a_reader_is_skipped(db):
    _world_with_visits(db)
    assert months.ensure_closed(db, OCTOBER)
    db.commit()
    assert autoclose.close_due(lambda: db) == [SEPTEMBER]


def test_while_another_process_holds_the_lock_nothing_is_closed(db, engine):
    _world_with_visits(db)
    with engine.connect() as other:
        assert other.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": autoclose.LOCK_KEY})
        try:
            assert autoclose.close_due(lambda: db) == []
            assert not months.is_closed(db, OCTOBER)
        finally:
            other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": autoclose.LOCK_KEY})
    assert autoclose.close_due(lambda: db) == [OCTOBER, SEPTEMBER]


def test_the_next_check_is_shortly_after_the_month_ends_or_within_an_hour():
    # 2026-11-30 23:00 CST = 15:00 UTC: the month ends in an hour, the check follows 5 min later
    late = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert autoclose.next_run(late) == datetime(2026, 11, 30, 16, 5, tzinfo=UTC)
    early = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)
    assert autoclose.next_run(early) == datetime(2026, 11, 10, 4, 0, tzinfo=UTC)
    # just before the end: the check waits for the grace period, not a full hour
    assert autoclose.next_run(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == datetime(
        2026, 11, 30, 16, 5, tzinfo=UTC
    )


def test_the_closer_thread_closes_due_months_at_start_and_stops(db):
    _world_with_visits(db)
    closer = autoclose.Closer(lambda: db)
    closer.start()
    closer.stop()
    closer._thread.join(timeout=30)
    assert not closer._thread.is_alive()
    assert months.is_closed(db, OCTOBER) and months.is_closed(db, SEPTEMBER)
