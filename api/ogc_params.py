"""OGC API Features query parameters: `crs`, `bbox`, `bbox-crs`, `datetime`, paging and
property filters, parsed into a `geo.features.ItemQuery` (400 naming the parameter when bad)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from geo.errors import InvalidInput
from geo.features import BBox, Interval, ItemQuery

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
# CRS URI → whether its axis order is lat/lon. CGCS2000 is served with WGS84's coordinates.
CRS_LAT_FIRST = {CRS84: False, EPSG_4326: True, EPSG_4490: True}


def parse_crs(uri: str | None, *, param: str = "crs") -> str:
    """The CRS URI asked for in `param` (CRS84 when none); InvalidInput for any other CRS.

    >>> parse_crs(None) == CRS84, parse_crs(EPSG_4490) == EPSG_4490
    (True, True)
    """
    if uri is None:
        return CRS84
    if uri.strip() in CRS_LAT_FIRST:
        return uri.strip()
    raise InvalidInput(
        f"{param} 不支持 / {param}: unsupported CRS '{uri}'; use one of {', '.join(CRS_LAT_FIRST)}",
        detail={"parameter": param, "supported": list(CRS_LAT_FIRST)},
    )


def parse_bbox(text: str, *, lat_first: bool = False) -> BBox:
    """`bbox` (4 numbers, or 6 with heights) as lon/lat; `lat_first` reads lat/lon order.

    >>> parse_bbox("31.2,120.6,31.4,120.8", lat_first=True)
    (120.6, 31.2, 120.8, 31.4)
    """
    try:
        values = [float(p) for p in text.split(",")]
    except ValueError:
        values = []
    if len(values) not in (4, 6) or not all(math.isfinite(v) for v in values):
        raise _bad_bbox(text, "must be 4 (or 6) comma-separated numbers")
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if lat_first:
        values = [values[1], values[0], values[3], values[2]]
    minx, miny, maxx, maxy = values
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise _bad_bbox(text, "is out of range or has min > max (lon −180…180, lat −90…90)")
    return minx, miny, maxx, maxy


def _bad_bbox(text: str, problem: str) -> InvalidInput:
    return InvalidInput(f"bbox 无效 / bbox '{text}' {problem}", detail={"parameter": "bbox"})


def parse_datetime(text: str) -> Interval:
    """`datetime`: an RFC 3339 instant, or an interval `start/end` with `..` for an open end.

    >>> parse_datetime("2024-05-01T00:00:00Z/..")[1] is None
    True
    """
    parts = text.split("/")
    if len(parts) > 2 or all(p in ("", "..") for p in parts):
        raise _bad_datetime(text)
    ends = [None if p in ("", "..") else _instant(p, text) for p in parts]
    start, end = (ends[0], ends[0]) if len(ends) == 1 else (ends[0], ends[1])
    if start is not None and end is not None and start > end:
        raise _bad_datetime(text)
    return start, end


def _instant(value: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _bad_datetime(text) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bad_datetime(text: str) -> InvalidInput:
    return InvalidInput(
        f"datetime 无效 / datetime '{text}' must be an RFC 3339 date-time or an interval "
        "start/end (open end: ..)",
        detail={"parameter": "datetime"},
    )


# -- request dependencies -------------------------------------------------------------------

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100
ITEM_PARAMS = ("limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f", "at")
FORMATS = ("json", "geojson")

FormatQuery = Annotated[
    str | None, Query(description="输出格式 / output format: json (GeoJSON for features)")
]
CrsQuery = Annotated[
    str | None,
    Query(description=f"输出坐标系 / output CRS URI, one of {', '.join(CRS_LAT_FIRST)}; "
          "EPSG:4326 and EPSG:4490 put latitude first"),
]  # fmt: skip
LimitQuery = Annotated[
    int,
    Query(ge=1, description=f"每页条数 / items per page, 1–{MAX_LIMIT} (more is cut to it)",
          json_schema_extra={"maximum": MAX_LIMIT}),
]  # fmt: skip
BBoxQuery = Annotated[
    str | None,
    Query(description="范围 / minx,miny,maxx,maxy in bbox-crs (default CRS84 lon/lat)",
          examples=["120.60,31.20,120.80,31.40"]),
]  # fmt: skip


@dataclass(frozen=True)
class ItemParams:
    """The parsed items request and the CRS URI the response is in."""

    query: ItemQuery
    crs: str


def refuse_unknown(request: Request, allowed: tuple[str, ...]) -> None:
    """Refuse parameters the API does not define (Part 1, /req/core/query-param-unknown)."""
    unknown = sorted({name for name in request.query_params if name not in allowed})
    if unknown:
        raise InvalidInput(
            f"未知查询参数 / unknown query parameter(s): {', '.join(unknown)} "
            f"(allowed: {', '.join(allowed)})",
            detail={"parameters": unknown},
        )


def check_format(f: str | None) -> None:
    """Only JSON is served: `f` may be json (or geojson)."""
    if f is not None and f not in FORMATS:
        raise InvalidInput(
            f"f 不支持 / f: unsupported format '{f}'; use json", detail={"parameter": "f"}
        )


def metadata_params(request: Request, f: FormatQuery = None) -> None:
    """The landing page, conformance, collections and schemas take only `f`."""
    refuse_unknown(request, ("f",))
    check_format(f)


def feature_params(request: Request, crs: CrsQuery = None, f: FormatQuery = None) -> str:
    """One feature takes `crs`, `f` and `at` (a past day, grids); returns the output CRS URI."""
    refuse_unknown(request, ("crs", "f", "at"))
    check_format(f)
    return parse_crs(crs)


def item_params(
    request: Request,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, description="跳过条数 / items to skip")] = 0,
    bbox: BBoxQuery = None,
    bbox_crs: Annotated[
        str | None, Query(alias="bbox-crs", description="bbox 的坐标系 / CRS URI of bbox")
    ] = None,
    crs: CrsQuery = None,
    when: Annotated[
        str | None,
        Query(alias="datetime", description="时间 / RFC 3339 instant or interval (open end ..)"),
    ] = None,
    f: FormatQuery = None,
) -> ItemParams:
    """The items parameters, checked; other parameters are property filters (exact match)."""
    check_format(f)
    out_crs = parse_crs(crs)
    box_crs = parse_crs(bbox_crs, param="bbox-crs")
    query = ItemQuery(
        bbox=None if bbox is None else parse_bbox(bbox, lat_first=CRS_LAT_FIRST[box_crs]),
        properties=property_filters(request),
        interval=None if when is None else parse_datetime(when),
        limit=min(limit, MAX_LIMIT),
        offset=offset,
        lat_first=CRS_LAT_FIRST[out_crs],
    )
    return ItemParams(query, out_crs)


def property_filters(request: Request) -> dict[str, str]:
    """Query parameters other than the standard ones: property name → value (each once)."""
    found: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in ITEM_PARAMS:
            continue
        if name in found:
            raise InvalidInput(
                f"参数重复 / query parameter '{name}' given more than once",
                detail={"parameter": name},
            )
        found[name] = value
    return found


ItemParamsDep = Annotated[ItemParams, Depends(item_params)]
FeatureCrsDep = Annotated[str, Depends(feature_params)]
