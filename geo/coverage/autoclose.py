"""Closing ended months in the background: a month that has ended is closed (frozen) shortly after
it ends, and on start-up when one is still open, so no reader pays for closing it.

`close_due` closes every ended month that has visit figures and is still open, each in its own
transaction under a transaction-level advisory lock: with several workers (or processes) only
one closes at a time, the others skip that round; a month already closed is skipped, so running
it twice, or concurrently, is harmless. `Closer` runs it in a daemon thread at start-up and then
shortly after each month's end (China Standard Time), re-checking at least hourly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.coverage.months import (
    close_month,
    current_month,
    month_bounds,
    month_name,
    next_month,
)

log = logging.getLogger("gridmap.coverage")

# pg_try_advisory_xact_lock's key for closing months ('gridmap' 'cov' in ASCII, any fixed number)
LOCK_KEY = 0x67726964636F76
# how long after a month's end (CST) the closing runs: late visits of the last minutes go in first
GRACE = timedelta(minutes=5)
# the longest sleep between two checks (a clock change or a missed wake-up costs at most this)
RECHECK = timedelta(hours=1)

# ended months with per-grid figures (the kept table: a few thousand rows per month) not closed
_DUE = text("""SELECT DISTINCT m.month FROM coverage_grid_month m
WHERE m.month < :current
  AND NOT EXISTS (SELECT 1 FROM coverage_month c WHERE c.month = m.month)
ORDER BY m.month DESC""")


def due_months(session: Session, *, now: datetime | None = None) -> list[date]:
    """Ended months with visits that are still open, newest first."""
    return list(session.scalars(_DUE, {"current": current_month(now)}))


def close_due(sessions: Callable[[], Session], *, now: datetime | None = None) -> list[date]:
    """Close every due month, one transaction each; the months this call closed."""
    with sessions() as session:
        due = due_months(session, now=now)
    closed = []
    for month in due:
        started = time.perf_counter()
        with sessions() as session, session.begin():
            if not session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}):
                log.info("coverage: another process is closing months; skipping this round")
                break
            if not close_month(session, month, by="auto", auto=True):
                continue  # closed meanwhile (a reader's first read, another worker)
        closed.append(month)
        log.info("coverage: closed %s in %.1f s", month_name(month), time.perf_counter() - started)
    return closed


def next_run(now: datetime) -> datetime:
    """When to check next: within RECHECK, but never in the GRACE after the month's end."""
    end = month_bounds(next_month(current_month(now)))[0]
    wake = now + RECHECK
    return end + GRACE if wake >= end else wake


class Closer:
    """A daemon thread closing due months at start-up and after each month's end."""

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self.sessions = sessions
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coverage-closer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end (a closing under way finishes or rolls back with the process)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; whether it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while True:  # once at start-up, then after each wake until stopped
            try:
                close_due(self.sessions)
            except Exception:  # a database away or any bug: logged, tried again at the next wake
                log.exception("coverage: closing ended months failed")
            now = datetime.now(UTC)
            if self._stop.wait(max(1.0, (next_run(now) - now).total_seconds())):
                return
