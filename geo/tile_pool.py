"""Tile SQL on connections of its own, awaited in the event loop (psycopg2 asynchronous mode).

An uncached tile is one round trip: the EXECUTE of its layer's statement (prepared once per
connection) in autocommit, on a connection whose parallel query workers are off for good. No
worker thread, no ORM session, no pre-ping `SELECT 1`, no `BEGIN`/`SET LOCAL`/`ROLLBACK`:
those were half of an uncached tile's CPU time in the server process. A connection that fails
is closed, never reused; a tile that failed on an idle connection (the server restarted) is
tried once more on a new one. The table versions of the cache key are read the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import psycopg2
import psycopg2.extensions as pgx

from geo.errors import DatabaseUnavailable
from geo.tile_cache import Versions
from geo.tiles import Tile, Tiles, statement, tile_call, tile_layer

VERSIONS_SQL = "SELECT layer, version, changed_at FROM layer_change"
# the connection serves tiles only: what the tile transaction used to SET LOCAL, for good
SETUP_SQL = "SET max_parallel_workers_per_gather = 0"


def _wake(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)


async def _ready(conn: Any) -> None:
    """Wait in the event loop until `conn` finished its pending connect or query."""
    loop = asyncio.get_running_loop()
    while True:
        state = conn.poll()
        if state == pgx.POLL_OK:
            return
        fd = conn.fileno()
        done = loop.create_future()
        watch, unwatch = (
            (loop.add_reader, loop.remove_reader)
            if state == pgx.POLL_READ
            else (loop.add_writer, loop.remove_writer)
        )
        watch(fd, _wake, done)
        try:
            await done
        finally:
            unwatch(fd)


class TileConnections:
    """Up to `size` asynchronous connections for tile SQL; one pool per event loop."""

    def __init__(self, dsn: str, size: int) -> None:
        self.dsn = dsn
        self.size = size
        self._idle: list[tuple[Any, set[str]]] = []  # connection, statements prepared on it
        self._closed = False

    async def _connect(self) -> tuple[Any, set[str]]:
        conn = psycopg2.connect(self.dsn, async_=True, connect_timeout=5,
                                application_name="gridmap-tiles")  # fmt: skip
        try:
            await _ready(conn)
            cursor = conn.cursor()  # kept: psycopg2 polls through the cursor of the query
            cursor.execute(SETUP_SQL)
            await _ready(conn)
        except BaseException:
            conn.close()
            raise
        return conn, set()

    async def _run(self, sql: str, params: dict[str, Any] | None, prepare: tuple[str, str] | None
                   ) -> list[tuple[Any, ...]]:  # fmt: skip
        reused = bool(self._idle)
        try:
            conn, prepared = self._idle.pop() if reused else await self._connect()
        except psycopg2.OperationalError as exc:
            raise DatabaseUnavailable(f"cannot connect to PostgreSQL for tiles: {exc}") from exc
        try:
            cursor = conn.cursor()
            if prepare is not None and prepare[0] not in prepared:
                cursor.execute(prepare[1])
                await _ready(conn)
                prepared.add(prepare[0])
            cursor.execute(sql, params)
            await _ready(conn)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        except psycopg2.OperationalError as exc:
            conn.close()
            if reused:  # a connection left idle may have been closed by the server: retry once
                return await self._run(sql, params, prepare)
            raise DatabaseUnavailable(f"PostgreSQL failed while making a tile: {exc}") from exc
        except BaseException:  # a cancelled or failed query leaves the connection unusable
            conn.close()
            raise
        if self._closed or len(self._idle) >= self.size:
            conn.close()
        else:
            self._idle.append((conn, prepared))
        return rows

    async def tile_bytes(self, name: str, params: dict[str, Any]) -> bytes:
        """The MVT made by the prepared tile statement `name` with `params`."""
        stmt = statement(name)
        rows = await self._run(stmt.execute_pyformat, params, (name, stmt.prepare))
        data = rows[0][0]
        return bytes(data) if data else b""

    async def versions(self) -> Sequence[tuple[Any, ...]]:
        """Rows of layer_change: (table, version, changed_at)."""
        return await self._run(VERSIONS_SQL, None, None)

    def close(self) -> None:
        """Close the idle connections; those in use close when they are given back."""
        self._closed = True
        while self._idle:
            self._idle.pop()[0].close()


async def build_tile(tiles: Tiles, pool: TileConnections, name: str, *, z: int, x: int, y: int
                     ) -> Tile:  # fmt: skip
    """Tile z/x/y of layer `name` through `pool`, from the cache when its tables have not
    changed (the versions are read before the tile, as `Tiles.tile` does)."""
    layer = tile_layer(name)
    versions: Versions | None = tiles.versions.fresh()
    if versions is None:
        started = time.monotonic()
        versions = tiles.versions.store(await pool.versions(), started)
    etag = tiles.etag(layer, versions)
    key = (name, z, x, y, etag)
    data = tiles.cache.get(key)
    if data is None:
        call = tile_call(layer, z=z, x=x, y=y)
        data = b"" if call is None else await pool.tile_bytes(*call)
        tiles.cache.put(key, data)
    return Tile(data, etag)
