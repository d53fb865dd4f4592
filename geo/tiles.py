"""Vector tiles: the layers served, their PostGIS SQL, and tiles served through the cache.

Tiles are Web Mercator (EPSG:3857) z/x/y tiles made by ``ST_AsMVT`` from the SQL in
``geo/sql/tile_<layer>.sql``, prepared once per connection. The cache (``geo.tile_cache``)
keys each tile by the versions of the tables it is built from (``layer_change``, raised by
triggers on every write), read at most once per ``versions_ttl`` seconds, so a cached tile
costs no database round trip.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import TextClause, func, select, text
from sqlalchemy.orm import Session

from geo.errors import InvalidInput, NotFound
from geo.models import (
    Community,
    Enterprise,
    Grid,
    Hazard,
    KeySite,
    Microgrid,
    Network,
    Park,
    ParkingZone,
    Problem,
    Road,
    Shelter,
    Visit,
)
from geo.sqlfiles import sql
from geo.tile_cache import LayerVersions, TileCache, Versions

EXTENT = 4096  # tile units per side
BUFFER = 64  # tile units drawn beyond the edge, so lines and symbols join across tiles
MAX_ZOOM = 22
CLUSTER_CELL = 4  # a cluster cell is 1/2^4 of a tile: at most 256 clusters per tile
CLUSTER_LEVELS = (14, 16, 18)  # cell levels kept in enterprise_cluster (migrations 0004, 0012)
CELL_LEVEL = 20  # the level of tile_cell()'s keys: finer cells are grouped from the points
WORLD = (-180.0, -85.0511, 180.0, 85.0511)
TILE_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"

Field = tuple[str, str, str]  # name, TileJSON type, description


@dataclass(frozen=True)
class TileLayer:
    """A layer served as vector tiles: what it reads, what its features carry, when."""

    name: str
    description: str
    geom: Any  # the 4326 geometry column: ST_Extent of it gives TileJSON's bounds
    tables: tuple[str, ...]  # tables whose writes change the tile (its cache key)
    fields: tuple[Field, ...]
    minzoom: int = 0
    cluster_below: int | None = None  # points are clustered at zooms below this one
    live_only: bool = False  # only rows with valid_to IS NULL (current boundaries)


def _f(*fields: str) -> tuple[Field, ...]:
    """Fields written as 'name:Type:描述'."""
    return tuple((n, t, d) for n, t, d in (f.split(":", 2) for f in fields))


ID, CODE, NAME = "id:Number:数据库编号", "code:String:编码", "name:String:名称"

# The registry: layer names are the only identifiers tile SQL is chosen by.
TILE_LAYERS: dict[str, TileLayer] = {
    layer.name: layer
    for layer in (
        TileLayer("park", "园区边界", Park.geom, ("park",), _f(ID, CODE, NAME)),
        TileLayer(
            "community", "企业社区边界", Community.geom, ("community", "park"),
            _f(ID, CODE, NAME, "park_code:String:所属园区编码"),
        ),
        TileLayer(
            "grid", "网格边界（现行版本）", Grid.geom, ("grid", "community"),
            _f(ID, CODE, NAME, "kind:String:网格类型 base 基础网格 / dedicated 专属网格",
               "version:Number:边界版本号", "community_code:String:所属社区编码"),
            live_only=True,
        ),
        TileLayer(
            "microgrid", "微网格边界（现行版本）", Microgrid.geom, ("microgrid", "grid"),
            _f(ID, CODE, NAME, "kind:String:微网格类型 enterprise / park / building",
               "version:Number:边界版本号", "grid_code:String:所属网格编码"),
            live_only=True,
        ),
        TileLayer(
            "enterprise", "企业位置；16 级以下为聚合点（count 为企业数）", Enterprise.geom,
            ("enterprise", "grid"),
            _f(ID, "uscc:String:统一社会信用代码", "name:String:企业名称",
               "industry:String:行业门类 A–T（GB/T 4754）", "size_class:String:企业规模",
               "status:String:经营状态", "employees_day:Number:日间从业人数",
               "grid_code:String:所属网格编码",
               "count:Number:聚合的企业数（单个企业为 1；聚合点其余属性为其中从业人数最多者）",
               "employees:Number:聚合企业的日间从业人数合计"),
            cluster_below=16,
        ),
        TileLayer(
            "key_site", "重点场所", KeySite.geom, ("key_site",),
            _f(ID, CODE, NAME, "category:String:场所类别", "hazard_class:String:危险等级"),
        ),
        TileLayer(
            "network", "基础设施管网", Network.geom, ("network",),
            _f(ID, CODE, NAME, "kind:String:管网类型", "operator:String:权属单位"),
        ),
        TileLayer(
            "road", "道路", Road.geom, ("road",),
            _f(ID, CODE, NAME, "road_class:String:道路等级", "lanes:Number:车道数",
               "speed_kmh:Number:设计速度（公里/小时）", "oneway:Boolean:单行"),
        ),
        TileLayer(
            "parking_zone", "停车区域", ParkingZone.geom, ("parking_zone",),
            _f(ID, CODE, NAME, "kind:String:停车类型", "capacity:Number:泊位数"),
        ),
        TileLayer(
            "shelter", "应急避难场所", Shelter.geom, ("shelter",),
            _f(ID, CODE, NAME, "kind:String:场所类型", "capacity:Number:容纳人数",
               "effective_area_m2:Number:有效面积（平方米）"),
        ),
        TileLayer(
            "hazard", "危险源：影响区（zone）与核心区（core）", Hazard.zone, ("hazard",),
            _f(ID, NAME, "scenario:String:情景", "time_of_day:String:时段 day / night",
               "part:String:zone 影响区 / core 核心区"),
        ),
        TileLayer(
            "problem", "企业问题（有位置的）", Problem.geom, ("problem",),
            _f(ID, CODE, "title:String:问题标题", "category:String:问题类别",
               "status:String:办理状态", "handler_level:String:办理层级"),
        ),
        TileLayer(
            "visit", "走访记录位置（14 级起）", Visit.geom, ("visit",),
            _f(ID, "enterprise_id:Number:企业编号", "visited_at:String:走访时间（UTC）",
               "check_result:String:位置核验结果"),
            minzoom=14,
        ),
    )
}  # fmt: skip


def tile_layer(name: str) -> TileLayer:
    """The tile layer called `name`; NotFound naming the known ones otherwise."""
    try:
        return TILE_LAYERS[name]
    except KeyError:
        known = ", ".join(TILE_LAYERS)
        raise NotFound(f"no tile layer '{name}': choose one of {known}") from None


def check_tile(z: int, x: int, y: int) -> None:
    """Refuse a tile address outside 0 ≤ z ≤ 22, 0 ≤ x, y < 2^z.

    >>> check_tile(14, 13720, 6693)
    >>> check_tile(2, 4, 0)
    Traceback (most recent call last):
    geo.errors.InvalidInput: tile x=4 is outside 0..3 at zoom 2
    """
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidInput(f"tile zoom z={z} is outside 0..{MAX_ZOOM}")
    for axis, value in (("x", x), ("y", y)):
        if not 0 <= value < 1 << z:
            raise InvalidInput(f"tile {axis}={value} is outside 0..{(1 << z) - 1} at zoom {z}")


def morton(x: int, y: int) -> int:
    """x and y interleaved bit by bit (x in the even bits), as tile_cell() keys cells.

    >>> morton(1, 0), morton(0, 1), morton(3, 3)
    (1, 2, 15)
    """
    key = 0
    for bit in range(max(x.bit_length(), y.bit_length())):
        key |= ((x >> bit) & 1) << (2 * bit) | ((y >> bit) & 1) << (2 * bit + 1)
    return key


def cluster_params(z: int, x: int, y: int) -> dict[str, Any]:
    """Parameters of tile_enterprise_cluster.sql: which stored level, key range and grouping.

    A tile's cells at level L are the keys [m << 2k, (m + 1) << 2k) with m = morton(x, y) and
    k = L - z; the finest level needed is z + CLUSTER_CELL, read from the next stored one, or
    when none is fine enough, grouped from the points' own keys (level CELL_LEVEL).

    >>> p = cluster_params(10, 1, 2)
    >>> p["level"], p["lo"], p["hi"], p["shift"]
    (14, 2304, 2560, 0)
    >>> p = cluster_params(15, 1, 2)
    >>> p["level"], p["lo"], p["hi"], p["shift"]
    (20, 9216, 10240, 2)
    """
    wanted = z + CLUSTER_CELL
    level = next((lv for lv in CLUSTER_LEVELS if lv >= wanted), CELL_LEVEL)
    m, k = morton(x, y), 2 * (level - z)
    return {"level": level, "lo": m << k, "hi": (m + 1) << k, "shift": 2 * (level - wanted)}


_SERIAL = text("SET LOCAL max_parallel_workers_per_gather = 0")
# Tile statements are prepared once per connection: parsing and planning took 0.4–0.6 ms of
# a 1–5 ms tile. The types are given, as ST_AsMVT's arguments do not tell PostgreSQL them.
PARAM_TYPES = {"z": "int", "x": "int", "y": "int", "extent": "int", "buffer": "int",
               "margin": "float8", "n": "float8", "level": "int", "lo": "bigint",
               "hi": "bigint", "shift": "int", "cells": "float8"}  # fmt: skip
_PARAM = re.compile(r"(?<![:\w]):(\w+)")  # as SQLAlchemy's text() finds them


@dataclass(frozen=True)
class Statement:
    """A tile statement of geo/sql/<name>.sql, prepared under the name gridmap_<name>."""

    prepare: str  # PREPARE gridmap_<name> (types) AS … with $1…$n
    execute: TextClause  # EXECUTE with :named parameters (SQLAlchemy)
    execute_pyformat: str  # the same with %(named)s parameters (psycopg2)


@cache
def statement(name: str) -> Statement:
    """PREPARE and EXECUTE statements of geo/sql/<name>.sql (its :names become $1…$n)."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in order:
            order.append(match[1])
        return f"${order.index(match[1]) + 1}"

    body = _PARAM.sub(number, sql(name).text)
    types = ", ".join(PARAM_TYPES[p] for p in order)  # names and types from this module only
    return Statement(
        prepare=f"PREPARE gridmap_{name} ({types}) AS {body}",
        execute=text(f"EXECUTE gridmap_{name} ({', '.join(':' + p for p in order)})"),
        execute_pyformat=f"EXECUTE gridmap_{name} ({', '.join(f'%({p})s' for p in order)})",
    )


def tile_call(layer: TileLayer, *, z: int, x: int, y: int) -> tuple[str, dict[str, Any]] | None:
    """The statement name and parameters of tile z/x/y of `layer` (None below its minzoom).

    >>> tile_call(TILE_LAYERS["enterprise"], z=10, x=1, y=2)[0]
    'tile_enterprise_cluster'
    """
    if z < layer.minzoom:
        return None
    params: dict[str, Any] = {"z": z, "x": x, "y": y, "extent": EXTENT}
    name = f"tile_{layer.name}"
    if layer.cluster_below is not None and z < layer.cluster_below:
        name += "_cluster"
        params |= cluster_params(z, x, y) | {"n": float(1 << z)}
        if params["level"] not in CLUSTER_LEVELS:  # finer than any stored cell: the points
            name += "_points"
            params |= {"margin": 1 / EXTENT, "cells": float(1 << CLUSTER_CELL)}
    else:
        params |= {"buffer": BUFFER, "margin": BUFFER / EXTENT}
    return name, params


def render_tile(session: Session, layer: TileLayer, *, z: int, x: int, y: int) -> bytes:
    """The MVT bytes of one tile of `layer` (empty when no feature touches it), in the
    session's transaction (tests and past tiles; the server uses geo.tile_pool)."""
    call = tile_call(layer, z=z, x=x, y=y)
    if call is None:
        return b""
    name, params = call
    # ST_AsMVTGeom's high cost estimate makes PostgreSQL plan parallel workers even for
    # 800 points; starting them costs more than the tile (z16: 4 ms serial, 8–38 ms parallel)
    # and tiles are already served in parallel. Local to the transaction the tile is built in.
    session.execute(_SERIAL)
    stmt = statement(name)
    done: set[str] = session.connection().info.setdefault("gridmap_prepared", set())
    if name not in done:  # a prepared statement outlives rollbacks, not its connection
        session.execute(text(stmt.prepare))
        done.add(name)
    data = session.execute(stmt.execute, params).scalar_one()
    return bytes(data) if data else b""


def layer_bounds(session: Session, layer: TileLayer) -> tuple[float, float, float, float]:
    """West, south, east, north of the layer's features (the world when it has none)."""
    extent = func.ST_Extent(layer.geom)
    query = select(
        func.ST_XMin(extent), func.ST_YMin(extent), func.ST_XMax(extent), func.ST_YMax(extent)
    )
    if layer.live_only:
        query = query.where(layer.geom.class_.valid_to.is_(None))
    row = session.execute(query).one()
    if row[0] is None:
        return WORLD
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def tilejson(
    layer: TileLayer, bounds: tuple[float, float, float, float], tiles_url: str
) -> dict[str, Any]:
    """The TileJSON 3.0.0 document of `layer`; `tiles_url` has {z}/{x}/{y} placeholders."""
    west, south, east, north = bounds
    span = max(east - west, (north - south) * 1.2, 1e-6)
    zoom = min(max(int(math.log2(360 / span)), layer.minzoom), MAX_ZOOM)
    return {
        "tilejson": "3.0.0",
        "name": layer.name,
        "description": layer.description,
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": layer.minzoom,
        "maxzoom": MAX_ZOOM,
        "bounds": [west, south, east, north],
        "center": [(west + east) / 2, (south + north) / 2, zoom],
        "vector_layers": [
            {
                "id": layer.name,
                "description": layer.description,
                "minzoom": layer.minzoom,
                "maxzoom": MAX_ZOOM,
                "fields": {name: f"{kind} · {text}" for name, kind, text in layer.fields},
            }
        ],
    }


@dataclass(frozen=True)
class Tile:
    """A tile's bytes (empty: no feature) and the entity tag of the versions it shows."""

    data: bytes
    etag: str


class Tiles:
    """Tiles and TileJSON of every tile layer, with the cache; one per application."""

    def __init__(self, *, cache_bytes: int, versions_ttl: float = 1.0) -> None:
        self.cache = TileCache(cache_bytes)
        self.versions = LayerVersions(versions_ttl)
        self._bounds: dict[str, tuple[str, tuple[float, float, float, float]]] = {}
        self._etags: dict[str, tuple[Versions, str]] = {}  # per layer, for the versions object

    def etag(self, layer: TileLayer, versions: Versions) -> str:
        """An entity tag that changes whenever a table the layer reads is written."""
        known = self._etags.get(layer.name)
        if known is not None and known[0] is versions:
            return known[1]
        stamp = repr([(t, versions.get(t)) for t in layer.tables]).encode()
        etag = '"' + hashlib.blake2b(stamp, digest_size=12).hexdigest() + '"'
        self._etags[layer.name] = (versions, etag)
        return etag

    def cached(self, name: str, *, z: int, x: int, y: int) -> Tile | None:
        """Tile z/x/y from memory alone, or None when it must be built or versions re-read."""
        layer = tile_layer(name)
        check_tile(z, x, y)
        versions = self.versions.fresh()
        if versions is None:
            return None
        etag = self.etag(layer, versions)
        data = self.cache.get((name, z, x, y, etag))
        return None if data is None else Tile(data, etag)

    def tile(self, session: Session, name: str, *, z: int, x: int, y: int) -> Tile:
        """Tile z/x/y of layer `name`, from the cache when its tables have not changed."""
        layer = tile_layer(name)
        check_tile(z, x, y)
        # the versions are read before the tile is built, so a tile is never stored under a
        # version newer than its rows: a write committed meanwhile only makes it fresher
        etag = self.etag(layer, self.versions.current(session))
        key = (name, z, x, y, etag)
        data = self.cache.get(key)
        if data is None:
            data = render_tile(session, layer, z=z, x=x, y=y)
            self.cache.put(key, data)
        return Tile(data, etag)

    def tilejson(self, session: Session, name: str, *, tiles_url: str) -> dict[str, Any]:
        """The TileJSON of layer `name`; its bounds are kept until its tables change."""
        layer = tile_layer(name)
        etag = self.etag(layer, self.versions.current(session))
        known = self._bounds.get(name)
        if known is None or known[0] != etag:
            known = (etag, layer_bounds(session, layer))
            self._bounds[name] = known
        return tilejson(layer, known[1], tiles_url)
