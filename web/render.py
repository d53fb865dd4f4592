"""Turning a folium map into a gridmap page: common header, navigation, language."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import Figure
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.auth import current_principal
from geo.vocab import USER_ROLES
from web.assets import APP_STATIC_PREFIX
from web.i18n import LANG_COOKIE, Translator

# what a page without a map loads: gridmap's own stylesheet only
CONTENT_HEADER = f'<link rel="stylesheet" href="{APP_STATIC_PREFIX}/gridmap.css">'


@dataclass(frozen=True)
class NavItem:
    """One entry of the header navigation."""

    key: str
    href: str
    label: str
    roles: tuple[str, ...] = ()  # shown only to these roles (empty: every signed-in user)


NAV = (
    NavItem("overview", "/", "nav.overview"),
    NavItem("enterprises", "/enterprises", "nav.enterprises"),
    NavItem("check", "/check", "nav.check"),
    NavItem("editor", "/editor", "nav.editor", roles=("admin", "planner")),
    NavItem("coverage", "/coverage", "nav.coverage"),
    NavItem("layers", "/layers", "nav.layers"),
    NavItem("emergency", "/emergency", "nav.emergency", roles=("admin", "emergency")),
    NavItem("visits", "/visits", "nav.visits", roles=("admin", "grid_leader", "grid_member")),
    NavItem("users", "/admin/users", "nav.users", roles=("admin",)),
    NavItem("audit", "/admin/audit", "nav.audit", roles=("admin",)),
)

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def map_page(
    fmap: folium.Map,
    t: Translator,
    *,
    title: str,
    active: str,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The HTML page around `fmap`; `notice` is trusted markup from the catalogues only."""
    header, body, script = _map_parts(fmap)
    return _page(t, title, active, notice, header, body, script, status_code)


def content_page(
    template: str,
    t: Translator,
    *,
    title: str,
    active: str,
    fmap: folium.Map | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page of `template` (tables, forms; text autoescaped) around an optional small map,
    which the template places with `{{ map_html | safe }}`."""
    header, body, script = _map_parts(fmap) if fmap is not None else (CONTENT_HEADER, "", "")
    content = templates.get_template(template).render(t=t, map_html=body, **context)
    return _page(t, title, active, None, header, content, script, status_code)


def _map_parts(fmap: folium.Map) -> tuple[str, str, str]:
    """The header (assets), body and script parts folium renders for `fmap`."""
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.render()  # lets every element register its header and script parts
    return figure.header.render(), figure.html.render(), figure.script.render()


def _page(
    t: Translator,
    title: str,
    active: str,
    notice: str | None,
    header: str,
    body: str,
    script: str,
    status_code: int,
) -> HTMLResponse:
    user = current_principal()
    html = templates.get_template("page.html").render(
        t=t,
        title=title,
        user=user,
        role_label=USER_ROLES[user.role][0 if t.lang == "zh-CN" else 1] if user else "",
        nav=[item for item in NAV if user and (not item.roles or user.role in item.roles)],
        active=active,
        notice=notice,
        map_header=header,
        map_html=body,
        map_script=script,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.set_cookie(LANG_COOKIE, t.lang, max_age=365 * 86400, samesite="lax")
    return response
