"""Grids and micro-grids (网格、微网格): listed with filters, read by code."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import SessionDep, SettingsDep
from api.pagination import BBoxDep, GeometryQuery, Page, PagingDep, page_of
from api.routes.edits import AtQuery
from geo import catalog, editing
from geo.errors import InvalidInput, NotFound

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
    settings: SettingsDep,
    paging: PagingDep,
    bbox: BBoxDep,
    community: CommunityQuery = None,
    kind: Annotated[str | None, Query(description="base 基础网格 | dedicated 专属网格")] = None,
    q: TextQuery = None,
    geometry: GeometryQuery = False,
    at: AtQuery = None,
) -> Page[GridOut]:
    """网格列表 / live grids (or those of the day `at`), ordered by code."""
    if at is not None:
        _only_with_at(kind=kind, q=q, bbox=bbox)
        moment = editing.end_of_day(at, settings.timezone)
        rows, total = editing.grids_at(session, moment, community=community, geometry=geometry,
                                       limit=paging.limit, offset=paging.offset)  # fmt: skip
        return page_of(GridOut, rows, total, paging, request)
    rows, total = catalog.list_grids(
        session, community=community, kind=kind, q=q, bbox=bbox, geometry=geometry,
        limit=paging.limit, offset=paging.offset,
    )  # fmt: skip
    return page_of(GridOut, rows, total, paging, request)


@router.get("/grids/{code}", response_model=GridOut, responses={404: {"description": "no grid"}})
def read_grid(
    code: str,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    geometry: GeometryQuery = True,
    at: AtQuery = None,
) -> GridOut:
    """单个网格 / one grid by code, live or retired (or as it was on `at`); ETag = its version."""
    if at is not None:
        moment = editing.end_of_day(at, settings.timezone)
        rows, _ = editing.grids_at(session, moment, code=code, geometry=geometry, limit=1)
        if not rows:
            raise NotFound(f"网格 {code} 在 {at} 不存在 / grid {code} did not exist on {at}")
        return GridOut.model_validate(rows[0], from_attributes=True)
    found = catalog.read_grid(session, code=code, geometry=geometry)
    response.headers["ETag"] = f'"{found.code}-{found.version}"'
    return GridOut.model_validate(found, from_attributes=True)


@router.get("/microgrids", response_model=Page[MicrogridOut])
def list_microgrids(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    paging: PagingDep,
    bbox: BBoxDep,
    grid: Annotated[str | None, Query(description="网格编码 / grid code (15 digits)")] = None,
    kind: Annotated[
        str | None, Query(description="enterprise 企业 | park 园区 | building 楼宇")
    ] = None,
    q: TextQuery = None,
    geometry: GeometryQuery = False,
    at: AtQuery = None,
) -> Page[MicrogridOut]:
    """微网格列表 / live micro-grids (or those of the day `at`), ordered by code."""
    if at is not None:
        _only_with_at(kind=kind, q=q, bbox=bbox)
        moment = editing.end_of_day(at, settings.timezone)
        rows, total = editing.microgrids_at(session, moment, grid=grid, geometry=geometry,
                                            limit=paging.limit, offset=paging.offset)  # fmt: skip
        return page_of(MicrogridOut, rows, total, paging, request)
    rows, total = catalog.list_microgrids(
        session, grid=grid, kind=kind, q=q, bbox=bbox, geometry=geometry,
        limit=paging.limit, offset=paging.offset,
    )  # fmt: skip
    return page_of(MicrogridOut, rows, total, paging, request)


def _only_with_at(**filters: object) -> None:
    """`at` combines with community/grid and geometry only (history has no search index)."""
    given = [name for name, value in filters.items() if value is not None]
    if given:
        raise InvalidInput(
            f"at 不能与 {', '.join(given)} 同时使用 / `at` cannot be combined with "
            f"{', '.join(given)}"
        )


@router.get(
    "/microgrids/{code}", response_model=MicrogridOut, responses={404: {"description": "none"}}
)
def read_microgrid(code: str, session: SessionDep, geometry: GeometryQuery = True) -> MicrogridOut:
    """单个微网格 / one micro-grid by code, live or retired."""
    found = catalog.read_microgrid(session, code=code, geometry=geometry)
    return MicrogridOut.model_validate(found, from_attributes=True)
