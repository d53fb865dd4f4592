"""folium maps that load only gridmap's own assets, with gridmap's defaults."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from web.assets import BASE_CSS, BASE_JS

# Suzhou Industrial Park: where an empty installation opens before any data is loaded
DEFAULT_CENTER = (31.31, 120.74)
DEFAULT_ZOOM = 12


class OfflineMap(folium.Map):
    """A folium.Map whose JavaScript and CSS come from gridmap, never from a CDN."""

    default_js = BASE_JS
    default_css = BASE_CSS


def new_map(bounds: Sequence[float] | None = None, **options: Any) -> OfflineMap:
    """A map without a base layer (works offline), a metric scale bar, fitted to `bounds`.

    `bounds` is (minx, miny, maxx, maxy) in lon/lat.
    """
    fmap = OfflineMap(
        location=DEFAULT_CENTER,
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        control_scale=False,
        **options,
    )
    MetricScale().add_to(fmap)
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


class MetricScale(MacroElement):
    """A metric-only scale bar (Chinese users read metres and kilometres)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MetricScale"

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false, maxWidth: 160})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
