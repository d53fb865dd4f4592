"""Page routes: each borrows a session, asks geo/ for data and hands it to a page builder."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from geo.hierarchy import park_outline
from web.i18n import LangDep
from web.pages.overview import build_overview
from web.render import map_page

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview(session: SessionDep, settings: SettingsDep, t: LangDep) -> HTMLResponse:
    """园区总览: the park map."""
    outline = park_outline(session)
    key = settings.tianditu_key.get_secret_value() if settings.tianditu_key else None
    notice = None if outline.bounds else t("overview.empty")
    return map_page(
        build_overview(outline, t, tianditu_key=key),
        t,
        title=t("overview.title"),
        active="overview",
        notice=notice,
    )
