"""Turning a folium map into a gridmap page: common header, navigation, language."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Figure
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from web.i18n import LANG_COOKIE, Translator


@dataclass(frozen=True)
class NavItem:
    """One entry of the header navigation."""

    key: str
    href: str
    label: str


NAV = (NavItem("overview", "/", "nav.overview"),)

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
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.render()  # lets every element register its header and script parts
    html = templates.get_template("page.html").render(
        t=t,
        title=title,
        nav=NAV,
        active=active,
        notice=notice,
        map_header=figure.header.render(),
        map_html=figure.html.render(),
        map_script=figure.script.render(),
    )
    response = HTMLResponse(html, status_code=status_code)
    response.set_cookie(LANG_COOKIE, t.lang, max_age=365 * 86400, samesite="lax")
    return response
