"""A big first load of enterprises, in chunks: Python validates the next chunk while
PostgreSQL writes the previous one (two processes, two cores).

Used only when the enterprise table is empty (checked under a lock that keeps other writers
out until commit) and the file has at least `bulk.BULK_ROWS` rows: every row is then new, so
each chunk goes straight in, without the indexes, free keys and foreign keys (added again
after the last chunk, `bulk.py`) and with the cluster trigger deferred (the clusters are
filled once at the end). The main thread reads nothing new: it validates chunk after chunk
(keys tracked across chunks, row numbers the file's), gives the rows ids reserved from the
table's sequence and adds them to the clusters' sums (`chunk_clusters.py`), places each
chunk's enterprises in the live grids and micro-grids if there are any (`chunk_places.py`: in
Python, exact where shapely and PostGIS could differ) and turns the chunk into Arrow columns;
a writer thread, the only user of the connection meanwhile, makes the COPY text from them with
one call to Arrow and writes it (both release the GIL while they work): COPYed straight into
the table (COPY writes rows in batches, an INSERT … SELECT one by one), except the few rows
PostGIS must place, which are COPYed into the staging table and INSERTed with the SQL rule.
Still one transaction, all or nothing: a refused row (strict) or an error undoes everything to the
savepoint taken first, and the report is the one the whole-file path gives.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from psycopg2 import sql as pgsql
from sqlalchemy.orm import Session

from geo import audit
from geo.layers import bulk, chunk_clusters, chunk_places, encode, load, stage, validate
from geo.layers.readers import Source
from geo.layers.report import NO_ROWS, ImportReport
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
    """Writes each chunk it is given (`send`); keeps the first error.

    A chunk is two COPY texts: rows COPYed straight into the table (with their grids when
    some are live, decided in Python: chunk_places.py), and rows PostGIS places (`staged`):
    COPYed into the staging table, then INSERTed with the rule (`insert`).

    The table's two statement triggers that read the inserted rows are set aside meanwhile
    (`ASIDE`), which spares collecting every row for them: the clusters are filled at the end
    (`_finish`), and with no live grid the coverage totals, which count only enterprises in a
    grid, have nothing to count.
    """

    ASIDE = ("tile_cluster_insert",)  # always
    UNGRIDDED = ("coverage_total_insert",)  # with no grid live

    def __init__(
        self, cursor: Any, names: list[str], dropped: list[str], sums: chunk_clusters.Sums,
        staged_names: list[str], insert: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.cursor, self.names = cursor, names
        self.sums = sums  # the clusters' sums, made by the main thread as it sends the chunks
        self.dropped = dropped  # the indexes and keys to build again after the last chunk
        self.staged_names, self.insert = staged_names, insert  # the staging table's, the rule
        self.chunks: queue.Queue[tuple[pa.Table, pa.Table] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.inserted = 0
        self.aside = [*self.ASIDE, *(() if insert else self.UNGRIDDED)]
        self.triggers("DISABLE")

    def triggers(self, switch: str) -> None:
        """`DISABLE` or `ENABLE` the triggers set aside (inside the import's transaction)."""
        if not self.aside:
            return
        self.cursor.execute(
            pgsql.SQL("ALTER TABLE enterprise {}").format(
                pgsql.SQL(", ").join(
                    pgsql.SQL(switch + " TRIGGER {}").format(pgsql.Identifier(name))
                    for name in self.aside
                )
            )
        )

    def run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is not None:
                continue  # drain: the main thread stops on the error
            try:
                self.write(*chunk)
            except BaseException as exc:  # handed to the main thread
                self.error = exc

    def write(self, direct: pa.Table, staged: pa.Table) -> None:
        # the COPY text is made here: Arrow's writer releases the GIL (encode.py)
        if direct.num_rows:
            stage.copy(self.cursor, self.names, iter([encode.data(direct)]), "enterprise")
            self.inserted += int(self.cursor.rowcount)
        if staged.num_rows:
            stage.copy(self.cursor, self.staged_names, iter([encode.data(staged)]), STAGE)
            self.cursor.execute(self.insert)
            self.inserted += int(self.cursor.rowcount)
            self.cursor.execute(pgsql.SQL("TRUNCATE {}").format(pgsql.Identifier(STAGE)))

    def send(self, direct: pa.Table, staged: pa.Table) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put((direct, staged))

    def finish(self) -> int:
        self.chunks.put(None)
        self.join()
        if self.error is not None:
            raise self.error
        return self.inserted


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
                writer = _validate_and_write(
                    session, cursor, spec, source, report, crs, mapping, strict
                )
                # made while the writer writes the last chunk
                sums = writer.sums.copy_data() if writer is not None else b""
                inserted = writer.finish() if writer is not None else 0
                refused = report.rejected_rows
                if (refused and strict) or (writer is None and not refused):
                    raise _Unwritten
                if writer is not None:
                    _finish(cursor, writer, sums)
                report.inserted = inserted
                summary.update(inserted=inserted, updated=0, refused=len(refused))
        except _Unwritten:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            if not report.rejected_rows:
                report.notes.append(NO_ROWS)
            return
        cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
    report.written = True


def _validate_and_write(
    session: Session,
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
    places: chunk_places.Places | None = None
    try:
        for start, stop in _bounds(len(source.frame)):
            chunk = _chunk(source, start, stop)
            prepared = validate.prepare(spec, chunk, report, crs=crs, mapping=mapping, seen=seen)
            crs = crs or report.crs  # detected once, on the first chunk
            if (strict and report.rejected_rows) or prepared.frame.empty:
                continue  # nothing more is written; the rest is validated for the report
            if writer is None:
                writer, places = _start(session, cursor, spec, prepared, len(source.frame))
            writer.sums.add(prepared.frame)  # and the rows' ids
            direct, staged = prepared.frame, prepared.frame.iloc[:0]
            if places is not None:
                direct, staged = chunk_places.split(prepared.frame, places)
            writer.send(
                encode.table(direct, writer.names), encode.table(staged, writer.staged_names)
            )
    except BaseException:
        if writer is not None:
            writer.error = writer.error or RuntimeError("stopped")
            writer.chunks.put(None)
            writer.join()
        raise
    report.notes[:] = list(dict.fromkeys(report.notes))  # once, not once per chunk
    return writer


def _start(
    session: Session, cursor: Any, spec: LayerSpec, prepared: validate.Prepared, rows: int
) -> tuple[_Writer, chunk_places.Places | None]:
    """Drop the indexes, defer the cluster trigger, reserve the rows' ids, read the live
    places, start writing."""
    dropped = bulk.drop_for_bulk_load(cursor, spec.name, bulk.BULK_ROWS)
    load.defer_clusters(cursor, "deferred")
    sums = chunk_clusters.Sums(chunk_clusters.reserve_ids(cursor, spec.name, rows))
    prepared = dataclasses.replace(prepared, columns=[*prepared.columns, "id"])
    names = [c for c in prepared.columns if c != "_row"]
    cursor.execute(sql_text("import_live_places"))
    if not cursor.fetchone()[0]:
        writer = _Writer(cursor, names, dropped, sums, [])
        writer.start()
        return writer, None
    places = chunk_places.load(session)
    computed = load.COMPUTED[spec.name]
    # an enterprise file without compounds: the rule reads the (empty) stored ones
    borrowed = [] if "compound" in prepared.columns else ["compound"]
    staged_names = stage.create_table(cursor, spec, prepared, computed + borrowed)
    ident = pgsql.Identifier
    # the rows PostGIS places go in assigned by the rule (not written twice: no UPDATE of the
    # staged rows first)
    insert = pgsql.SQL(
        "INSERT INTO {t} ({cols}) SELECT {given}, {computed} FROM {s} AS e "
        "CROSS JOIN LATERAL (SELECT {rule}) AS p"
    ).format(
        t=ident(spec.name), cols=pgsql.SQL(", ").join(map(ident, names + computed)),
        given=pgsql.SQL(", ").join(ident("e", c) for c in names),
        computed=pgsql.SQL(", ").join(ident("p", c) for c in computed),
        s=ident(STAGE), rule=pgsql.SQL(sql_text("assign_rule_places")),
    )  # fmt: skip
    writer = _Writer(cursor, names + computed, dropped, sums, staged_names, insert)
    writer.start()
    return writer, places


def _finish(cursor: Any, writer: _Writer, sums: bytes) -> None:
    """Indexes and keys back, then the clusters of all the rows, from the sums made in Python
    (`sums`, chunk_clusters.py) and tile_cell for the few rows Python left to it.

    The table was empty when the load began and no one else has written to it since (it is
    locked against writers), so its rows are the load's. Summing each chunk in Python while
    the server writes the previous one leaves the end ~25,000 cells to add instead of a
    tile_cell and the sums over every row (0.2–0.45 s per 100,000 rows, the other core idle).
    """
    bulk.rebuild(cursor, writer.dropped)
    writer.triggers("ENABLE")
    load.defer_clusters(cursor, "")
    rows, fine = writer.sums.write(cursor, sums)
    load.fill_clusters(cursor, rows, writer.inserted, fine)
    for table in (STAGE, chunk_clusters.SUMS):
        cursor.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(pgsql.Identifier(table)))
