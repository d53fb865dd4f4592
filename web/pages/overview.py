"""The overview page `/`: the whole park on one map."""

from __future__ import annotations

import folium

from geo.hierarchy import ParkOutline
from web.i18n import Translator
from web.maps import new_map


def build_overview(outline: ParkOutline, t: Translator) -> folium.Map:
    """The park boundary over an empty base map, fitted to the park."""
    fmap = new_map(outline.bounds)
    if outline.features["features"]:
        folium.GeoJson(
            outline.features,
            name=t("layer.park"),
            style_function=lambda _: {"color": "#17406d", "weight": 3, "fillOpacity": 0.03},
            tooltip=folium.GeoJsonTooltip(fields=["name", "code"], aliases=["", ""]),
        ).add_to(fmap)
        folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap
