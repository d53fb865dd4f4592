"""Where a map page's side panel sits: it must end inside the map, whatever the window size."""

from __future__ import annotations

from typing import Any

PANEL_AND_MAP = """s => { const panel = document.querySelector(s).getBoundingClientRect();
    const map = document.querySelector('.folium-map').getBoundingClientRect();
    const box = document.querySelector(s);
    return [panel.bottom, map.bottom, box.scrollHeight > box.clientHeight]; }"""


def assert_panel_inside_the_map(page: Any, selector: str) -> bool:
    """The panel `selector` ends above the map's bottom edge; returns whether it scrolls."""
    panel_bottom, map_bottom, scrolls = page.evaluate(PANEL_AND_MAP, selector)
    assert panel_bottom <= map_bottom, f"{selector} ends at {panel_bottom}, the map at {map_bottom}"
    return bool(scrolls)
