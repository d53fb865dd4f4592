"""The enterprise pages: the paged list `/enterprises` (企业名录) with its filters, and one
enterprise's page `/enterprises/{uscc}` with every field, its visits, problems and a small map."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import folium
from shapely.geometry import box, shape

from geo import vocab
from geo.catalog import EnterpriseDetail, EnterpriseInfo, GridInfo, MicrogridInfo
from geo.places import Place
from geo.records import EnterpriseRecord
from web.i18n import Translator
from web.layers import OVERVIEW_LAYERS, GeoJsonLayer, GridmapLayers, field_label, page_config
from web.maps import new_map

PAGE_SIZE = 50
LIST_PATH = "/enterprises"
# the parks gridmap serves are in China: times are shown in Beijing time
DISPLAY_TZ = ZoneInfo("Asia/Shanghai")
POINT_MARGIN_DEG = 0.002  # the map around an enterprise in no grid: about 200 m each way
ORPHAN_CONTEXT = tuple(layer for layer in OVERVIEW_LAYERS if layer.id in ("community", "grid"))
VOCABS = {
    "industry": vocab.INDUSTRIES, "size_class": vocab.SIZE_CLASSES,
    "status": vocab.ENTERPRISE_STATUS, "coord_source": vocab.COORD_SOURCES,
    "check_result": vocab.VISIT_CHECKS, "category": vocab.PROBLEM_CATEGORIES,
    "problem_status": vocab.PROBLEM_STATUS, "handler_level": vocab.HANDLER_LEVELS,
}  # fmt: skip
Labeller = Callable[[str, str | None], str]


@dataclass(frozen=True)
class Filters:
    """What the list is filtered by; empty form fields mean no filter."""

    community: str | None = None
    grid: str | None = None
    industry: str | None = None
    q: str | None = None

    @classmethod
    def of(cls, **values: str | None) -> Filters:
        """Filters from query parameters, blank ones dropped."""
        return cls(**{k: (v.strip() or None) if v else None for k, v in values.items()})

    def query(self, **extra: Any) -> str:
        """The query string of these filters (and `extra`), blank ones left out."""
        pairs = {k: v for k, v in {**asdict(self), **extra}.items() if v}
        return urlencode(pairs)


def labeller(t: Translator) -> Labeller:
    """`v(vocabulary, value)`: the value's label in the page language, "—" when blank."""

    def label(name: str, value: str | None) -> str:
        return "—" if value is None else vocab.label(VOCABS[name], value, t.lang)

    return label


def labels_of(layer_id: str, t: Translator) -> Callable[[str], str]:
    """`label(field)`: the label of a field of `layer_id` in the page language."""

    def label(name: str) -> str:
        return field_label(layer_id, name, t)

    return label


def local_time(value: datetime | None) -> str:
    """A timestamp in Beijing time to the minute, "—" when missing."""
    return "—" if value is None else value.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Pager:
    """Which page of the list is shown and the links around it."""

    page: int
    pages: int
    first: int
    last: int
    prev_href: str | None
    next_href: str | None


def pager(filters: Filters, page: int, total: int) -> Pager:
    """Page `page` of `total` items, PAGE_SIZE a page, with links keeping the filters."""
    pages = max(1, math.ceil(total / PAGE_SIZE))

    def href(n: int) -> str:
        query = filters.query(page=n if n > 1 else None)
        return f"{LIST_PATH}?{query}" if query else LIST_PATH

    first = min(total, (page - 1) * PAGE_SIZE + 1)
    last = min(total, page * PAGE_SIZE)
    return Pager(page, pages, first, last, href(page - 1) if page > 1 else None,
                 href(page + 1) if page < pages else None)  # fmt: skip


def list_context(
    t: Translator,
    filters: Filters,
    *,
    page: int,
    rows: Sequence[EnterpriseInfo],
    total: int,
    communities: Sequence[Place],
    grids: Sequence[GridInfo],
) -> dict[str, Any]:
    """What templates/enterprises.html shows."""
    return {
        "filters": filters, "rows": rows, "total": total, "pager": pager(filters, page, total),
        "communities": communities, "grids": grids, "industries": vocab.INDUSTRIES,
        "grid_names": {g.code: g.name for g in grids}, "v": labeller(t),
        "label": labels_of("enterprise", t),
    }  # fmt: skip


def _place(name: str | None, code: str | None) -> str | None:
    return None if code is None else f"{name or ''} {code}".strip()


def fact_rows(
    t: Translator, e: EnterpriseDetail, record: EnterpriseRecord
) -> list[tuple[str, str, str | None]]:
    """Every field of the enterprise as (label, text, link or None), in reading order."""
    v, label = labeller(t), labels_of("enterprise", t)
    raw = None if e.raw_x is None else f"{e.raw_x}, {e.raw_y} ({e.raw_crs or e.coord_source})"
    grid = _place(e.grid_name, e.grid_code) or t("enterprise.orphan")
    rows: list[tuple[str, str | None, str | None]] = [
        (label("uscc"), e.uscc, None),
        (label("name"), e.name, None),
        (label("industry"), e.industry and f"{e.industry} {v('industry', e.industry)}", None),
        (label("industry_detail"), e.industry_detail, None),
        (label("size_class"), e.size_class and v("size_class", e.size_class), None),
        (label("employees_day"), str(e.employees_day), None),
        (label("employees_night"), str(e.employees_night), None),
        (label("address"), e.address, None),
        (label("contact_name"), record.contact_name, None),
        (label("contact_phone"), record.contact_phone, None),
        (label("status"), v("status", e.status), None),
        (t("field.community"), _place(record.community_name, e.community_code),
         f"{LIST_PATH}?community={e.community_code}" if e.community_code else None),
        (t("field.grid"), grid, f"{LIST_PATH}?grid={e.grid_code}" if e.grid_code else None),
        (t("field.microgrid"), _place(e.microgrid_name, e.microgrid_code), None),
        (t("field.location"), f"{e.lon:.6f}, {e.lat:.6f}", None),
        (t("field.coord_source"), v("coord_source", e.coord_source), None),
        (t("field.raw_coordinates"), raw, None),
        (label("compound"), t("enterprise.compound_yes" if e.compound else "enterprise.no"), None),
        (t("field.updated_at"), local_time(record.updated_at), None),
    ]  # fmt: skip
    return [(name, text or "—", href) for name, text, href in rows]


def detail_context(t: Translator, e: EnterpriseDetail, record: EnterpriseRecord) -> dict[str, Any]:
    """What templates/enterprise.html shows."""
    return {
        "e": e, "record": record, "facts": fact_rows(t, e, record), "v": labeller(t),
        "time": local_time, "visit_label": labels_of("visit", t),
        "problem_label": labels_of("problem", t),
    }  # fmt: skip


def _outline(layer_id: str, t: Translator, color: str, feature: dict[str, Any]) -> GeoJsonLayer:
    style = {"color": color, "weight": 2.5, "dashArray": "6 4", "fill": True,
             "fillColor": color, "fillOpacity": 0.04}  # fmt: skip
    fields = (("code", field_label(layer_id, "code", t)),)
    return GeoJsonLayer(layer_id, t(f"layer.{layer_id}"), style, fields, data=feature)


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def map_layers(
    t: Translator, e: EnterpriseDetail, grid: GridInfo | None, micro: MicrogridInfo | None
) -> tuple[GeoJsonLayer, ...]:
    """Grid and micro-grid outlines, the compound, and the enterprise's point."""
    layers = []
    for layer_id, area, color in (("grid", grid, "#2b7bb9"), ("microgrid", micro, "#8e44ad")):
        if area is not None and area.geometry is not None:
            feature = _feature(area.geometry, name=area.name, code=area.code)
            layers.append(_outline(layer_id, t, color, feature))
    point = _feature({"type": "Point", "coordinates": [e.lon, e.lat]}, name=e.name,
                     uscc=e.uscc, address=e.address)  # fmt: skip
    if e.compound is not None:
        style = {"color": "#d9480f", "weight": 2, "fillColor": "#ff922b", "fillOpacity": 0.35}
        compound = _feature(e.compound, name=e.name, uscc=e.uscc)
        uscc = (("uscc", field_label("enterprise", "uscc", t)),)
        layers.append(GeoJsonLayer("compound", t("enterprise.compound"), style, uscc,
                                   data=compound))  # fmt: skip
    dot = {"color": "#ffffff", "weight": 2, "fillColor": "#c92a2a", "fillOpacity": 1, "radius": 8}
    fields = tuple((name, field_label("enterprise", name, t)) for name in ("uscc", "address"))
    layers.append(GeoJsonLayer("enterprise", t("layer.enterprise"), dot, fields, data=point,
                               point=True))  # fmt: skip
    return tuple(layers)


def build_enterprise_map(
    t: Translator,
    e: EnterpriseDetail,
    grid: GridInfo | None,
    micro: MicrogridInfo | None,
    *,
    tianditu_key: str | None,
) -> folium.Map:
    """The small map: fitted to the grid (or around the point and compound when in no grid)."""
    if grid is not None and grid.geometry is not None:
        bounds = shape(grid.geometry).bounds
    else:
        m = POINT_MARGIN_DEG
        area = box(e.lon - m, e.lat - m, e.lon + m, e.lat + m)
        bounds = area.union(shape(e.compound)).bounds if e.compound else area.bounds
    fmap = new_map(bounds)
    # in no grid: the grids around are drawn from the tiles, to show how far it lies outside
    context = () if grid is not None else ORPHAN_CONTEXT
    config = page_config(t, context, tianditu_key=tianditu_key, search=False,
                         overlays=map_layers(t, e, grid, micro), compact=True)  # fmt: skip
    GridmapLayers(config).add_to(fmap)
    return fmap
