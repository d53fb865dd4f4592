"""The planners' grid editor `/editor` (网格编辑): pick a community's grid, reshape it with
snapping, split it by a line, merge neighbours, draw or delete micro-grids; preview the impact,
save with a reason, undo, and look at the boundaries of any past day.

The page is folium + Leaflet-Geoman (served by gridmap); web/static/editor.js talks to the
edit API (/api/edits…), which checks and repairs the topology on the server.
"""

from __future__ import annotations

import json
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.hierarchy import ParkOutline
from geo.places import Place
from web.assets import APP_STATIC_PREFIX, GEOMAN_CSS, GEOMAN_JS
from web.i18n import Translator
from web.layers import OVERVIEW_LAYERS, GridmapLayers, page_config
from web.maps import new_map

# drawn under the editable grids, from the vector tiles
CONTEXT_IDS = ("park", "community", "enterprise")
CONTEXT_LAYERS = tuple(layer for layer in OVERVIEW_LAYERS if layer.id in CONTEXT_IDS)
LABEL_KEYS = (
    "community", "grids", "pick", "selected", "version", "none", "reshape", "split", "merge",
    "create_microgrid", "delete_microgrid", "reason", "reason_needed", "preview", "save",
    "cancel", "undo", "history", "history_empty", "at", "at_clear", "impact", "enterprises",
    "microgrids", "key_sites", "parking_zones", "staff_duties", "open_problems", "staffing",
    "before", "after", "notes", "saved", "undone", "stale", "failed", "hint_reshape",
    "hint_split", "hint_merge", "hint_create", "hint_delete", "name", "nothing", "more",
    "loading", "undo_reason", "staff", "change_created", "change_retired", "change_reshaped",
)  # fmt: skip


class GridEditor(JSCSSMixin, MacroElement):
    """Leaflet-Geoman and editor.js, started on the map with the page's configuration."""

    default_js = [  # noqa: RUF012 - folium reads this class attribute
        GEOMAN_JS,
        ("gridmap_editor_js", f"{APP_STATIC_PREFIX}/editor.js"),
        ("gridmap_editor_impact_js", f"{APP_STATIC_PREFIX}/editor_impact.js"),
    ]
    default_css = [GEOMAN_CSS]  # noqa: RUF012
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        gridmapEditor.init({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "GridEditor"
        self.config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def editor_config(
    t: Translator, communities: list[Place], community: str | None, snap_metres: float
) -> dict[str, Any]:
    """What editor.js needs: communities, the one to open, texts and tolerances."""
    return {
        "lang": t.lang,
        "communities": [{"code": c.code, "name": c.name} for c in communities],
        "community": community or (communities[0].code if communities else None),
        "snapMetres": snap_metres,
        "labels": {key: t(f"editor.{key}") for key in LABEL_KEYS},
    }


def build_editor(
    outline: ParkOutline,
    communities: list[Place],
    t: Translator,
    *,
    community: str | None,
    tianditu_key: str | None,
    snap_metres: float,
) -> folium.Map:
    """The editor map: context layers from tiles, the editable grids from the edit API."""
    fmap = new_map(outline.bounds)
    config = page_config(t, CONTEXT_LAYERS, tianditu_key=tianditu_key, search=True)
    GridmapLayers(config).add_to(fmap)
    GridEditor(editor_config(t, communities, community, snap_metres)).add_to(fmap)
    return fmap
