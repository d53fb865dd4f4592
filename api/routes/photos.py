"""Field work extras: the caller's enterprises for the visit page, and visit photos."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import FileResponse

from api.deps import SessionDep, SettingsDep
from api.routes.account import PrincipalDep
from geo import fieldwork, photos
from geo.coverage.months import current_month
from geo.errors import TooLarge

router = APIRouter(prefix="/api", tags=["fieldwork"])


@router.get("/my/enterprises")
def my_enterprises(
    session: SessionDep, principal: PrincipalDep,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:  # fmt: skip
    """Enterprises of the caller's grids (every grid for an administrator), nearest first."""
    near = fieldwork.Where(lon, lat) if lon is not None and lat is not None else None
    found = fieldwork.my_enterprises(
        session, grid_ids=principal.scope_grids, month=current_month(), near=near, limit=limit
    )
    return {"items": [vars(m) for m in found]}


@router.post("/visits/{visit_id}/photo", status_code=201)
async def add_photo(
    visit_id: int, file: UploadFile, session: SessionDep, principal: PrincipalDep,
    settings: SettingsDep,
) -> dict[str, Any]:  # fmt: skip
    """Attach a photo (JPEG, PNG or WebP, at most GRIDMAP_MAX_PHOTO_MB) to one's own visit."""
    limit = settings.max_photo_mb * 1024 * 1024
    visit = photos.own_visit(
        session, visit_id, user_id=principal.user_id, is_admin=principal.role == "admin",
        scope=principal.scope_grids,
    )  # fmt: skip
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"照片超过 {settings.max_photo_mb} MB 上限 (photo larger than the limit)")
    path = photos.store_photo(
        visit, data, home=settings.home_dir, max_bytes=limit, now=datetime.now(UTC)
    )
    session.commit()
    return {"id": visit_id, "photo": f"/api/visits/{visit_id}/photo", "photo_path": path}


@router.get("/visits/{visit_id}/photo")
def get_photo(visit_id: int, session: SessionDep, settings: SettingsDep) -> FileResponse:
    """A visit's photo."""
    path, media = photos.photo_file(session, visit_id, home=settings.home_dir)
    return FileResponse(path, media_type=media)
