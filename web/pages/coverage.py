"""The grid leaders' coverage map `/coverage` (走访覆盖): grids and micro-grids coloured by the
month's visit coverage, enterprises by their visit state, a month picker, a member filter, the
unvisited enterprises in a side list, a suggested visiting route for one grid and the reports.

The page is folium + Leaflet; web/static/coverage.js and coverage_panel.js draw it from the
coverage API (/api/coverage…) and the grid API (/api/grids, /api/microgrids with geometry).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.hierarchy import ParkOutline
from geo.places import Place
from web.assets import APP_STATIC_PREFIX
from web.i18n import Translator
from web.layers import OVERVIEW_LAYERS, GridmapLayers, page_config
from web.maps import new_map

# drawn under the coverage colours, from the vector tiles
CONTEXT_IDS = ("park", "community")
CONTEXT_LAYERS = tuple(layer for layer in OVERVIEW_LAYERS if layer.id in CONTEXT_IDS)
MONTHS_BACK = 12  # the month picker offers the current month and the eleven before it
MICROGRID_ZOOM = 15
# coverage classes, lowest first: (upper bound in percent, colour); grey when a place is empty
COVERAGE_CLASSES = ((20, "#e03131"), (40, "#f76707"), (60, "#fab005"), (80, "#94d82d"),
                    (100, "#2f9e44"))  # fmt: skip
EMPTY_COLOR = "#adb5bd"
STATE_COLORS = {"verified": "#2f9e44", "flagged": "#f08c00", "visited": "#1c7ed6",
                "unvisited": "#e03131"}  # fmt: skip
LABEL_KEYS = (
    "community", "month", "closed", "open", "member", "all_members", "grids", "enterprises",
    "legend_grids", "legend_enterprises", "no_enterprises", "unvisited", "unvisited_none",
    "never", "days_ago", "route", "route_pick", "route_none", "route_length", "reports",
    "xlsx", "csv", "loading", "failed", "visited", "verified", "flagged", "total", "percent",
    "last_visit", "state_verified", "state_flagged", "state_visited", "state_unvisited",
    "selected", "stop",
)  # fmt: skip


class CoverageMap(JSCSSMixin, MacroElement):
    """coverage.js and its panel, started on the map with the page's configuration."""

    default_js = [  # noqa: RUF012 - folium reads this class attribute
        ("gridmap_coverage_js", f"{APP_STATIC_PREFIX}/coverage.js"),
        ("gridmap_coverage_panel_js", f"{APP_STATIC_PREFIX}/coverage_panel.js"),
    ]
    default_css = [("gridmap_fieldwork_css", f"{APP_STATIC_PREFIX}/fieldwork.css")]  # noqa: RUF012
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        gridmapCoverage.init({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "CoverageMap"
        self.config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def recent_months(today: date, count: int = MONTHS_BACK) -> list[str]:
    """`count` months as YYYY-MM, newest first.

    >>> recent_months(date(2026, 2, 10), 3)
    ['2026-02', '2026-01', '2025-12']
    """
    index = today.year * 12 + today.month - 1
    return [f"{(index - i) // 12:04d}-{(index - i) % 12 + 1:02d}" for i in range(count)]


def coverage_config(
    t: Translator, communities: list[Place], community: str | None, today: date
) -> dict[str, Any]:
    """What coverage.js needs: communities, the one to open, months, colours and texts."""
    return {
        "lang": t.lang,
        "communities": [{"code": c.code, "name": c.name} for c in communities],
        "community": community or (communities[0].code if communities else None),
        "months": recent_months(today),
        "classes": [list(c) for c in COVERAGE_CLASSES],
        "emptyColor": EMPTY_COLOR,
        "stateColors": STATE_COLORS,
        "microgridZoom": MICROGRID_ZOOM,
        "labels": {key: t(f"coverage.{key}") for key in LABEL_KEYS},
    }


def build_coverage(
    outline: ParkOutline,
    communities: list[Place],
    t: Translator,
    *,
    community: str | None,
    today: date,
    tianditu_key: str | None,
) -> folium.Map:
    """The coverage map: park and communities from tiles, coverage drawn by coverage.js."""
    fmap = new_map(outline.bounds)
    config = page_config(t, CONTEXT_LAYERS, tianditu_key=tianditu_key, search=False)
    GridmapLayers(config).add_to(fmap)
    CoverageMap(coverage_config(t, communities, community, today)).add_to(fmap)
    return fmap
