"""The grid boundary editor over JSON (issue #7): preview, save, history, undo (planners)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import shapely
from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field
from shapely.errors import GEOSException
from shapely.geometry import shape

from api.deps import SessionDep, SettingsDep
from api.pagination import Page, PagingDep, page_of
from geo import editing
from geo.catalog import community_id
from geo.errors import InvalidGeometry, InvalidInput
from geo.models import EditOperation
from geo.settings import Settings
from geo.staffing import StaffingNorms

router = APIRouter(prefix="/api", tags=["edits"])

Op = Literal[
    "reshape", "split", "merge", "create_microgrid", "delete_microgrid", "reshape_microgrid",
    "move_enterprise",
]  # fmt: skip
IfMatch = Annotated[
    str | None,
    Header(description='网格的 ETag / the ETag of the one grid edited, e.g. "320571001001001-3"'),
]
AtQuery = Annotated[
    date | None,
    Query(description="历史日期 / show the boundaries as they were when this day ended"),
]


class EditIn(BaseModel):
    """One edit. Which fields count depends on `op` (see the README's editor section)."""

    op: Op
    reason: str = Field(min_length=1, max_length=500, description="编辑原因 / why (audited)")
    versions: dict[str, int] = Field(
        default_factory=dict, description="所基于的版本 / {code: version} you started from"
    )
    grid: str | None = Field(default=None, description="reshape, split, create_microgrid")
    grids: list[str] = Field(default_factory=list, description="merge: the grids to join")
    microgrid: str | None = Field(default=None, description="delete/reshape_microgrid")
    uscc: str | None = Field(default=None, description="move_enterprise")
    geometry: dict[str, Any] | None = Field(
        default=None, description="GeoJSON (EPSG:4326): polygon, split line, or point"
    )
    name: str | None = Field(default=None, max_length=200)
    names: list[str] = Field(default_factory=list, description="split: names of the pieces")
    kind: str | None = None


class UndoIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="撤销原因 / why (audited)")


class EditOut(BaseModel):
    """What an edit did (id null on a preview), with its impact."""

    id: int | None
    kind: str
    dry_run: bool
    features: list[dict[str, Any]]
    impact: dict[str, Any] = Field(description="影响 / enterprises, micro-grids, … that change")


class EditRecord(BaseModel):
    """An edit in the history."""

    id: int
    kind: str
    community_id: int
    params: dict[str, Any]
    reason: str
    username: str | None
    at: datetime
    features: list[dict[str, Any]]
    summary: dict[str, Any]
    undo_of: int | None
    undone_by: int | None


def norms_of(settings: Settings) -> StaffingNorms:
    return StaffingNorms(
        enterprises_per_full_time=settings.staffing_enterprises_per_full_time,
        employees_per_staff=settings.staffing_employees_per_staff,
        min_part_time=settings.staffing_min_part_time,
    )


def _geometry(value: dict[str, Any] | None) -> shapely.Geometry | None:
    if value is None:
        return None
    found = value.get("geometry", value) if value.get("type") == "Feature" else value
    try:
        geom = shape(found)
    except (GEOSException, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidGeometry(f"无法读取几何图形 / cannot read the geometry: {exc}") from exc
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom


def _versions(body: EditIn, if_match: str | None) -> dict[str, int]:
    versions = dict(body.versions)
    if if_match:
        tag = if_match.strip().removeprefix("W/").strip('"')
        code, _, version = tag.rpartition("-")
        if not code or not version.isdigit():
            raise InvalidInput(
                f'If-Match 格式应为 "编码-版本" / If-Match must be "CODE-VERSION": {if_match}'
            )
        versions[code] = int(version)
    return versions


def _request(body: EditIn, if_match: str | None) -> editing.EditRequest:
    return editing.EditRequest(
        op=body.op, reason=body.reason, versions=_versions(body, if_match), grid=body.grid,
        grids=tuple(body.grids), microgrid=body.microgrid, uscc=body.uscc,
        geometry=_geometry(body.geometry), name=body.name, names=tuple(body.names),
        kind=body.kind,
    )  # fmt: skip


def _out(outcome: editing.EditOutcome) -> EditOut:
    return EditOut(id=outcome.operation_id, kind=outcome.kind, dry_run=outcome.dry_run,
                   features=outcome.features, impact=outcome.impact.as_json())  # fmt: skip


@router.post("/edits/preview", response_model=EditOut)
def preview_edit(
    body: EditIn, session: SessionDep, settings: SettingsDep, if_match: IfMatch = None
) -> EditOut:
    """预览编辑影响 / dry run: what the edit would change; nothing is saved."""
    outcome = editing.edit(session, _request(body, if_match), snap_m=settings.snap_metres,
                           norms=norms_of(settings), dry_run=True)  # fmt: skip
    return _out(outcome)


@router.post("/edits", response_model=EditOut, status_code=201)
def save_edit(
    body: EditIn, session: SessionDep, settings: SettingsDep, if_match: IfMatch = None
) -> EditOut:
    """保存编辑 / apply an edit: new versions, re-assignment, history, audit (planners)."""
    outcome = editing.edit(session, _request(body, if_match), snap_m=settings.snap_metres,
                           norms=norms_of(settings))  # fmt: skip
    session.commit()
    return _out(outcome)


@router.get("/edits", response_model=Page[EditRecord])
def list_edits(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    community: Annotated[str | None, Query(description="社区编码 / community code")] = None,
) -> Page[EditRecord]:
    """编辑历史 / the edits, newest first."""
    cid = None if community is None else community_id(session, code=community)
    rows, total = editing.list_edits(session, community_id=cid, limit=paging.limit,
                                     offset=paging.offset)  # fmt: skip
    return page_of(EditRecord, rows, total, paging, request)


@router.get("/edits/{operation_id}", response_model=EditRecord)
def read_edit(operation_id: int, session: SessionDep) -> EditOperation:
    """单条编辑记录 / one edit with its versions before and after."""
    return editing.read_edit(session, operation_id)


@router.post("/edits/{operation_id}/undo", response_model=EditOut, status_code=201)
def undo_edit(
    operation_id: int, body: UndoIn, session: SessionDep, settings: SettingsDep
) -> EditOut:
    """撤销编辑 / undo an edit as a new version (409 when its features changed since)."""
    outcome = editing.undo(session, operation_id, reason=body.reason, norms=norms_of(settings))
    session.commit()
    return _out(outcome)
