"""The printable evacuation plan `/emergency/plans/{id}/print` (疏散预案，A4): a still map of
the zone, core, routes (coloured by load) and shelters (by fill, named), what the zone holds,
each enterprise's shelter, route and departures, the evacuation times, the parameters, and the
dates in the reader's language. Print CSS: web/static/plan_print.css (`@page { size: A4 }`).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin

from geo import vocab
from geo.evacuation.hazards import Affected
from web.assets import APP_STATIC_PREFIX
from web.i18n import Translator
from web.maps import new_map
from web.pages.emergency import HAZARD_COLORS, LOAD_CLASSES, load_color


class PrintStyle(JSCSSMixin, MacroElement):
    """The A4 print stylesheet, loaded with the map's assets."""

    default_css = [("gridmap_plan_print_css", f"{APP_STATIC_PREFIX}/plan_print.css")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "PrintStyle"


def _literal(text: str) -> str:
    """`text` safe inside folium's tooltip: HTML, in a JavaScript template literal.

    >>> _literal("<b>`${x}`\\</b>")
    '&lt;b&gt;&#96;&#36;{x}&#96;&#92;&lt;/b&gt;'
    """
    marks = {"`": "&#96;", "$": "&#36;", "\\": "&#92;"}
    return "".join(marks.get(c, c) for c in escape(text))


def _area(geojson: dict[str, Any], which: str) -> folium.GeoJson:
    color = HAZARD_COLORS[which]
    style = {"color": color, "fillColor": color, "weight": 2,
             "fillOpacity": 0.3 if which == "core" else 0.12}  # fmt: skip
    return folium.GeoJson(geojson, style_function=lambda _f: style, interactive=False)


def _route_style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    return {"color": load_color(props.get("ratio")), "weight": 4, "opacity": 0.9}


def build_print_map(data: dict[str, Any]) -> folium.Map:
    """A still map of the plan: no base map, no zooming, fitted to the zone and the shelters."""
    hazard = data["hazard"]
    minx, miny, maxx, maxy = _bounds([hazard["zone"], *_used_shelters(data)])
    fmap = new_map((minx, miny, maxx, maxy), zoom_control=False, scrollWheelZoom=False,
                   dragging=False, doubleClickZoom=False)  # fmt: skip
    _area(hazard["zone"], "zone").add_to(fmap)
    _area(hazard["core"], "core").add_to(fmap)
    if data["routes"]["features"]:
        folium.GeoJson(data["routes"], style_function=_route_style, interactive=False).add_to(fmap)
    for feature in _used_shelters(data):
        p = feature["properties"]
        label = _literal(f"{p['name']} {p['load']}/{p['capacity']}")
        lon, lat = feature["coordinates"]
        folium.CircleMarker(
            (lat, lon), radius=8, color="#1b4332", weight=2, fill=True, fill_opacity=0.9,
            fill_color=load_color(p["fill"]),
            tooltip=folium.Tooltip(label, permanent=True),
        ).add_to(fmap)  # fmt: skip
    PrintStyle().add_to(fmap)
    return fmap


def _used_shelters(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The shelters that take people, as points with their properties."""
    return [{"type": "Point", "coordinates": f["geometry"]["coordinates"],
             "properties": f["properties"]}
            for f in data["shelters"]["features"]
            if f["properties"]["load"] > 0 and f["geometry"]]  # fmt: skip


def _bounds(geometries: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
            return
        for c in coords:
            walk(c)

    for geometry in geometries:
        walk(geometry["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def local_date(t: Translator, when: datetime) -> str:
    """A date and time as the reader writes it.

    >>> local_date(Translator("zh-CN"), datetime(2026, 11, 28, 9, 5))
    '2026年11月28日 09:05'
    >>> local_date(Translator("en"), datetime(2026, 11, 28, 9, 5))
    '2026-11-28 09:05'
    """
    if t.lang == "zh-CN":
        return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"
    return f"{when:%Y-%m-%d %H:%M}"


def _name(t: Translator, table: vocab.Vocabulary, code: str | None) -> str:
    if code is None or code not in table:
        return code or ""
    return table[code][1 if t.lang == "en" else 0]


def print_context(
    t: Translator,
    data: dict[str, Any],
    report: Affected,
    *,
    created: datetime,
    printed: datetime,
) -> dict[str, Any]:
    """What the print template shows (plain values; the template escapes them)."""
    plan, hazard = data["plan"], data["hazard"]
    params = plan["parameters"]
    return {
        "plan": plan,
        "hazard": hazard,
        "scenario": _name(t, vocab.HAZARD_SCENARIOS, hazard["scenario"]),
        "time_of_day": _name(t, vocab.TIMES_OF_DAY, hazard["time_of_day"]),
        "mode": t(f"emergency.{params.get('mode', 'walk')}"),
        "created": local_date(t, created),
        "printed": local_date(t, printed),
        "report": report,
        "shelters": [s["properties"] for s in _used_shelters(data)],
        "schedule": data["schedule"],
        "left_behind": data["left_behind"],
        "params": params,
        "legend": [
            (c, round(lo * 100), round(hi * 100))
            for (hi, c), lo in zip(
                LOAD_CLASSES, (0.0, *(b for b, _c in LOAD_CLASSES)), strict=False
            )
        ],
        "colors": HAZARD_COLORS,
        "network_kinds": {k: _name(t, vocab.NETWORK_KINDS, k) for k in vocab.NETWORK_KINDS},
    }
