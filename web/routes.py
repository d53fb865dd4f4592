"""Page routes: each borrows a session, asks geo/ for data and hands it to a page builder."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.auth import current_principal
from api.deps import SessionDep, SettingsDep
from geo import catalog, places, records
from geo.catalog import EnterpriseDetail, GridInfo, MicrogridInfo
from geo.evacuation.hazards import affected, hazard_sites
from geo.evacuation.plan_map import plan_map
from geo.hierarchy import park_outline
from geo.settings import Settings
from web.i18n import LangDep
from web.pages import enterprises as pages
from web.pages.check import build_check
from web.pages.coverage import build_coverage
from web.pages.editor import build_editor
from web.pages.emergency import build_emergency
from web.pages.overview import build_overview
from web.pages.plan_print import build_print_map, print_context
from web.pages.visits import build_visits_map
from web.render import content_page, map_page

router = APIRouter(include_in_schema=False)
USCC_LENGTH = 18
TextQuery = Annotated[str | None, Query()]


def _tianditu_key(settings: Settings) -> str | None:
    return settings.tianditu_key.get_secret_value() if settings.tianditu_key else None


@router.get("/", response_class=HTMLResponse)
def overview(session: SessionDep, settings: SettingsDep, t: LangDep) -> HTMLResponse:
    """园区总览: the park map."""
    outline = park_outline(session)
    notice = None if outline.bounds else t("overview.empty")
    return map_page(
        build_overview(outline, t, tianditu_key=_tianditu_key(settings)),
        t,
        title=t("overview.title"),
        active="overview",
        notice=notice,
    )


@router.get("/check", response_class=HTMLResponse)
def check(session: SessionDep, settings: SettingsDep, t: LangDep) -> HTMLResponse:
    """网格检查: hierarchy violations and orphan enterprises on the map."""
    outline = park_outline(session)
    notice = None if outline.bounds else t("overview.empty")
    return map_page(
        build_check(outline, t, tianditu_key=_tianditu_key(settings)),
        t,
        title=t("check.title"),
        active="check",
        notice=notice,
    )


@router.get("/editor", response_class=HTMLResponse)
def editor(
    session: SessionDep, settings: SettingsDep, t: LangDep, community: TextQuery = None
) -> HTMLResponse:
    """网格编辑: the planners' grid editor (reshape, split, merge, micro-grids, undo)."""
    outline = park_outline(session)
    fmap = build_editor(
        outline,
        places.list_communities(session),
        t,
        community=community,
        tianditu_key=_tianditu_key(settings),
        snap_metres=settings.snap_metres,
    )
    notice = None if outline.bounds else t("overview.empty")
    return map_page(fmap, t, title=t("editor.title"), active="editor", notice=notice)


@router.get("/coverage", response_class=HTMLResponse)
def coverage(
    session: SessionDep, settings: SettingsDep, t: LangDep, community: TextQuery = None
) -> HTMLResponse:
    """走访覆盖: the month's visit coverage of a community's grids, for grid leaders."""
    outline = park_outline(session)
    user = current_principal()
    if community is None and user is not None:  # a grid leader opens on their own community
        community = places.community_of_grids(session, grid_ids=user.grid_ids)
    fmap = build_coverage(
        outline,
        places.list_communities(session),
        t,
        community=community,
        today=datetime.now(ZoneInfo(settings.timezone)).date(),
        tianditu_key=_tianditu_key(settings),
    )
    notice = None if outline.bounds else t("overview.empty")
    return map_page(fmap, t, title=t("coverage.title"), active="coverage", notice=notice)


@router.get("/emergency", response_class=HTMLResponse)
def emergency(session: SessionDep, settings: SettingsDep, t: LangDep) -> HTMLResponse:
    """应急疏散: draw or pick a hazard, see who is affected, plan and compare evacuations."""
    outline = park_outline(session)
    fmap = build_emergency(
        outline, t, sites=hazard_sites(session), tianditu_key=_tianditu_key(settings)
    )
    notice = None if outline.bounds else t("overview.empty")
    return map_page(fmap, t, title=t("emergency.title"), active="emergency", notice=notice)


@router.get("/emergency/plans/{plan_id}/print", response_class=HTMLResponse)
def emergency_plan_print(
    plan_id: int, session: SessionDep, settings: SettingsDep, t: LangDep
) -> HTMLResponse:
    """疏散预案（打印）: one saved plan on an A4 page: map, affected, schedule, times."""
    data = plan_map(session, plan_id)
    report = affected(session, data["hazard"]["id"])
    zone = ZoneInfo(settings.timezone)
    created = datetime.fromisoformat(data["plan"]["created_at"]).astimezone(zone)
    context = print_context(t, data, report, created=created, printed=datetime.now(zone))
    return content_page(
        "plan_print.html", t, title=f"{t('emergency.print_title')} · {data['plan']['name']}",
        active="emergency", fmap=build_print_map(data), **context,
    )  # fmt: skip


@router.get("/visits", response_class=HTMLResponse)
def visits(t: LangDep) -> HTMLResponse:
    """走访记录: a grid member's enterprises nearest first, and a visit form (phones)."""
    return content_page(
        "visits.html", t, title=t("visits.title"), active="visits", fmap=build_visits_map(t)
    )


@router.get("/enterprises", response_class=HTMLResponse)
def enterprise_list(
    session: SessionDep,
    t: LangDep,
    community: TextQuery = None,
    grid: TextQuery = None,
    industry: TextQuery = None,
    q: TextQuery = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """企业名录: enterprises filtered by community, grid, industry and name/USCC, paged."""
    filters = pages.Filters.of(community=community, grid=grid, industry=industry, q=q)
    rows, total = catalog.list_enterprises(
        session, community=filters.community, grid=filters.grid, industry=filters.industry,
        q=filters.q, limit=pages.PAGE_SIZE, offset=(page - 1) * pages.PAGE_SIZE,
    )  # fmt: skip
    grids, _ = catalog.list_grids(session, community=filters.community, limit=1000)
    context = pages.list_context(
        t, filters, page=page, rows=rows, total=total,
        communities=places.list_communities(session), grids=grids,
    )  # fmt: skip
    return content_page(
        "enterprises.html", t, title=t("enterprises.title"), active="enterprises", **context
    )


@router.get("/enterprises/{key}", response_class=HTMLResponse)
def enterprise_page(
    key: str, session: SessionDep, settings: SettingsDep, t: LangDep
) -> HTMLResponse:
    """One enterprise by its USCC (or database id): every field, visits, problems, a map."""
    uscc = key
    if len(key) != USCC_LENGTH and key.isdigit():
        uscc = records.enterprise_uscc(session, enterprise_id=int(key))
    found = catalog.read_enterprise(session, uscc=uscc)
    record = records.enterprise_record(session, uscc=found.uscc)
    grid, micro = _areas_of(session, found)
    fmap = pages.build_enterprise_map(t, found, grid, micro, tianditu_key=_tianditu_key(settings))
    return content_page(
        "enterprise.html", t, title=found.name, active="enterprises", fmap=fmap,
        **pages.detail_context(t, found, record),
    )  # fmt: skip


def _areas_of(
    session: SessionDep, found: EnterpriseDetail
) -> tuple[GridInfo | None, MicrogridInfo | None]:
    grid = catalog.read_grid(session, code=found.grid_code) if found.grid_code else None
    micro = (
        catalog.read_microgrid(session, code=found.microgrid_code) if found.microgrid_code else None
    )
    return grid, micro
