"""The hierarchy check page `/check` (网格检查): every broken hierarchy rule and every orphan
enterprise on the map, each kind its own layer, with a side list that flies to each place."""

from __future__ import annotations

from typing import Any

import folium

from geo import vocab
from geo.hierarchy import VIOLATIONS, ParkOutline
from geo.places import VIOLATION_PLACES
from web.i18n import Translator
from web.layers import OVERVIEW_LAYERS, GeoJsonLayer, GridmapLayers, field_label, page_config
from web.maps import new_map

CHECK_URL = "/api/check.geojson"
ORPHANS_URL = "/api/orphans.geojson"
ENTERPRISE_PAGE = "/enterprises/"
# the hierarchy drawn under the problems, from the overview's vector tiles
CONTEXT_IDS = ("park", "community", "grid", "microgrid")
CONTEXT_LAYERS = tuple(layer for layer in OVERVIEW_LAYERS if layer.id in CONTEXT_IDS)
KIND_COLORS = {
    "grid_overlap": "#e03131",
    "grid_gap": "#f08c00",
    "grid_outside_community": "#9c36b5",
    "microgrid_outside_grid": "#1098ad",
    "microgrid_overlap": "#c2255c",
    "community_outside_park": "#5f3dc4",
}
PANEL_WIDTH_PX = 320
ORPHAN_FIELDS = ("uscc", "industry", "size_class", "status", "employees_day")


def _problem_style(color: str) -> dict[str, Any]:
    return {"color": color, "weight": 2.5, "fill": True, "fillColor": color, "fillOpacity": 0.45}


def _place_label(layer: str, other: bool, same_layer: bool, t: Translator) -> str:
    # "网格" for either grid of an overlap; "所属社区" for the community a grid leaves
    return t(f"check.parent.{layer}") if other and not same_layer else t(f"check.place.{layer}")


def violation_layer(kind: str, t: Translator) -> GeoJsonLayer:
    """One kind of violation, drawn from the shared check GeoJSON."""
    layer, other = VIOLATION_PLACES[kind]
    fields: list[tuple[str, ...]] = [("code", _place_label(layer, False, False, t), "name")]
    if other is not None:
        fields.append(("other_code", _place_label(other, True, other == layer, t), "other_name"))
    fields.append(("area_m2", t("check.area")))
    zh, en = VIOLATIONS[kind]
    return GeoJsonLayer(
        id=kind, label=en.capitalize() if t.lang == "en" else zh,
        style=_problem_style(KIND_COLORS[kind]), fields=tuple(fields),
        title="label_en" if t.lang == "en" else "label_zh", url=CHECK_URL, match={"kind": kind},
        item=("code", "other_code"), note=("area_m2", " m²"),
    )  # fmt: skip


def orphan_layer(t: Translator) -> GeoJsonLayer:
    """The enterprises in no grid, as points linking to their pages."""
    return GeoJsonLayer(
        id="orphan", label=t("check.orphans"),
        style={"color": "#ffffff", "weight": 1.5, "fillColor": "#d6336c", "fillOpacity": 0.95,
               "radius": 7},
        fields=tuple((name, field_label("enterprise", name, t)) for name in ORPHAN_FIELDS),
        url=ORPHANS_URL, point=True, item=("name",), note=("uscc", ""),
        vocab={"industry": vocab.INDUSTRIES, "size_class": vocab.SIZE_CLASSES,
               "status": vocab.ENTERPRISE_STATUS},
        link=(ENTERPRISE_PAGE, "uscc", t("enterprise.open")),
    )  # fmt: skip


def panel(t: Translator) -> dict[str, Any]:
    """The side list's texts; its status line speaks of the violations, not the orphans."""
    return {
        "title": t("check.title"),
        "loading": t("check.loading"),
        "failed": t("overlay.failed"),
        "clear": t("check.clear"),
        "found": t("check.found"),
        "clearOf": list(VIOLATIONS),
    }


def build_check(outline: ParkOutline, t: Translator, *, tianditu_key: str | None) -> folium.Map:
    """The park's hierarchy as context, each kind of violation and the orphans on top."""
    fmap = new_map()
    if outline.bounds is not None:
        minx, miny, maxx, maxy = outline.bounds
        # leave room on the left for the side list
        fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding_top_left=(PANEL_WIDTH_PX, 0))
    overlays = (*(violation_layer(kind, t) for kind in VIOLATIONS), orphan_layer(t))
    config = page_config(
        t, CONTEXT_LAYERS, tianditu_key=tianditu_key, search=False, overlays=overlays,
        panel=panel(t),
    )  # fmt: skip
    GridmapLayers(config).add_to(fmap)
    return fmap
