"""The grid members' visit page `/visits` (走访记录), made for phones: the enterprises of my
grids nearest first, and a form that records a visit with the phone's position, notes and an
optional photo; the answer says whether the position was verified.

web/static/visits.js talks to /api/my/enterprises, /api/visits and /api/visits/{id}/photo.
"""

from __future__ import annotations

import json
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from web.assets import APP_STATIC_PREFIX
from web.i18n import Translator
from web.maps import new_map

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
LABEL_KEYS = (
    "locating", "located", "denied", "unavailable", "loading", "failed", "empty", "distance_m",
    "distance_km", "visited", "not_visited", "back", "notes", "photo", "record", "recording",
    "verified", "flagged", "no_location", "photo_uploaded", "photo_failed", "photo_too_big",
    "photo_type", "you", "count", "record_failed",
)  # fmt: skip


class VisitsPage(JSCSSMixin, MacroElement):
    """visits.js, started on the page's small map with the page's configuration."""

    default_js = [("gridmap_visits_js", f"{APP_STATIC_PREFIX}/visits.js")]  # noqa: RUF012
    default_css = [("gridmap_fieldwork_css", f"{APP_STATIC_PREFIX}/fieldwork.css")]  # noqa: RUF012
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        gridmapVisits.init({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "VisitsPage"
        self.config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def visits_config(t: Translator) -> dict[str, Any]:
    """What visits.js needs: photo limits and texts."""
    return {
        "lang": t.lang,
        "photoTypes": list(PHOTO_TYPES),
        "photoMaxBytes": PHOTO_MAX_BYTES,
        "labels": {key: t(f"visits.{key}") for key in LABEL_KEYS},
    }


def build_visits_map(t: Translator) -> folium.Map:
    """The small map of the chosen enterprise and the user's position (filled by visits.js)."""
    fmap = new_map()
    VisitsPage(visits_config(t)).add_to(fmap)
    return fmap
