"""The overview page `/`: the whole park, every layer switchable, enterprise search."""

from __future__ import annotations

import folium

from geo.hierarchy import ParkOutline
from web.i18n import Translator
from web.layers import OVERVIEW_LAYERS, GridmapLayers, page_config
from web.maps import new_map


def build_overview(outline: ParkOutline, t: Translator, *, tianditu_key: str | None) -> folium.Map:
    """The park boundary, the layers from vector tiles, legend, base maps and search."""
    fmap = new_map(outline.bounds)
    config = page_config(t, OVERVIEW_LAYERS, tianditu_key=tianditu_key, search=True)
    GridmapLayers(config).add_to(fmap)
    return fmap
