"""A big first load of enterprises, in chunks: Python validates the next chunk while
PostgreSQL writes the previous one (two processes, two cores).

Used only when the enterprise table is empty (checked under a lock that keeps other writers
out until commit) and the file has at least `bulk.BULK_ROWS` rows: every row is then new, so
each chunk goes straight in, without the indexes, free keys and foreign keys (added again
after the last chunk, `bulk.py`) and with the cluster trigger deferred (the clusters are
filled once at the end, from all the table's rows). The main thread reads nothing new:
it validates chunk after chunk (keys tracked across chunks, row numbers the file's) and
builds each chunk's COPY text; a writer thread, the only user of the connection meanwhile,
writes it (psycopg2 releases the GIL while the server works): COPYed straight into the table
when no grid is live (`_DirectWriter`), else COPYed into the staging table and INSERTed with
its grids assigned on the way (`_StagedWriter`). Still one transaction, all or nothing: a
refused row (strict) or an error undoes everything to the savepoint taken first, and the
report is the one the whole-file path gives.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

from psycopg2 import sql as pgsql
from sqlalchemy.orm import Session

from geo import audit
from geo.layers import bulk, load, stage, validate
from geo.layers.readers import Source
from geo.layers.report import ImportReport
from geo.layers.spec import LayerSpec
from geo.layers.stage import STAGE
from geo.sqlfiles import sql_text

CHUNK_ROWS = 20_000
SAVEPOINT = "gridmap_stream_load"


def applies(session: Session, spec: LayerSpec, rows: int) -> bool:
    """True for an enterprise file of a bulk size going into an empty enterprise table.

    Locks the table against other writers (readers still read) for the rest of the
    transaction, so it stays empty of anyone else's rows until commit.
    """
    if spec.name != "enterprise" or spec.refs or rows < bulk.BULK_ROWS:
        return False
    cursor = _cursor(session)
    with cursor:
        empty = "SELECT NOT EXISTS (SELECT FROM enterprise)"
        cursor.execute(empty)  # a table with rows is not locked: the upsert runs as ever
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("LOCK TABLE enterprise IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(empty)  # again, now that no one else can write
        return bool(cursor.fetchone()[0])


def _cursor(session: Session) -> Any:
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    return dbapi.cursor()


def _bounds(rows: int) -> Iterator[tuple[int, int]]:
    """The chunks' row ranges: a small first one, so that the writer starts early, and a small
    last one, so that little is left to write once the validation ends."""
    small = CHUNK_ROWS // 4
    start, size = 0, small
    while start < rows:
        left = rows - start
        if start and left <= CHUNK_ROWS + small:  # the rest, then a small last chunk
            size = left - small if left > small else left
        stop = min(start + size, rows)
        yield start, stop
        start, size = stop, CHUNK_ROWS


def _chunk(source: Source, start: int, stop: int) -> Source:
    part = slice(start, stop)
    geometry = source.geometry[part] if source.geometry is not None else None
    frame = source.frame.iloc[part].reset_index(drop=True)
    return Source(frame, geometry, source.crs, source.rows[part], source.format, [])


class _Writer(threading.Thread):
    """Writes each chunk's COPY text it is given (`send`); keeps the first error."""

    def __init__(self, cursor: Any, names: list[str], table: str, dropped: list[str]) -> None:
        super().__init__(daemon=True)
        self.cursor, self.names, self.table = cursor, names, table
        self.dropped = dropped  # the indexes and keys to build again after the last chunk
        self.chunks: queue.Queue[str | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.inserted = 0

    def run(self) -> None:
        while (text := self.chunks.get()) is not None:
            if self.error is not None:
                continue  # drain: the main thread stops on the error
            try:
                stage.copy(self.cursor, self.names, iter([text]), self.table)
                self.inserted += int(self.cursor.rowcount)
                self.written()
            except BaseException as exc:  # handed to the main thread
                self.error = exc

    def written(self) -> None:
        """After a chunk's COPY."""

    def restore(self) -> None:
        """Once every chunk is in: undo what writing needed set aside."""

    def send(self, text: str) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put(text)

    def finish(self) -> int:
        self.chunks.put(None)
        self.join()
        if self.error is not None:
            raise self.error
        return self.inserted


class _StagedWriter(_Writer):
    """Live grids exist: each chunk is COPYed into the staging table, then INSERTed with its
    grids assigned on the way (`insert`)."""

    def __init__(self, cursor: Any, names: list[str], insert: Any, dropped: list[str]) -> None:
        super().__init__(cursor, names, STAGE, dropped)
        self.insert = insert

    def written(self) -> None:
        self.cursor.execute(self.insert)
        self.cursor.execute(pgsql.SQL("TRUNCATE {}").format(pgsql.Identifier(STAGE)))


class _DirectWriter(_Writer):
    """No live grid or micro-grid, so nothing to assign: each chunk is COPYed straight into
    the table (COPY writes rows in batches, an INSERT … SELECT one by one).

    The table's two statement triggers that read the inserted rows are set aside meanwhile
    (`ASIDE`), which spares collecting every row for them: the coverage totals count only
    enterprises in a grid (here none), and the clusters are filled at the end (`_finish`).
    """

    ASIDE = ("coverage_total_insert", "tile_cluster_insert")

    def __init__(self, cursor: Any, names: list[str], dropped: list[str]) -> None:
        super().__init__(cursor, names, "enterprise", dropped)
        self.triggers("DISABLE")

    def triggers(self, switch: str) -> None:
        """`DISABLE` or `ENABLE` the triggers set aside (inside the import's transaction)."""
        self.cursor.execute(
            pgsql.SQL("ALTER TABLE enterprise {}").format(
                pgsql.SQL(", ").join(
                    pgsql.SQL(switch + " TRIGGER {}").format(pgsql.Identifier(name))
                    for name in self.ASIDE
                )
            )
        )

    def restore(self) -> None:
        self.triggers("ENABLE")


class _Unwritten(Exception):
    """Nothing of the file is to be kept: undone to the savepoint."""


def load_in_chunks(
    session: Session,
    spec: LayerSpec,
    source: Source,
    report: ImportReport,
    *,
    crs: str | None,
    mapping: dict[str, str] | None,
    strict: bool,
) -> None:
    """Validate and write `source` chunk by chunk (see the module); fills `report`."""
    cursor = _cursor(session)
    with cursor:
        cursor.execute(f"SAVEPOINT {SAVEPOINT}")
        try:
            with audit.bulk(session, spec.name, "import") as summary:
                writer = _validate_and_write(cursor, spec, source, report, crs, mapping, strict)
                inserted = writer.finish() if writer is not None else 0
                refused = report.rejected_rows
                if (refused and strict) or (writer is None and not refused):
                    raise _Unwritten
                if writer is not None:
                    _finish(cursor, writer)
                report.inserted = inserted
                summary.update(inserted=inserted, updated=0, refused=len(refused))
        except _Unwritten:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            if not report.rejected_rows:
                report.notes.append("the file has no rows")
            return
        cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
    report.written = True


def _validate_and_write(
    cursor: Any,
    spec: LayerSpec,
    source: Source,
    report: ImportReport,
    crs: str | None,
    mapping: dict[str, str] | None,
    strict: bool,
) -> _Writer | None:
    """Validate every chunk; hand each one's rows to the writer (started with the first)."""
    seen: dict[str, int] = {}
    writer: _Writer | None = None
    try:
        for start, stop in _bounds(len(source.frame)):
            chunk = _chunk(source, start, stop)
            prepared = validate.prepare(spec, chunk, report, crs=crs, mapping=mapping, seen=seen)
            crs = crs or report.crs  # detected once, on the first chunk
            if (strict and report.rejected_rows) or prepared.frame.empty:
                continue  # nothing more is written; the rest is validated for the report
            if writer is None:
                writer = _start(cursor, spec, prepared)
            writer.send("".join(stage.copy_text(prepared.frame, writer.names)))
    except BaseException:
        if writer is not None:
            writer.error = writer.error or RuntimeError("stopped")
            writer.chunks.put(None)
            writer.join()
        raise
    report.notes[:] = list(dict.fromkeys(report.notes))  # once, not once per chunk
    return writer


def _start(cursor: Any, spec: LayerSpec, prepared: validate.Prepared) -> _Writer:
    """Drop the indexes, defer the cluster trigger, start writing (staged or direct)."""
    dropped = bulk.drop_for_bulk_load(cursor, spec.name, bulk.BULK_ROWS)
    load.defer_clusters(cursor, "deferred")
    ident = pgsql.Identifier
    cursor.execute(sql_text("import_live_places"))
    if not cursor.fetchone()[0]:
        names = [c for c in prepared.columns if c != "_row"]
        writer: _Writer = _DirectWriter(cursor, names, dropped)
    else:
        # an enterprise file without compounds: the assignment reads the (empty) stored ones
        borrowed = [] if "compound" in prepared.columns else ["compound"]
        computed = load.COMPUTED[spec.name]
        names = stage.create_table(cursor, spec, prepared, computed + borrowed)
        given = [c for c in prepared.columns if c != "_row"]
        # each chunk's rows go in assigned by the rule (not written twice: no UPDATE of the
        # staged rows first)
        insert = pgsql.SQL(
            "INSERT INTO {t} ({cols}) SELECT {given}, {computed} FROM {s} AS e "
            "CROSS JOIN LATERAL (SELECT {rule}) AS p"
        ).format(
            t=ident(spec.name), cols=pgsql.SQL(", ").join(map(ident, given + computed)),
            given=pgsql.SQL(", ").join(ident("e", c) for c in given),
            computed=pgsql.SQL(", ").join(ident("p", c) for c in computed),
            s=ident(STAGE), rule=pgsql.SQL(sql_text("assign_rule_places")),
        )  # fmt: skip
        writer = _StagedWriter(cursor, names, insert, dropped)
    writer.start()
    return writer


def _finish(cursor: Any, writer: _Writer) -> None:
    """Indexes and keys back, then the clusters of all the rows, in one statement.

    The table was empty when the load began and no one else has written to it since (it is
    locked against writers), so its rows are the load's. Summing them once here costs less
    than summing each chunk in the writer (≈100,000 scattered enterprises are nearly as many
    level-18 cells, which every chunk's sums would write and the end would add up again).
    """
    bulk.rebuild(cursor, writer.dropped)
    writer.restore()
    load.defer_clusters(cursor, "")
    load.fill_clusters(
        cursor, pgsql.SQL("SELECT id, geom, employees_day FROM enterprise"), writer.inserted
    )
    cursor.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(pgsql.Identifier(STAGE)))
