"""Writing validated rows: COPY into a staging table, resolve parents, upsert by natural key.

Runs inside the caller's transaction and never commits: an import is all or nothing.
Identifiers come from the layer specs (constants) and are quoted by psycopg2.sql; values
travel only through COPY and bound parameters.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely
from psycopg2 import sql as pgsql
from sqlalchemy.orm import Session

from geo.assignment import assign_enterprises
from geo.hierarchy import RULES_OF_LAYER, require_hierarchy
from geo.layers.report import ImportReport
from geo.layers.spec import LayerSpec, Ref
from geo.layers.validate import Prepared

STAGE = "_gridmap_import_stage"
VERSIONED = {"grid": "community_id", "microgrid": "grid_id"}


PLAIN = {"string", "empty", "integer", "floating"}


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv(frame: pd.DataFrame, names: list[str]) -> io.StringIO:
    out = frame[names].copy()
    for column in out.columns:
        if out[column].dtype != object:
            continue
        values = out[column].to_numpy(dtype=object)
        shaped = np.array([isinstance(v, shapely.Geometry) for v in values], dtype=bool)
        if shaped.any():  # geometries travel as EWKB hex, which PostGIS reads in COPY
            hexes = np.full(len(values), None, dtype=object)
            with_srid = shapely.set_srid(values[shaped].astype(object), 4326)
            hexes[shaped] = shapely.to_wkb(with_srid, hex=True, include_srid=True)
            out[column] = hexes
        elif pd.api.types.infer_dtype(values, skipna=True) in PLAIN:
            continue  # text and numbers go to COPY as they are
        else:  # a list, not Series.map: map would turn integers beside NaN into floats
            out[column] = pd.Series([_cell(v) for v in values], index=out.index, dtype=object)
    buffer = io.StringIO()
    out.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    return buffer


def _stage(cursor: Any, spec: LayerSpec, prepared: Prepared) -> None:
    ident = pgsql.Identifier
    table_cols = [c for c in prepared.columns if c != "_row"]
    cursor.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(ident(STAGE)))
    cursor.execute(
        pgsql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            ident(STAGE), pgsql.SQL(", ").join(map(ident, table_cols)), ident(spec.name)
        )
    )
    extra = ["_row int"] + [f"{ref} text" for ref in prepared.refs]
    extra += [f"{r.column} integer" for r in spec.refs if r.column not in table_cols]
    for column in extra:
        name, kind = column.split()
        cursor.execute(
            pgsql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                ident(STAGE), ident(name), pgsql.SQL(kind)
            )
        )
    names = ["_row", *table_cols, *prepared.refs]
    copy = pgsql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        ident(STAGE), pgsql.SQL(", ").join(map(ident, names))
    )
    cursor.copy_expert(copy.as_string(cursor), _csv(prepared.frame, names))


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
            report.reject(row, f"{label} '{key}' does not exist ({ref.table})")
        elif ref.by_location:
            report.reject(row, f"no {ref.table} covers this geometry and {label} is not given")
        elif ref.required:
            report.reject(row, f"{label}: missing")


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


def _upsert(cursor: Any, spec: LayerSpec, columns: list[str]) -> tuple[int, int]:
    ident = pgsql.Identifier
    updates = [
        pgsql.SQL("{c} = EXCLUDED.{c}").format(c=ident(c))
        for c in columns
        if c not in spec.conflict_columns
    ]
    if spec.name in VERSIONED:
        changed = pgsql.SQL("NOT ST_Equals({t}.geom, EXCLUDED.geom)").format(t=ident(spec.name))
        updates.append(pgsql.SQL("version = {t}.version + ({c})::int").format(
            t=ident(spec.name), c=changed))  # fmt: skip
        updates.append(pgsql.SQL(
            "valid_from = CASE WHEN {c} THEN clock_timestamp() ELSE {t}.valid_from END"
        ).format(c=changed, t=ident(spec.name)))  # fmt: skip
    action = (
        pgsql.SQL("DO UPDATE SET {}").format(pgsql.SQL(", ").join(updates))
        if updates
        else pgsql.SQL("DO NOTHING")
    )
    cols = pgsql.SQL(", ").join(map(ident, columns))
    cursor.execute(
        pgsql.SQL(
            "WITH done AS (INSERT INTO {t} ({cols}) SELECT {cols} FROM {s} ORDER BY {order} "
            "ON CONFLICT ({key}) {action} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
            "FROM done"
        ).format(
            t=ident(spec.name), cols=cols, s=ident(STAGE), action=action,
            # rows near each other in space go in together: the GiST index grows with locality
            order=ident("geom" if "geom" in columns else "_row"),
            key=pgsql.SQL(", ").join(map(ident, spec.conflict_columns)),
        )
    )  # fmt: skip
    inserted, updated = cursor.fetchone()
    return int(inserted), int(updated)


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


def load(
    session: Session, spec: LayerSpec, prepared: Prepared, report: ImportReport, *, strict: bool
) -> None:
    """Stage, resolve parents, then upsert unless (strict and) any row was refused."""
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    cursor: Any = dbapi.cursor()
    with cursor:
        _stage(cursor, spec, prepared)
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
        columns = [c for c in prepared.columns if c != "_row"] + [r.column for r in spec.refs]
        if spec.name in VERSIONED:
            _history(cursor, spec)
        communities = _affected(cursor, spec)
        report.inserted, report.updated = _upsert(cursor, spec, columns)
        communities |= _affected(cursor, spec)
        cursor.execute(pgsql.SQL("DROP TABLE {}").format(pgsql.Identifier(STAGE)))
    if spec.name in RULES_OF_LAYER:
        scope = None if spec.name == "park" else sorted(communities)
        require_hierarchy(session, spec.name, community_ids=scope)
    if spec.name == "enterprise":
        assign_enterprises(session, usccs=prepared.frame["uscc"].tolist())
    report.written = True
