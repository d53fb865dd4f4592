"""Grids and micro-grids (网格、微网格): listed with filters, read by code."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.deps import SessionDep
from api.pagination import BBoxDep, GeometryQuery, Page, PagingDep, page_of
from geo import catalog

router = APIRouter(prefix="/api", tags=["grids"])

TextQuery = Annotated[
    str | None, Query(description="名称包含或编码开头 / name contains, or code starts with")
]
CommunityQuery = Annotated[str | None, Query(description="社区编码 / community code (12 digits)")]


class AreaOut(BaseModel):
    """Fields shared by grids and micro-grids."""

    code: str
    name: str
    kind: str = Field(description="类型 / kind")
    community_code: str
    version: int = Field(description="边界版本 / boundary version")
    valid_from: datetime
    valid_to: datetime | None = Field(description="撤销时间，null 为现行 / retired at; null = live")
    area_m2: float = Field(description="面积（平方米）/ area in m² (on the ellipsoid)")
    enterprise_count: int = Field(description="企业数 / enterprises assigned")
    geometry: dict[str, Any] | None = Field(description="GeoJSON MultiPolygon (EPSG:4326)")


class GridOut(AreaOut):
    """A grid (网格): kind `base` (基础网格) or `dedicated` (专属网格)."""

    microgrid_count: int = Field(description="微网格数 / live micro-grids")


class MicrogridOut(AreaOut):
    """A micro-grid (微网格): kind `enterprise`, `park` or `building`."""

    grid_code: str


@router.get("/grids", response_model=Page[GridOut])
def list_grids(
    request: Request,
    session: SessionDep,
    at: PagingDep,
    bbox: BBoxDep,
    community: CommunityQuery = None,
    kind: Annotated[str | None, Query(description="base 基础网格 | dedicated 专属网格")] = None,
    q: TextQuery = None,
    geometry: GeometryQuery = False,
) -> Page[GridOut]:
    """网格列表 / live grids, ordered by code."""
    rows, total = catalog.list_grids(
        session, community=community, kind=kind, q=q, bbox=bbox, geometry=geometry,
        limit=at.limit, offset=at.offset,
    )  # fmt: skip
    return page_of(GridOut, rows, total, at, request)


@router.get("/grids/{code}", response_model=GridOut, responses={404: {"description": "no grid"}})
def read_grid(code: str, session: SessionDep, geometry: GeometryQuery = True) -> GridOut:
    """单个网格 / one grid by code, live or retired, with area and counts."""
    found = catalog.read_grid(session, code=code, geometry=geometry)
    return GridOut.model_validate(found, from_attributes=True)


@router.get("/microgrids", response_model=Page[MicrogridOut])
def list_microgrids(
    request: Request,
    session: SessionDep,
    at: PagingDep,
    bbox: BBoxDep,
    grid: Annotated[str | None, Query(description="网格编码 / grid code (15 digits)")] = None,
    kind: Annotated[
        str | None, Query(description="enterprise 企业 | park 园区 | building 楼宇")
    ] = None,
    q: TextQuery = None,
    geometry: GeometryQuery = False,
) -> Page[MicrogridOut]:
    """微网格列表 / live micro-grids, ordered by code."""
    rows, total = catalog.list_microgrids(
        session, grid=grid, kind=kind, q=q, bbox=bbox, geometry=geometry,
        limit=at.limit, offset=at.offset,
    )  # fmt: skip
    return page_of(MicrogridOut, rows, total, at, request)


@router.get(
    "/microgrids/{code}", response_model=MicrogridOut, responses={404: {"description": "none"}}
)
def read_microgrid(code: str, session: SessionDep, geometry: GeometryQuery = True) -> MicrogridOut:
    """单个微网格 / one micro-grid by code, live or retired."""
    found = catalog.read_microgrid(session, code=code, geometry=geometry)
    return MicrogridOut.model_validate(found, from_attributes=True)
