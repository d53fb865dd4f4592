"""The memory of coverage figures per unit: a month's units kept per process, keyed by what they
are computed from, so a repeated read (a dashboard, the map's legend) costs one small query.

An open month's figures depend only on the tables `layer_change` versions (migration 0004:
raised by a statement trigger on every write of visit, enterprise, grid, microgrid, community
and park, in the writer's transaction). The key holds each version with its `changed_at`
(`clock_timestamp()`), so the version numbers a rolled-back transaction used are never taken
for a later transaction's. The versions are read before the figures: figures newer than their
key are never served for an older state, only recomputed once the key moves on. A closed month's
figures are frozen: they are keyed by the month's `closed_at`. The member level (accounts and
staff assignments, which raise no version) is never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import LayerChange

# the tables an open month's unit figures are computed from (see geo/sql/coverage_units.sql)
LAYERS = ("community", "enterprise", "grid", "microgrid", "park", "visit")

T = TypeVar("T")


def layer_token(session: Session) -> tuple[tuple[str, int, float], ...]:
    """The versions of LAYERS now (one query)."""
    rows = session.execute(
        select(LayerChange.layer, LayerChange.version, LayerChange.changed_at)
        .where(LayerChange.layer.in_(LAYERS))
        .order_by(LayerChange.layer)
    )
    return tuple((layer, version, at.timestamp()) for layer, version, at in rows)


class Memo:
    """Least-recently-used results by key, at most `size` of them; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result kept under `key`, else `compute()`'s, kept from now on."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        result = compute()
        with self._lock:
            self._items[key] = result
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return result

    def clear(self) -> None:
        """Forget every result (bench/coverage times the uncached path this way)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
