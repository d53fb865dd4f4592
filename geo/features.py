"""OGC API Features collections: which tables are served, their properties, and item queries.

Every collection is a fixed registry entry (table, geometry column, properties with their SQL
expressions, parent joins), so no identifier in a query ever comes from a request; values
are always bound. Properties are a layer's attributes plus its parents' natural keys (a grid's
`community_code`, never `community_id`); accounts and secrets are no collection at all.
Geometries are stored in EPSG:4326 lon/lat; `lat_first` output flips them for EPSG:4326/4490.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Select,
    Table,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.orm import Session

from geo import vocab
from geo.errors import InvalidInput, NotFound
from geo.layers.spec import LAYERS, Field
from geo.models import SRID, Base

PropKind = Literal["text", "int", "float", "bool", "date", "datetime", "json"]
BBox = tuple[float, float, float, float]
Interval = tuple[datetime | None, datetime | None]
GEOJSON_DIGITS = 7  # ~1 cm in degrees

_KINDS: dict[str, PropKind] = {
    "text": "text", "vocab": "text", "int": "int", "float": "float", "bool": "bool",
    "date": "date", "datetime": "datetime", "json": "json",
}  # fmt: skip
_JSON_TYPES: dict[PropKind, dict[str, str]] = {
    "text": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "json": {"type": "object"},
}
_GEOMETRY_NAMES = {"POINT": "Point", "LINESTRING": "LineString", "MULTIPOLYGON": "MultiPolygon"}


@dataclass(frozen=True)
class Parent:
    """A parent named by its natural key: property `name` = parent.`key` via `column`."""

    name: str
    column: str
    table: str
    key: str = "code"
    label: str = ""


@dataclass(frozen=True, eq=False)
class Prop:
    """One feature property: its name, type, Chinese label, allowed values and SQL expression."""

    name: str
    kind: PropKind
    label: str
    expr: ColumnElement[Any]
    values: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Collection:
    """A served collection: a table, its geometry, its properties and the rows it shows."""

    id: str
    title: str
    description: str
    geometry_type: str | None  # GeoJSON type, None when mixed
    table: FromClause  # a table, or a past state of it (geo.history_views)
    geom: ColumnElement[Any]
    props: tuple[Prop, ...]
    source: FromClause  # the table outer-joined to its parents
    live_only: bool = False
    temporal: str | None = None  # the property `datetime` filters on

    def prop(self, name: str) -> Prop | None:
        """The property called `name`, if any."""
        return next((p for p in self.props if p.name == name), None)

    def scope(self) -> list[ColumnElement[bool]]:
        """The conditions every query on this collection carries (live boundaries only)."""
        return [self.table.c.valid_to.is_(None)] if self.live_only else []


@dataclass(frozen=True)
class ItemQuery:
    """Which items to return, already parsed: bbox in lon/lat, raw property filter values."""

    bbox: BBox | None = None
    properties: Mapping[str, str] = field(default_factory=dict)
    interval: Interval | None = None
    limit: int = 100
    offset: int = 0
    lat_first: bool = False


@dataclass(frozen=True)
class FeaturePage:
    """One page of features as GeoJSON texts, and how many match over all pages."""

    features: list[str]
    matched: int


def _prop(table: Table, f: Field) -> Prop:
    values = tuple(f.vocabulary) if f.vocabulary else ()
    return Prop(f.name, _KINDS[f.kind], f.label, table.c[f.name], values)


def _parent_prop(table: Table, parent: Parent) -> tuple[Prop, FromClause, ColumnElement[bool]]:
    joined = Base.metadata.tables[parent.table].alias(f"{parent.name}_parent")
    on = joined.c.id == table.c[parent.column]
    return Prop(parent.name, "text", parent.label, joined.c[parent.key]), joined, on


def _collection(
    cid: str,
    description: str,
    *,
    fields: tuple[Field, ...] = (),
    parents: tuple[Parent, ...] = (),
    title: str = "",
    geometry: str | None = None,
    geom: str = "geom",
    live_only: bool = False,
    temporal: str | None = None,
) -> Collection:
    """A registry entry; layers known to the importer take their fields and labels from it."""
    table = Base.metadata.tables[cid]
    spec = LAYERS.get(cid)
    if spec is not None:
        fields = tuple(f for f in spec.fields if f.kind in _KINDS) + fields
        ref_parents = (Parent(r.source, r.column, r.table, r.key, r.label) for r in spec.refs)
        parents = (*ref_parents, *parents)
        title, geometry = title or spec.label, geometry or spec.geometry
    props = [_prop(table, f) for f in fields]
    source: FromClause = table
    for parent in parents:
        prop, joined, on = _parent_prop(table, parent)
        props.append(prop)
        source = source.outerjoin(joined, on)
    geometry_type = _GEOMETRY_NAMES.get(geometry or "")
    return Collection(
        cid, title, description, geometry_type, table, table.c[geom], tuple(props), source,
        live_only, temporal,
    )  # fmt: skip


_GRID = Parent("grid_code", "grid_id", "grid", label="网格编码")
_VERSION = Field("version", "int", "边界版本")

COLLECTIONS: dict[str, Collection] = {
    c.id: c
    for c in (
        _collection("park", "Industrial parks, the top of the hierarchy"),
        _collection("community", "Enterprise communities, each inside a park"),
        _collection(
            "grid", "Live grids (base and dedicated) partitioning their community",
            fields=(_VERSION,), live_only=True,
        ),
        _collection(
            "microgrid", "Live micro-grids inside their grid", fields=(_VERSION,), live_only=True
        ),
        _collection(
            "enterprise", "Enterprises at their location, with the grid and micro-grid they "
            "belong to",
            fields=(Field("coord_source", "vocab", "坐标来源", vocabulary=vocab.COORD_SOURCES),),
            parents=(_GRID, Parent("microgrid_code", "microgrid_id", "microgrid",
                                   label="微网格编码")),
        ),
        _collection(
            "key_site", "Key sites: hazardous chemicals, crowded places, rentals, ...",
            parents=(_GRID,),
        ),
        _collection("network", "Infrastructure network segments (water, power, gas, ...)"),
        _collection("road", "Road segments of the routable network"),
        _collection("parking_zone", "Parking zones with their capacity", parents=(_GRID,)),
        _collection("shelter", "Emergency shelters with their capacity"),
        _collection(
            "visit", "Grid members' visits to enterprises, where they were recorded",
            fields=(Field("check_result", "vocab", "位置核验", vocabulary=vocab.VISIT_CHECKS),
                    Field("distance_m", "float", "距企业距离（米）")),
            temporal="visited_at",
        ),
        _collection("problem", "Enterprise problems and their handling", temporal="reported_at"),
        _collection(
            "hazard", "Hazards: the zone to evacuate (its impassable core lies inside)",
            title="危险区域", geometry="MULTIPOLYGON", geom="zone", temporal="created_at",
            fields=(
                Field("name", "text", "名称"),
                Field("scenario", "vocab", "情景", vocabulary=vocab.HAZARD_SCENARIOS),
                Field("time_of_day", "vocab", "时段", vocabulary=vocab.TIMES_OF_DAY),
                Field("created_at", "datetime", "创建时间"),
            ),
            parents=(Parent("key_site_code", "key_site_id", "key_site", label="重点场所编码"),),
        ),
    )
}  # fmt: skip


def collection(cid: str) -> Collection:
    """The collection `cid`; NotFound naming the known ones."""
    try:
        return COLLECTIONS[cid]
    except KeyError:
        known = ", ".join(COLLECTIONS)
        raise NotFound(
            f"集合 '{cid}' 不存在 / unknown collection '{cid}' (known: {known})"
        ) from None


# -- queries -------------------------------------------------------------------------------


def extent(session: Session, *, coll: Collection) -> BBox | None:
    """The lon/lat bounding box of the collection's rows; None when it has none."""
    box = select(func.ST_Extent(coll.geom).label("box")).where(*coll.scope()).subquery()
    row = session.execute(
        select(
            func.ST_XMin(box.c.box), func.ST_YMin(box.c.box),
            func.ST_XMax(box.c.box), func.ST_YMax(box.c.box),
        )
    ).one()  # fmt: skip
    return None if row[0] is None else (row[0], row[1], row[2], row[3])


def items(session: Session, *, coll: Collection, query: ItemQuery) -> FeaturePage:
    """A page of features ordered by id, and how many match (count(*), same filters)."""
    where = [*coll.scope(), *_conditions(coll, query)]
    counting = select(func.count()).select_from(coll.source).where(*where)
    matched = int(session.scalar(counting) or 0)
    stmt = _feature_select(coll, query.lat_first).where(*where).order_by(coll.table.c.id)
    found = session.scalars(stmt.limit(query.limit).offset(query.offset)).all()
    return FeaturePage(list(found), matched)


def item(session: Session, *, coll: Collection, feature_id: str, lat_first: bool = False) -> str:
    """One feature as GeoJSON text; NotFound for an unknown id."""
    digits = feature_id.isascii() and feature_id.isdigit() and len(feature_id) <= 18
    fid = int(feature_id) if digits else None  # anything else names no row: 404, not 400
    stmt = _feature_select(coll, lat_first).where(coll.table.c.id == fid, *coll.scope())
    found = None if fid is None else session.scalar(stmt)
    if found is None:
        raise NotFound(f"要素 {feature_id} 不存在 / no feature '{feature_id}' in '{coll.id}'")
    return found


def _feature_select(coll: Collection, lat_first: bool) -> Select[str]:
    """Each row one GeoJSON Feature text, built by PostgreSQL (faster than Python here)."""
    # lat/lon output swaps the axes in PostGIS; the stored geometry stays lon/lat
    geom = func.ST_FlipCoordinates(coll.geom) if lat_first else coll.geom
    pairs: list[Any] = []
    for prop in coll.props:
        pairs += [literal(prop.name), _float_json(prop.expr) if prop.kind == "float" else prop.expr]
    feature = func.json_build_object(
        literal("type"), literal("Feature"), literal("id"), coll.table.c.id,
        literal("geometry"), cast(func.ST_AsGeoJSON(geom, GEOJSON_DIGITS), JSON),
        literal("properties"), func.json_build_object(*pairs),
    )  # fmt: skip
    return select(cast(feature, Text)).select_from(coll.source)


def _float_json(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """A float as JSON that keeps its decimal point (7.0, where to_json gives 7): GDAL types
    a field from the first page, and a float field typed Integer would truncate later 7.5s."""
    whole = and_(expr == func.trunc(expr), func.abs(expr) < 1e15)
    as_text = func.concat(cast(cast(expr, BigInteger), Text), literal(".0"))
    return case((whole, cast(as_text, JSON)), else_=func.to_json(expr))


def _conditions(coll: Collection, query: ItemQuery) -> list[ColumnElement[bool]]:
    _refuse_unknown(coll, query.properties)
    found = [_property_condition(coll, name, raw) for name, raw in query.properties.items()]
    if query.bbox is not None:
        # a literal envelope in the column's SRID: `&&` walks the GiST index, then the exact test
        envelope = func.ST_MakeEnvelope(*query.bbox, SRID)
        found += [coll.geom.op("&&")(envelope), func.ST_Intersects(coll.geom, envelope)]
    if query.interval is not None and coll.temporal is not None:
        column, (start, end) = coll.table.c[coll.temporal], query.interval
        found += [column >= start] if start is not None else []
        found += [column <= end] if end is not None else []
    return found


def _refuse_unknown(coll: Collection, names: Mapping[str, str]) -> None:
    """Part 1 requires a 400 for any query parameter the API does not define."""
    filterable = [p.name for p in coll.props if p.kind != "json"]
    unknown = [name for name in names if name not in filterable]
    if unknown:
        raise InvalidInput(
            f"未知查询参数 / unknown query parameter(s) {', '.join(unknown)} for '{coll.id}'; "
            f"properties you can filter on: {', '.join(filterable)}",
            detail={"parameters": unknown},
        )


def _property_condition(coll: Collection, name: str, raw: str) -> ColumnElement[bool]:
    prop = coll.prop(name)
    assert prop is not None  # checked by _refuse_unknown
    return prop.expr == _typed(prop, raw)


def _typed(prop: Prop, raw: str) -> object:
    try:
        if prop.kind == "int":
            return int(raw)
        if prop.kind == "float" and math.isfinite(number := float(raw)):
            return number
        if prop.kind == "bool" and raw.lower() in ("true", "false", "1", "0"):
            return raw.lower() in ("true", "1")
        if prop.kind == "date":
            return date.fromisoformat(raw)
        if prop.kind == "datetime":
            moment = datetime.fromisoformat(raw)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if prop.kind == "text":
            return raw
    except ValueError:
        pass
    raise InvalidInput(
        f"参数 {prop.name} 的值无效 / {prop.name}: '{raw}' is not a valid {prop.kind}",
        detail={"parameter": prop.name},
    )


# -- schema --------------------------------------------------------------------------------


def schema(coll: Collection, *, queryables: bool = False) -> dict[str, Any]:
    """The JSON Schema of a feature's properties (OGC API Features Part 5 draft roles);
    `queryables` leaves out the id and what cannot be filtered on (JSON)."""
    geometry = {"x-ogc-role": "primary-geometry", "format": _geometry_format(coll)}
    properties: dict[str, Any] = (
        {} if queryables else {"id": {"x-ogc-role": "id", "type": "integer"}}
    )
    properties["geometry"] = geometry
    for prop in coll.props:
        if queryables and prop.kind == "json":
            continue
        entry: dict[str, Any] = {"title": prop.label, **_JSON_TYPES[prop.kind]}
        if prop.values:
            entry["enum"] = list(prop.values)
        properties[prop.name] = entry
    body: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": coll.title,
        "description": coll.description,
        "properties": properties,
    }
    if queryables:
        body["additionalProperties"] = False
    return body


def _geometry_format(coll: Collection) -> str:
    kind = coll.geometry_type or "Any"
    return f"geometry-{kind.lower()}"
