"""The map layers of gridmap's pages: vector tiles, styles, popups, base maps and search.

Python describes the layers once (labels from the layer specs, colours, zoom ranges) and
hands the description to web/static/gridmap.js, which draws them with Leaflet.VectorGrid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo import vocab
from geo.layers.spec import LAYERS
from geo.vocab import Vocabulary
from web.assets import APP_STATIC_PREFIX, VECTORGRID_JS
from web.i18n import Translator

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TIANDITU = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"


@dataclass(frozen=True)
class MapLayer:
    """One vector-tile layer on a page."""

    id: str
    style: dict[str, Any]
    fields: tuple[str, ...]
    min_zoom: int = 0
    visible: bool = True
    point: bool = False
    line: bool = False
    color_by: str | None = None
    colors: dict[str, str] = field(default_factory=dict)
    vocab: dict[str, Vocabulary] = field(default_factory=dict)


@dataclass(frozen=True)
class GeoJsonLayer:
    """A small layer drawn from GeoJSON rather than tiles: fetched from `url` (one request per
    URL, shared by the layers that `match` different features of it) or given as `data`.

    Labels come translated. `fields` are (property, label) or (property, label, property shown
    after it); `item` and `note` name a feature in the page's side list; `link` is (URL prefix,
    property, label) of a link under the popup.
    """

    id: str
    label: str
    style: dict[str, Any]
    fields: tuple[tuple[str, ...], ...]
    title: str = "name"
    url: str | None = None
    data: dict[str, Any] | None = None
    match: dict[str, str] = field(default_factory=dict)
    point: bool = False
    visible: bool = True
    vocab: dict[str, Vocabulary] = field(default_factory=dict)
    item: tuple[str, ...] = ("name",)
    note: tuple[str, str] | None = None  # (property, text after its value), e.g. ("area_m2", " m²")
    link: tuple[str, str, str] | None = None


def _area(color: str, weight: float = 1.5, fill: float = 0.05, **extra: Any) -> dict[str, Any]:
    return {"color": color, "weight": weight, "fill": True, "fillColor": color,
            "fillOpacity": fill, **extra}  # fmt: skip


def _dot(color: str, radius: float) -> dict[str, Any]:
    return {"color": "#ffffff", "weight": 1, "fillColor": color, "fillOpacity": 0.9,
            "radius": radius}  # fmt: skip


OVERVIEW_LAYERS: tuple[MapLayer, ...] = (
    MapLayer("park", {"color": "#102a43", "weight": 4, "fill": False}, ("name", "code")),
    MapLayer("community", _area("#17406d", 3, 0.02), ("name", "code")),
    MapLayer("grid", _area("#2b7bb9", 1.5, 0.06), ("name", "code", "kind", "community_code"),
             color_by="kind", colors={"dedicated": "#d35400"}, vocab={"kind": vocab.GRID_KINDS}),
    MapLayer("microgrid", _area("#8e44ad", 1, 0.04, dashArray="4 3"),
             ("name", "code", "kind", "grid_code"), min_zoom=15,
             vocab={"kind": vocab.MICROGRID_KINDS}),
    MapLayer("road", {"color": "#9aa5b1", "weight": 2}, ("name", "road_class", "lanes"),
             line=True, color_by="road_class", colors={"arterial": "#6b7785"},
             vocab={"road_class": vocab.ROAD_CLASSES}),
    MapLayer("network", {"color": "#1f78b4", "weight": 1.5}, ("name", "kind", "operator"),
             min_zoom=14, visible=False, line=True, color_by="kind",
             colors={"water": "#1f78b4", "power": "#e31a1c", "gas": "#ff7f00",
                     "telecom": "#6a3d9a", "sewage": "#8c510a"},
             vocab={"kind": vocab.NETWORK_KINDS}),
    MapLayer("parking_zone", _area("#7f8c8d", 1, 0.3), ("name", "kind", "capacity"),
             min_zoom=15, visible=False, vocab={"kind": vocab.PARKING_KINDS}),
    MapLayer("key_site", _dot("#c0392b", 6), ("name", "category", "hazard_class"), point=True,
             vocab={"category": vocab.KEY_SITE_CATEGORIES, "hazard_class": vocab.HAZARD_CLASSES}),
    MapLayer("shelter", _dot("#27ae60", 7), ("name", "kind", "capacity"), point=True,
             vocab={"kind": vocab.SHELTER_KINDS}),
    MapLayer("enterprise", _dot("#34495e", 3.5),
             ("name", "uscc", "industry", "size_class", "employees_day", "grid_code"),
             point=True,
             vocab={"industry": vocab.INDUSTRIES, "size_class": vocab.SIZE_CLASSES}),
)  # fmt: skip


def field_label(layer_id: str, name: str, t: Translator) -> str:
    """The label of a layer's field: the layer spec's Chinese header, else `field.<name>`."""
    spec = LAYERS.get(layer_id)
    fields = {f.name: f for f in spec.all_fields()} if spec else {}
    if t.lang == "en" or name not in fields or not fields[name].label:
        return t(f"field.{name}") if t(f"field.{name}") != f"field.{name}" else name
    return fields[name].label


def _vocab(vocabulary: Vocabulary, t: Translator) -> dict[str, str]:
    return {code: vocab.label(vocabulary, code, t.lang) for code in vocabulary}


def layer_config(layer: MapLayer, t: Translator) -> dict[str, Any]:
    """What gridmap.js needs to draw and explain one layer."""
    return {
        "id": layer.id,
        "label": t(f"layer.{layer.id}"),
        "url": f"/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.mvt",
        "style": layer.style,
        "minZoom": layer.min_zoom,
        "visible": layer.visible,
        "point": layer.point,
        "line": layer.line,
        "colorBy": layer.color_by,
        "colors": layer.colors,
        "title": "name",
        "fields": [[name, field_label(layer.id, name, t)] for name in layer.fields],
        "vocab": {name: _vocab(v, t) for name, v in layer.vocab.items()},
    }


def geojson_config(layer: GeoJsonLayer, t: Translator) -> dict[str, Any]:
    """What gridmap.js (overlays.js) needs to fetch, draw and list one GeoJSON layer."""
    return {
        "id": layer.id,
        "label": layer.label,
        "url": layer.url,
        "data": layer.data,
        "match": layer.match,
        "style": layer.style,
        "point": layer.point,
        "visible": layer.visible,
        "title": layer.title,
        "fields": [list(f) for f in layer.fields],
        "vocab": {name: _vocab(v, t) for name, v in layer.vocab.items()},
        "item": list(layer.item),
        "note": list(layer.note) if layer.note else None,
        "link": list(layer.link) if layer.link else None,
    }


def base_maps(t: Translator, tianditu_key: str | None) -> list[dict[str, Any]]:
    """None first (the default: nothing is fetched), then OpenStreetMap and Tianditu."""
    failed = t("basemap.failed")
    maps: list[dict[str, Any]] = [
        {"id": "none", "label": t("basemap.none")},
        {"id": "osm", "label": "OpenStreetMap", "url": OSM_URL, "failed": failed,
         "attribution": "© OpenStreetMap contributors", "subdomains": "abc"},
    ]  # fmt: skip
    if tianditu_key:
        maps.append(
            {"id": "tianditu", "label": t("basemap.tianditu"), "failed": failed,
             "url": TIANDITU.format(layer="vec", key=tianditu_key),
             "overlayUrl": TIANDITU.format(layer="cva", key=tianditu_key),
             "subdomains": "01234567", "attribution": "© 天地图 Tianditu"}
        )  # fmt: skip
    return maps


class GridmapLayers(JSCSSMixin, MacroElement):
    """Base maps, vector layers, legend and search, set up by gridmap.js on the map."""

    default_js = [  # noqa: RUF012 - folium reads this class attribute
        VECTORGRID_JS,
        ("gridmap_js", f"{APP_STATIC_PREFIX}/gridmap.js"),
        ("gridmap_overlays_js", f"{APP_STATIC_PREFIX}/overlays.js"),
    ]
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        gridmap.init({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "GridmapLayers"
        # inside <script>, "</" must not appear literally: escape it in the JSON
        self.config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def page_config(
    t: Translator,
    layers: tuple[MapLayer, ...],
    *,
    tianditu_key: str | None,
    search: bool,
    overlays: tuple[GeoJsonLayer, ...] = (),
    panel: dict[str, Any] | None = None,
    compact: bool = False,
) -> dict[str, Any]:
    """The whole configuration of a map page for gridmap.js; `panel` makes a side list of the
    overlays' features (texts: title, loading, failed, clear, found; `clearOf`: layer ids);
    `compact` (small maps) collapses the layer control."""
    return {
        "lang": t.lang,
        "labels": {
            "legend": t("legend.title"),
            "searchPlaceholder": t("search.placeholder"),
            "noMatch": t("search.no_match"),
            "loadFailed": t("overlay.failed"),
        },
        "baseMaps": base_maps(t, tianditu_key),
        "layers": [layer_config(layer, t) for layer in layers],
        "search": {"url": "/api/enterprises"} if search else None,
        "overlays": [geojson_config(layer, t) for layer in overlays],
        "panel": panel,
        "compact": compact,
    }
