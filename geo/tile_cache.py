"""The memory of vector tiles: tile bytes (LRU, bounded by size) and table versions.

Tiles are keyed by the versions of the tables they are built from (``layer_change``, raised
by triggers on every write), read at most once per ``ttl`` seconds, so a cached tile costs no
database round trip. Each process keeps its own: workers follow the versions independently.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import LayerChange


class TileCache:
    """Least-recently-used tile bytes, bounded by their total size; safe across threads.

    Each entry also counts `entry_bytes` for its key and bookkeeping, so that empty tiles
    (0 bytes, and most tiles of an empty area are) cannot grow the cache without bound."""

    def __init__(self, max_bytes: int, entry_bytes: int = 256) -> None:
        self.max_bytes = max_bytes
        self.entry_bytes = entry_bytes
        self.size = 0
        self._items: OrderedDict[Any, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> bytes | None:
        """The bytes stored under `key`, now the most recently used; None when absent."""
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: Any, data: bytes) -> None:
        """Store `data`, evicting the least recently used tiles beyond the size bound."""
        cost = len(data) + self.entry_bytes
        if cost > self.max_bytes:  # GRIDMAP_TILE_CACHE_MB=0: nothing is kept
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.size += cost - (len(old) + self.entry_bytes if old is not None else 0)
            self._items[key] = data
            while self.size > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self.size -= len(evicted) + self.entry_bytes

    def __len__(self) -> int:
        return len(self._items)


Versions = Mapping[str, tuple[int, float]]


class LayerVersions:
    """Each table's (version, changed_at) from layer_change, read at most every `ttl` s."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._versions: Versions = {}
        self._read_at = -math.inf
        self._lock = threading.Lock()

    def fresh(self) -> Versions | None:
        """The versions when read less than ttl seconds ago, else None (no query)."""
        if time.monotonic() - self._read_at < self.ttl:
            return self._versions
        return None

    def current(self, session: Session) -> Versions:
        """The versions, re-read when older than the ttl (one query, by one thread)."""
        if time.monotonic() - self._read_at < self.ttl:
            return self._versions
        with self._lock:
            if time.monotonic() - self._read_at >= self.ttl:
                started = time.monotonic()
                rows = session.execute(
                    select(LayerChange.layer, LayerChange.version, LayerChange.changed_at)
                ).all()
                self.store(rows, started)
            return self._versions

    def store(self, rows: Iterable[Sequence[Any]], started: float) -> Versions:
        """Keep the (table, version, changed_at) rows read from layer_change at `started`."""
        self._versions = {r[0]: (r[1], r[2].timestamp()) for r in rows}
        # stamped with the time before the read: never fresher than what was read
        self._read_at = started
        return self._versions
