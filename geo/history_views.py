"""Boundaries of a past day for the OGC API and vector tiles (`?at=YYYY-MM-DD`, issue #7).

Grids and micro-grids are versioned (geo.editing): the rows valid at a moment are the current
rows whose interval holds it plus the kept versions in `boundary_version`
(`geo.editing.versions_at`). Other layers have no history.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.editing import end_of_day, versions_at
from geo.errors import InvalidInput
from geo.features import Collection
from geo.models import Base
from geo.tiles import BUFFER, EXTENT, TileLayer

HISTORIC = {"grid": "community", "microgrid": "grid"}  # layer → the table of its parent


def parse_day(value: str, timezone: str) -> datetime:
    """The end of the day named `YYYY-MM-DD` in `timezone`; InvalidInput when malformed."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"at 应为日期 YYYY-MM-DD / at must be a date YYYY-MM-DD, not {value!r}"
        ) from None
    return end_of_day(day, timezone)


def _check(layer: str) -> str:
    parent = HISTORIC.get(layer)
    if parent is None:
        raise InvalidInput(
            f"只有网格和微网格有历史（?at=）/ only grid and microgrid have a history (?at=), "
            f"not {layer}"
        )
    return parent


def collection_at(coll: Collection, moment: datetime) -> Collection:
    """`coll` (grid or micro-grid) as it was at `moment`: same properties, past rows."""
    parent_table = _check(coll.id)
    past = versions_at(coll.id, moment)
    parent = Base.metadata.tables[parent_table].alias(f"{parent_table}_at")
    props = []
    for prop in coll.props:
        column: Any = prop.expr
        if getattr(column, "table", None) is not None and column.table.name.endswith("_parent"):
            props.append(replace(prop, expr=parent.c[column.name]))  # the parent's code
        else:
            props.append(replace(prop, expr=past.c[column.name]))
    source = past.outerjoin(parent, parent.c.id == past.c.parent_id)
    return replace(
        coll, table=past, geom=past.c.geom, props=tuple(props), source=source, live_only=False
    )


TILE_AT = """
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
), past AS (
    SELECT id, code, name, kind, {parent}_id AS parent_id, version, geom FROM {layer}
    WHERE valid_from <= :moment AND (valid_to IS NULL OR valid_to > :moment)
    UNION ALL
    SELECT feature_id, code, name, kind, parent_id, version, geom FROM boundary_version
    WHERE layer = '{layer}' AND valid_from <= :moment AND valid_to > :moment
)
SELECT ST_AsMVT(t, '{layer}', :extent, 'geom', 'fid')
FROM (
    SELECT p.id AS fid, p.id, p.code, p.name, p.kind, p.version, o.code AS {parent}_code,
           ST_AsMVTGeom(ST_Transform(p.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN past p ON p.geom && b.area
    JOIN {parent} o ON o.id = p.parent_id
) t
"""


def render_tile_at(
    session: Session, layer: TileLayer, *, z: int, x: int, y: int, moment: datetime
) -> bytes:
    """One tile of `layer` (grid or micro-grid) as the boundaries were at `moment`."""
    parent = _check(layer.name)
    if z < layer.minzoom:
        return b""
    statement = text(TILE_AT.format(layer=layer.name, parent=parent))
    params = {"z": z, "x": x, "y": y, "extent": EXTENT, "buffer": BUFFER,
              "margin": BUFFER / EXTENT, "moment": moment}  # fmt: skip
    data = session.execute(statement, params).scalar_one()
    return bytes(data) if data else b""
