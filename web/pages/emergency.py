"""The emergency teams' map `/emergency` (应急疏散): draw a hazard (zone, then optionally a
smaller core) or pick a key site and a scenario; see who and what is affected; run a plan and
see its routes coloured by load, shelters by fill, the schedule per enterprise and the time to
evacuate; compare the hazard's saved plans and print one (`/emergency/plans/{id}/print`).

The page is folium + Leaflet-Geoman (served by gridmap); web/static/emergency.js (map and API)
and emergency_panel.js (the report tables) talk to the emergency API (/api/hazards…,
/api/plans…).
"""

from __future__ import annotations

import json
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo import vocab
from geo.hierarchy import ParkOutline
from web.assets import APP_STATIC_PREFIX, GEOMAN_CSS, GEOMAN_JS
from web.i18n import Translator
from web.layers import OVERVIEW_LAYERS, GridmapLayers, page_config
from web.maps import new_map

# drawn under the hazard and the plan, from the vector tiles
CONTEXT_IDS = ("park", "road", "key_site", "shelter", "enterprise")
CONTEXT_LAYERS = tuple(layer for layer in OVERVIEW_LAYERS if layer.id in CONTEXT_IDS)
# a road piece's peak load ÷ its capacity per step, and a shelter's load ÷ its capacity:
# (upper bound, colour), lowest first; the last class takes everything above
LOAD_CLASSES = ((0.25, "#2f9e44"), (0.5, "#94d82d"), (0.75, "#fab005"), (0.9, "#f76707"),
                (1.0, "#e03131"))  # fmt: skip
HAZARD_COLORS = {"zone": "#f08c00", "core": "#c92a2a", "unplaced": "#862e9c"}
LABEL_KEYS = (
    "hazard", "how", "how_draw", "how_site", "scenario", "time_of_day", "name", "draw_zone",
    "draw_core", "clear", "site", "site_pick", "create", "hint_zone", "hint_core",
    "need_zone", "need_site", "saved_hazards", "open", "none", "affected", "enterprises",
    "people", "people_day", "people_night", "key_sites", "networks", "parking_zones",
    "shelters_unusable", "in_core", "length_m", "capacity", "plan", "mode", "run",
    "running", "ete90", "ete100", "minutes", "evacuees", "unplaced", "routed", "schedule",
    "shelter", "route_m", "departures", "left_behind", "reason_no_road",
    "reason_shelters_full", "reason_no_node", "plans", "compare", "print", "legend_routes",
    "legend_shelters", "fill", "load", "peak", "failed", "loading", "created", "planned",
    "nothing", "walk", "drive", "day", "night", "zone", "core", "col_name", "code",
)  # fmt: skip


class EmergencyMap(JSCSSMixin, MacroElement):
    """Leaflet-Geoman, emergency.js and its panel, started on the map with the page's
    configuration."""

    default_js = [  # noqa: RUF012 - folium reads this class attribute
        GEOMAN_JS,
        ("gridmap_emergency_js", f"{APP_STATIC_PREFIX}/emergency.js"),
        ("gridmap_emergency_panel_js", f"{APP_STATIC_PREFIX}/emergency_panel.js"),
    ]
    default_css = [  # noqa: RUF012
        GEOMAN_CSS,
        ("gridmap_emergency_css", f"{APP_STATIC_PREFIX}/emergency.css"),
    ]
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        gridmapEmergency.init({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "EmergencyMap"
        self.config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def _names(t: Translator, table: vocab.Vocabulary) -> dict[str, str]:
    return {code: names[1 if t.lang == "en" else 0] for code, names in table.items()}


def emergency_config(t: Translator, sites: list[dict[str, Any]]) -> dict[str, Any]:
    """What emergency.js needs: scenarios, key sites, colours and texts."""
    return {
        "lang": t.lang,
        "scenarios": _names(t, vocab.HAZARD_SCENARIOS),
        "hazardClasses": _names(t, vocab.HAZARD_CLASSES),
        "networkKinds": _names(t, vocab.NETWORK_KINDS),
        "sites": sites,
        "loadClasses": [list(c) for c in LOAD_CLASSES],
        "colors": HAZARD_COLORS,
        "labels": {key: t(f"emergency.{key}") for key in LABEL_KEYS},
    }


def build_emergency(
    outline: ParkOutline,
    t: Translator,
    *,
    sites: list[dict[str, Any]],
    tianditu_key: str | None,
) -> folium.Map:
    """The emergency map: context layers from tiles, hazards and plans from the API."""
    fmap = new_map(outline.bounds)
    config = page_config(t, CONTEXT_LAYERS, tianditu_key=tianditu_key, search=True)
    GridmapLayers(config).add_to(fmap)
    EmergencyMap(emergency_config(t, sites)).add_to(fmap)
    return fmap


def load_color(ratio: float | None) -> str:
    """The colour of a load ratio (peak or fill ÷ capacity).

    >>> load_color(0.1), load_color(0.95), load_color(3.0)
    ('#2f9e44', '#e03131', '#e03131')
    """
    if ratio is None:
        return LOAD_CLASSES[0][1]
    return next((c for bound, c in LOAD_CLASSES if ratio < bound), LOAD_CLASSES[-1][1])
