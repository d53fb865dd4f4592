"""Writing validated rows: stage them, resolve parents, assign, insert or upsert by natural key.

Runs inside the caller's transaction and never commits: an import is all or nothing.
Identifiers come from the layer specs (constants) and are quoted by psycopg2.sql; values
travel only through COPY and bound parameters.
"""

from __future__ import annotations

from typing import Any

from psycopg2 import errors as pgerrors
from psycopg2 import sql as pgsql
from sqlalchemy.orm import Session

from geo import audit
from geo.hierarchy import RULES_OF_LAYER, require_hierarchy
from geo.layers import bulk, stage
from geo.layers.report import ImportReport, both
from geo.layers.spec import LayerSpec, Ref
from geo.layers.stage import STAGE
from geo.layers.validate import Prepared
from geo.sqlfiles import sql, sql_text

VERSIONED = {"grid": "community_id", "microgrid": "grid_id"}
# table columns an import computes itself, staged beside the file's columns
COMPUTED = {"enterprise": ["grid_id", "microgrid_id"]}
MERGE = "\n-- merge\n"  # fill_enterprise_cluster.sql's ON CONFLICT arm starts here
MERGE_END = "\n-- end of merge\n"  # … and ends here


# the big layers, left to autovacuum: an ANALYZE would cost bulk imports a noticeable share
UNANALYSED = frozenset({"enterprise", "visit"})


def _resolve(cursor: Any, ref: Ref, has_source: bool, report: ImportReport) -> None:
    ident = pgsql.Identifier
    live = pgsql.SQL(" AND p.valid_to IS NULL" if ref.table in VERSIONED else "")
    if has_source:
        cursor.execute(
            pgsql.SQL("UPDATE {s} SET {col} = p.id FROM {t} p WHERE p.{key} = {s}.{src}").format(
                s=ident(STAGE), col=ident(ref.column), t=ident(ref.table),
                key=ident(ref.key), src=ident(ref.source),
            )
        )  # fmt: skip
    if ref.by_location:
        # the parent covering a point inside the child (not its centroid, which may lie outside)
        cursor.execute(
            pgsql.SQL(
                "UPDATE {s} SET {col} = (SELECT p.id FROM {t} p "
                "WHERE ST_Covers(p.geom, ST_PointOnSurface({s}.geom)){live} ORDER BY p.id LIMIT 1) "
                "WHERE {col} IS NULL{unkeyed}"
            ).format(
                unkeyed=pgsql.SQL(" AND {} IS NULL").format(ident(ref.source))
                if has_source
                else pgsql.SQL(""),
                s=ident(STAGE), col=ident(ref.column), t=ident(ref.table), live=live,
            )
        )  # fmt: skip
    _report_unresolved(cursor, ref, has_source, report)


def _report_unresolved(cursor: Any, ref: Ref, has_source: bool, report: ImportReport) -> None:
    ident = pgsql.Identifier
    source = pgsql.SQL("{}").format(ident(ref.source)) if has_source else pgsql.SQL("NULL")
    cursor.execute(
        pgsql.SQL("SELECT _row, {src} FROM {s} WHERE {col} IS NULL").format(
            src=source, s=ident(STAGE), col=ident(ref.column)
        )
    )
    label = ref.label or ref.source
    for row, key in cursor.fetchall():
        if key is not None:
            report.reject(
                row, both(f"{label} '{key}' 不存在（{ref.table}）",
                          f"{label} '{key}' does not exist ({ref.table})"),
            )  # fmt: skip
        elif ref.by_location:
            report.reject(
                row, both(f"没有 {ref.table} 覆盖此几何图形，也未给出{label}",
                          f"no {ref.table} covers this geometry and {label} is not given"),
            )  # fmt: skip
        elif ref.required:
            report.reject(row, both(f"{label}：缺失", f"{label}: missing"))


def _history(cursor: Any, spec: LayerSpec) -> None:
    """Keep the old boundary of every re-imported grid/micro-grid whose geometry changed."""
    parent = VERSIONED[spec.name]
    cursor.execute(
        pgsql.SQL(
            "INSERT INTO boundary_version (layer, feature_id, version, code, name, kind, "
            "parent_id, valid_from, valid_to, geom) "
            "SELECT %s, t.id, t.version, t.code, t.name, t.kind, t.{parent}, t.valid_from, "
            "clock_timestamp(), t.geom FROM {t} t JOIN {s} s ON s.code = t.code "
            "WHERE NOT ST_Equals(t.geom, s.geom)"
        ).format(parent=pgsql.Identifier(parent), t=pgsql.Identifier(spec.name),
                 s=pgsql.Identifier(STAGE)),
        (spec.name,),
    )  # fmt: skip


def _insert(cursor: Any, spec: LayerSpec, columns: list[str], rows: int) -> int:
    """A plain INSERT of the staged rows (none of their keys exists yet): written once.

    Into an empty table a big load goes in without its indexes and free keys, rebuilt after.
    """
    ident = pgsql.Identifier
    dropped = bulk.drop_for_bulk_load(cursor, spec.name, rows)
    cols = pgsql.SQL(", ").join(map(ident, columns))
    # without indexes to grow, the rows need no spatial order
    order = pgsql.SQL("") if dropped else pgsql.SQL(" ORDER BY {}").format(_order(columns))
    insert = pgsql.SQL("INSERT INTO {t} ({cols}) SELECT {cols} FROM {s}{order}").format(
        t=ident(spec.name), cols=cols, s=ident(STAGE), order=order
    )
    if spec.name == "enterprise":  # the cluster trigger skips this INSERT; the fill adds it
        defer_clusters(cursor, "deferred")
        inserted = _fill_clusters(cursor, insert, rows if dropped else 0)
        defer_clusters(cursor, "")
    else:
        cursor.execute(insert)
        inserted = int(cursor.rowcount)
    bulk.rebuild(cursor, dropped)
    return inserted


def defer_clusters(cursor: Any, mode: str) -> None:
    """`deferred`: the enterprise-cluster trigger skips this transaction's writes (0010)."""
    cursor.execute("SELECT set_config('gridmap.cluster', %s, true)", (mode,))


def _fill_clusters(cursor: Any, insert: pgsql.Composable, bulk_rows: int) -> int:
    """Run `insert` (new enterprises) and add its rows to the clusters, set-based; its count.

    `bulk_rows` > 0 when the enterprise table was empty: into empty clusters the cells then
    go in before their key is built.
    """
    returning = pgsql.SQL("{} RETURNING id, geom, employees_day").format(insert)
    return fill_clusters(cursor, returning, bulk_rows)


def fill_clusters(
    cursor: Any, rows: pgsql.Composable, bulk_rows: int, fine: pgsql.Composable | None = None
) -> int:
    """Add the enterprises `rows` yields (id, geom, employees_day) to the clusters; their count.

    Same arithmetic as the trigger (migration 0005), under the trigger's advisory lock, in
    one statement (fill_enterprise_cluster.sql; `rows` may be an INSERT … RETURNING). `fine`,
    the level-18 sums, are those of `rows` unless the caller brings its own
    (chunk_clusters.py).
    """
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('enterprise_cluster'))")
    cursor.execute("SELECT EXISTS (SELECT FROM enterprise_cluster)")
    head, rest = sql_text("fill_enterprise_cluster").split(MERGE)
    merge, tail = rest.split(MERGE_END)
    merging = bool(cursor.fetchone()[0])
    # no cell to merge into: a plain INSERT (the file's own comment explains)
    dropped = [] if merging else bulk.drop_for_bulk_load(cursor, "enterprise_cluster", bulk_rows)
    statement = head + (merge if merging else "") + tail
    fine = fine or pgsql.SQL(sql_text("enterprise_cluster_cells"))
    cursor.execute(pgsql.SQL(statement).format(rows=rows, fine=fine))
    inserted = int(cursor.fetchone()[0])
    bulk.rebuild(cursor, dropped)
    return inserted


def _order(columns: list[str]) -> pgsql.Composable:
    # rows near each other in space go in together: the GiST index grows with locality
    return pgsql.Identifier("geom" if "geom" in columns else "_row")


def _any_key_exists(cursor: Any, spec: LayerSpec) -> bool:
    on = pgsql.SQL(" AND ").join(
        pgsql.SQL("t.{c} = s.{c}").format(c=pgsql.Identifier(c)) for c in spec.conflict_columns
    )
    cursor.execute(
        pgsql.SQL("SELECT EXISTS (SELECT FROM {t} t JOIN {s} s ON {on})").format(
            t=pgsql.Identifier(spec.name), s=pgsql.Identifier(STAGE), on=on
        )
    )
    return bool(cursor.fetchone()[0])


def _write(cursor: Any, spec: LayerSpec, columns: list[str], rows: int) -> tuple[int, int, int]:
    """Insert when no staged key exists yet (a first load), else upsert; (inserted, updated,
    unchanged).

    A key inserted by a concurrent import after the check makes the plain INSERT fail; it is
    then undone to the savepoint and the rows go through the upsert, as they always could.
    """
    if _any_key_exists(cursor, spec):
        return _upsert(cursor, spec, columns)
    cursor.execute("SAVEPOINT gridmap_fresh_insert")
    try:
        inserted = _insert(cursor, spec, columns, rows)
    except pgerrors.UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT gridmap_fresh_insert")
        return _upsert(cursor, spec, columns)
    cursor.execute("RELEASE SAVEPOINT gridmap_fresh_insert")
    return inserted, 0, 0


def _upsert(cursor: Any, spec: LayerSpec, columns: list[str]) -> tuple[int, int, int]:
    """Insert new keys, update the rows whose values differ; (inserted, updated, unchanged).

    A row the file gives exactly as stored is left alone (`WHERE … IS DISTINCT FROM`): not
    rewritten, its triggers not fired, its `updated_at` kept, so re-importing this month's list
    rewrites only what changed and the report says how much that was.
    """
    ident = pgsql.Identifier
    table = ident(spec.name)
    compared = [c for c in columns if c not in spec.conflict_columns]
    updates = [pgsql.SQL("{c} = EXCLUDED.{c}").format(c=ident(c)) for c in compared]
    if spec.name in VERSIONED:
        changed = pgsql.SQL("NOT ST_Equals({t}.geom, EXCLUDED.geom)").format(t=table)
        updates.append(pgsql.SQL("version = {t}.version + ({c})::int").format(
            t=table, c=changed))  # fmt: skip
        updates.append(pgsql.SQL(
            "valid_from = CASE WHEN {c} THEN clock_timestamp() ELSE {t}.valid_from END"
        ).format(c=changed, t=table))  # fmt: skip
    if updates and _has_column(cursor, spec.name, "updated_at"):
        updates.append(pgsql.SQL("updated_at = now()"))
    action = (
        pgsql.SQL("DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})").format(
            pgsql.SQL(", ").join(updates),
            pgsql.SQL(", ").join(
                pgsql.SQL("{t}.{c}").format(t=table, c=ident(c)) for c in compared
            ),
            pgsql.SQL(", ").join(pgsql.SQL("EXCLUDED.{c}").format(c=ident(c)) for c in compared),
        )
        if compared
        else pgsql.SQL("DO NOTHING")
    )
    cols = pgsql.SQL(", ").join(map(ident, columns))
    cursor.execute(
        pgsql.SQL(
            "WITH done AS (INSERT INTO {t} ({cols}) SELECT {cols} FROM {s} ORDER BY {order} "
            "ON CONFLICT ({key}) {action} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), "
            "(SELECT count(*) FROM {s}) FROM done"
        ).format(
            t=table, cols=cols, s=ident(STAGE), action=action,
            order=_order(columns),
            key=pgsql.SQL(", ").join(map(ident, spec.conflict_columns)),
        )
    )  # fmt: skip
    inserted, updated, staged = cursor.fetchone()
    return int(inserted), int(updated), int(staged) - int(inserted) - int(updated)


def _has_column(cursor: Any, table: str, column: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass(%s) "
        "AND attname = %s AND NOT attisdropped)",
        (table, column),
    )
    return bool(cursor.fetchone()[0])


# the communities a staged write touches, before and after it (a moved grid changes two)
AFFECTED_SQL = {
    "community": "SELECT c.id FROM community c JOIN {s} s ON s.code = c.code",
    "grid": "SELECT community_id FROM {s} UNION SELECT g.community_id FROM grid g "
    "JOIN {s} s ON s.code = g.code",
    "microgrid": "SELECT g.community_id FROM grid g WHERE g.id IN (SELECT grid_id FROM {s} "
    "UNION SELECT m.grid_id FROM microgrid m JOIN {s} s ON s.code = m.code)",
}


def _affected(cursor: Any, spec: LayerSpec) -> set[int]:
    if spec.name not in AFFECTED_SQL:
        return set()
    cursor.execute(pgsql.SQL(AFFECTED_SQL[spec.name]).format(s=pgsql.Identifier(STAGE)))
    return {int(row[0]) for row in cursor.fetchall() if row[0] is not None}


def _assign(session: Session, cursor: Any, borrowed: list[str]) -> None:
    """Each staged enterprise's grid and micro-grid, before the write (rows are written once)."""
    if borrowed:
        cursor.execute(
            pgsql.SQL(
                "UPDATE {s} SET compound = t.compound FROM enterprise t "
                "WHERE t.uscc = {s}.uscc AND t.compound IS NOT NULL"
            ).format(s=pgsql.Identifier(STAGE))
        )
    session.execute(sql("import_assign_stage"))


def load(
    session: Session, spec: LayerSpec, prepared: Prepared, report: ImportReport, *, strict: bool
) -> None:
    """Stage, resolve parents, assign, then write unless (strict and) any row was refused.

    This is the one place where an import writes, all of it inside the caller's transaction:
    transaction-local settings for bulk writes belong at its top.
    """
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    computed = COMPUTED.get(spec.name, [])
    cursor: Any = dbapi.cursor()
    with cursor:
        # an enterprise file without compounds keeps the stored ones; the assignment reads them
        borrowed = (
            ["compound"] if spec.name == "enterprise" and "compound" not in prepared.columns else []
        )
        stage.create(cursor, spec, prepared, computed + borrowed)
        for ref in spec.refs:
            _resolve(cursor, ref, ref.source in prepared.refs, report)
        refused = list(report.rejected_rows)
        if refused and strict:
            return
        if refused:
            cursor.execute(
                pgsql.SQL("DELETE FROM {} WHERE _row = ANY(%s)").format(pgsql.Identifier(STAGE)),
                (refused,),
            )
        if spec.name == "enterprise":
            _assign(session, cursor, borrowed)
        columns = [c for c in prepared.columns if c != "_row"] + [r.column for r in spec.refs]
        columns += computed
        with audit.bulk(session, spec.name, "import") as summary:
            if spec.name in VERSIONED:
                _history(cursor, spec)
            communities = _affected(cursor, spec)
            written = _write(cursor, spec, columns, len(prepared.frame))
            report.inserted, report.updated, report.unchanged = written
            communities |= _affected(cursor, spec)
            summary.update(
                inserted=report.inserted, updated=report.updated, unchanged=report.unchanged,
                refused=len(refused),
            )  # fmt: skip
        cursor.execute(pgsql.SQL("DROP TABLE {}").format(pgsql.Identifier(STAGE)))
        if spec.name not in UNANALYSED:
            # planner statistics now, not when autovacuum wakes: a road graph built from a
            # freshly loaded road layer without them takes a minute instead of a second
            cursor.execute(pgsql.SQL("ANALYZE {}").format(pgsql.Identifier(spec.name)))
    if spec.name in RULES_OF_LAYER:
        scope = None if spec.name == "park" else sorted(communities)
        require_hierarchy(session, spec.name, community_ids=scope)
    report.written = True
