"""Paged lists: the query parameters lists share (limit/offset, bbox, geometry) and the page
every list endpoint returns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field

from geo.catalog import BBox, parse_bbox

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class Paging:
    """Which slice of a list was asked for."""

    limit: int
    offset: int


def paging(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="每页条数 / items per page (1–1000)")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, description="跳过条数 / items to skip")] = 0,
) -> Paging:
    """The `limit` and `offset` query parameters."""
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(paging)]


def bbox(
    bbox: Annotated[
        str | None,
        Query(
            description="范围 / bounding box `minx,miny,maxx,maxy` in EPSG:4326 (lon/lat)",
            examples=["120.60,31.20,120.80,31.40"],
        ),
    ] = None,
) -> BBox | None:
    """The `bbox` query parameter, checked (422 naming the problem when malformed)."""
    return None if bbox is None else parse_bbox(bbox)


BBoxDep = Annotated[BBox | None, Depends(bbox)]
GeometryQuery = Annotated[
    bool, Query(description="是否返回 GeoJSON 几何 / include the GeoJSON geometry (EPSG:4326)")
]


class Page(BaseModel, Generic[M]):
    """One page of a list; `next` is the URL of the following page, null on the last."""

    items: list[M]
    total: int = Field(description="符合条件的总数 / items matching, over all pages")
    limit: int
    offset: int
    next: str | None = Field(description="下一页 / URL of the next page, null on the last")


def page_of(
    model: type[M], rows: Iterable[object], total: int, at: Paging, request: Request
) -> Page[M]:
    """A page of `model` items read from `rows` (dataclasses or objects with those attributes)."""
    items = [model.model_validate(row, from_attributes=True) for row in rows]
    following = at.offset + at.limit
    next_url = (
        str(request.url.include_query_params(offset=following)) if following < total else None
    )
    return Page(items=items, total=total, limit=at.limit, offset=at.offset, next=next_url)


def slice_of(rows: Sequence[T], at: Paging) -> Sequence[T]:
    """The asked slice of a list computed whole (for results that are filtered in Python)."""
    return rows[at.offset : at.offset + at.limit]
