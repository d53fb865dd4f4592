"""Reading the catalogue: grids, micro-grids and enterprises listed, filtered and read by key.

Every list takes ``limit``/``offset`` and returns ``(items, total)``; geometry comes as a
GeoJSON dict only when asked, since it is most of the payload.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from geoalchemy2 import Geography
from sqlalchemy import ColumnElement, Select, cast, func, null, or_, select
from sqlalchemy.orm import Session

from geo.errors import InvalidInput, NotFound
from geo.models import SRID, Community, Enterprise, Grid, Microgrid
from geo.vocab import (
    ENTERPRISE_STATUS,
    GRID_KINDS,
    INDUSTRIES,
    MICROGRID_KINDS,
    SIZE_CLASSES,
    Vocabulary,
)

BBox = tuple[float, float, float, float]
T = TypeVar("T")
GEOJSON_DIGITS = 7  # ~1 cm in degrees: enough for any boundary gridmap stores


@dataclass(frozen=True)
class AreaInfo:
    """What grids and micro-grids share: identity, version, size, enterprises, shape."""

    code: str
    name: str
    kind: str
    community_code: str
    version: int
    valid_from: datetime
    valid_to: datetime | None
    area_m2: float
    enterprise_count: int
    geometry: dict[str, Any] | None


@dataclass(frozen=True)
class GridInfo(AreaInfo):
    """A grid with its community, size and contents."""

    microgrid_count: int


@dataclass(frozen=True)
class MicrogridInfo(AreaInfo):
    """A micro-grid with its grid, size and enterprise count."""

    grid_code: str


@dataclass(frozen=True)
class EnterpriseInfo:
    """An enterprise as listed: key facts, where it belongs, where it stands (WGS84)."""

    uscc: str
    name: str
    industry: str | None
    size_class: str | None
    status: str
    employees_day: int
    employees_night: int
    grid_code: str | None
    microgrid_code: str | None
    lon: float
    lat: float
    geometry: dict[str, Any] | None


@dataclass(frozen=True)
class EnterpriseDetail(EnterpriseInfo):
    """An enterprise read by USCC: the listed facts plus names, address and raw coordinates."""

    industry_detail: str | None
    address: str | None
    community_code: str | None
    grid_name: str | None
    microgrid_name: str | None
    coord_source: str
    raw_x: float | None
    raw_y: float | None
    raw_crs: str | None
    compound: dict[str, Any] | None


def parse_bbox(text: str) -> BBox:
    """``minx,miny,maxx,maxy`` in EPSG:4326 (lon/lat degrees), checked.

    >>> parse_bbox("120.6,31.2,120.8,31.4")
    (120.6, 31.2, 120.8, 31.4)
    """
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(parts) != 4 or len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidInput(
            f"bbox 应为 4 个数字 minx,miny,maxx,maxy / bbox must be four numbers "
            f"minx,miny,maxx,maxy (lon/lat), got '{text}'"
        )
    minx, miny, maxx, maxy = values
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput(
            f"bbox 超出经纬度范围或最小值大于最大值 / bbox out of lon/lat range or min > max: "
            f"'{text}' (need -180 ≤ minx ≤ maxx ≤ 180, -90 ≤ miny ≤ maxy ≤ 90)"
        )
    return minx, miny, maxx, maxy


def community_id(session: Session, *, code: str) -> int:
    """The id of the community with `code`; NotFound when there is none."""
    found = session.scalar(select(Community.id).where(Community.code == code))
    if found is None:
        raise NotFound(f"社区 {code} 不存在 / community {code} does not exist")
    return found


def list_grids(
    session: Session,
    *,
    community: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    bbox: BBox | None = None,
    geometry: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[GridInfo], int]:
    """Live grids, filtered, ordered by code."""
    _known(GRID_KINDS, kind, "网格类型 / grid kind")
    stmt = _grid_select(geometry).where(Grid.valid_to.is_(None))
    stmt = _where(
        stmt,
        None if community is None else Community.code == community,
        None if kind is None else Grid.kind == kind,
        _text_match(Grid.name, Grid.code, q),
        _in_bbox(Grid.geom, bbox),
    )
    rows, total = _page(session, stmt, (Grid.code,), limit, offset)
    return [_build(GridInfo, row) for row in rows], total


def read_grid(session: Session, *, code: str, geometry: bool = True) -> GridInfo:
    """The grid with `code` (live or retired); NotFound when there is none."""
    row = session.execute(_grid_select(geometry).where(Grid.code == code)).first()
    if row is None:
        raise NotFound(f"网格 {code} 不存在 / grid {code} does not exist")
    return _build(GridInfo, row)


def list_microgrids(
    session: Session,
    *,
    grid: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    bbox: BBox | None = None,
    geometry: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[MicrogridInfo], int]:
    """Live micro-grids, filtered, ordered by code."""
    _known(MICROGRID_KINDS, kind, "微网格类型 / micro-grid kind")
    stmt = _microgrid_select(geometry).where(Microgrid.valid_to.is_(None))
    stmt = _where(
        stmt,
        None if grid is None else Grid.code == grid,
        None if kind is None else Microgrid.kind == kind,
        _text_match(Microgrid.name, Microgrid.code, q),
        _in_bbox(Microgrid.geom, bbox),
    )
    rows, total = _page(session, stmt, (Microgrid.code,), limit, offset)
    return [_build(MicrogridInfo, row) for row in rows], total


def read_microgrid(session: Session, *, code: str, geometry: bool = True) -> MicrogridInfo:
    """The micro-grid with `code` (live or retired); NotFound when there is none."""
    row = session.execute(_microgrid_select(geometry).where(Microgrid.code == code)).first()
    if row is None:
        raise NotFound(f"微网格 {code} 不存在 / micro-grid {code} does not exist")
    return _build(MicrogridInfo, row)


def list_enterprises(
    session: Session,
    *,
    community: str | None = None,
    grid: str | None = None,
    microgrid: str | None = None,
    industry: str | None = None,
    size_class: str | None = None,
    status: str | None = None,
    q: str | None = None,
    bbox: BBox | None = None,
    orphans: bool = False,
    geometry: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[EnterpriseInfo], int]:
    """Enterprises, filtered, ordered by name then id (stable pages).

    `q` matches the name anywhere or the USCC from its start. `orphans` keeps only those in
    no live grid (DESIGN §4: listed for planners, never dropped).
    """
    _known(INDUSTRIES, industry, "行业门类 / industry")
    _known(SIZE_CLASSES, size_class, "企业规模 / size class")
    _known(ENTERPRISE_STATUS, status, "经营状态 / status")
    stmt = _where(
        _enterprise_select(_enterprise_columns(geometry)),
        None if community is None else Community.code == community,
        None if grid is None else Grid.code == grid,
        None if microgrid is None else Microgrid.code == microgrid,
        None if industry is None else Enterprise.industry == industry,
        None if size_class is None else Enterprise.size_class == size_class,
        None if status is None else Enterprise.status == status,
        _text_match(Enterprise.name, Enterprise.uscc, q, upper=True),
        _in_bbox(Enterprise.geom, bbox),
        Enterprise.grid_id.is_(None) if orphans else None,
    )
    rows, total = _page(session, stmt, (Enterprise.name, Enterprise.id), limit, offset)
    return [_build(EnterpriseInfo, row) for row in rows], total


def read_enterprise(session: Session, *, uscc: str, geometry: bool = True) -> EnterpriseDetail:
    """The enterprise with `uscc` (case-insensitive); NotFound when there is none."""
    columns = [
        *_enterprise_columns(geometry),
        Enterprise.industry_detail,
        Enterprise.address,
        Community.code.label("community_code"),
        Grid.name.label("grid_name"),
        Microgrid.name.label("microgrid_name"),
        Enterprise.coord_source,
        Enterprise.raw_x,
        Enterprise.raw_y,
        Enterprise.raw_crs,
        _geojson(Enterprise.compound, geometry, "compound"),
    ]
    key = uscc.strip().upper()
    row = session.execute(_enterprise_select(columns).where(Enterprise.uscc == key)).first()
    if row is None:
        raise NotFound(f"企业 {key} 不存在 / enterprise {key} does not exist")
    return _build(EnterpriseDetail, row)


# -- statement pieces ---------------------------------------------------------------------


def _grid_select(geometry: bool) -> Select[Any]:
    return select(
        Grid.code,
        Grid.name,
        Grid.kind,
        Community.code.label("community_code"),
        Grid.version,
        Grid.valid_from,
        Grid.valid_to,
        _area_m2(Grid.geom),
        _count(Enterprise, "enterprise_count", Enterprise.grid_id == Grid.id),
        _count(
            Microgrid, "microgrid_count", Microgrid.grid_id == Grid.id, Microgrid.valid_to.is_(None)
        ),
        _geojson(Grid.geom, geometry),
    ).join(Community, Community.id == Grid.community_id)


def _microgrid_select(geometry: bool) -> Select[Any]:
    return (
        select(
            Microgrid.code,
            Microgrid.name,
            Microgrid.kind,
            Grid.code.label("grid_code"),
            Community.code.label("community_code"),
            Microgrid.version,
            Microgrid.valid_from,
            Microgrid.valid_to,
            _area_m2(Microgrid.geom),
            _count(Enterprise, "enterprise_count", Enterprise.microgrid_id == Microgrid.id),
            _geojson(Microgrid.geom, geometry),
        )
        .join(Grid, Grid.id == Microgrid.grid_id)
        .join(Community, Community.id == Grid.community_id)
    )


def _enterprise_columns(geometry: bool) -> list[Any]:
    return [
        Enterprise.uscc,
        Enterprise.name,
        Enterprise.industry,
        Enterprise.size_class,
        Enterprise.status,
        Enterprise.employees_day,
        Enterprise.employees_night,
        Grid.code.label("grid_code"),
        Microgrid.code.label("microgrid_code"),
        func.ST_X(Enterprise.geom).label("lon"),
        func.ST_Y(Enterprise.geom).label("lat"),
        _geojson(Enterprise.geom, geometry),
    ]


def _enterprise_select(columns: Sequence[Any]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Enterprise)
        .outerjoin(Grid, Grid.id == Enterprise.grid_id)
        .outerjoin(Community, Community.id == Grid.community_id)
        .outerjoin(Microgrid, Microgrid.id == Enterprise.microgrid_id)
    )


def _area_m2(geom: Any) -> Any:
    # geography: true square metres on the ellipsoid, whatever the latitude
    return func.ST_Area(cast(geom, Geography(srid=SRID))).label("area_m2")


def _count(model: Any, name: str, *where: ColumnElement[bool]) -> Any:
    # correlated: the outer row's grid / micro-grid id links the count to it
    return select(func.count()).select_from(model).where(*where).scalar_subquery().label(name)


def _geojson(geom: Any, wanted: bool, name: str = "geometry") -> Any:
    value = func.ST_AsGeoJSON(geom, GEOJSON_DIGITS) if wanted else null()
    return value.label(name)


def _in_bbox(geom: Any, bbox: BBox | None) -> ColumnElement[bool] | None:
    if bbox is None:
        return None
    # The envelope is built from bound values in the column's own SRID (4326), so the column
    # is left bare and ST_Intersects can use its GiST index (&& first, then the exact test).
    envelope = func.ST_MakeEnvelope(*bbox, SRID)
    return func.ST_Intersects(geom, envelope)


def _like_escape(text: str) -> str:
    """`text` with LIKE's wildcards made literal (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_match(name: Any, code: Any, q: str | None, *, upper: bool = False) -> Any:
    """`q` anywhere in the name (ILIKE) or at the start of the code, wildcards taken literally."""
    if not q or not q.strip():
        return None
    text = _like_escape(q.strip())
    prefix = text.upper() if upper else text
    return or_(name.ilike(f"%{text}%", escape="\\"), code.like(f"{prefix}%", escape="\\"))


def _where(stmt: Select[Any], *conditions: ColumnElement[bool] | None) -> Select[Any]:
    return stmt.where(*(c for c in conditions if c is not None))


def _known(vocabulary: Vocabulary, value: str | None, what: str) -> None:
    if value is not None and value not in vocabulary:
        allowed = ", ".join(vocabulary)
        raise InvalidInput(f"未知的{what} '{value}' (known: {allowed})")


def _page(
    session: Session, stmt: Select[Any], order: Sequence[Any], limit: int, offset: int
) -> tuple[Sequence[Any], int]:
    # the count keeps the joins and filters but none of the costly columns (areas, GeoJSON)
    counting = stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    total = session.scalar(counting)
    rows = session.execute(stmt.order_by(*order).limit(limit).offset(offset)).all()
    return rows, int(total or 0)


def _build(cls: type[T], row: Any) -> T:
    values = dict(row._mapping)
    for key in ("geometry", "compound"):
        if values.get(key) is not None:
            values[key] = json.loads(values[key])
    if values.get("area_m2") is not None:
        values["area_m2"] = float(values["area_m2"])
    return cls(**values)
