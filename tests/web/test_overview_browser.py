"""The overview page in real headless Chromium."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_overview_loads_leaflet_draws_map_without_errors(live_server, live_page):
    page, watch = live_page
    page.goto(f"{live_server}/", wait_until="networkidle")
    assert page.evaluate("typeof L !== 'undefined' && typeof L.map === 'function'")
    assert page.evaluate("typeof jQuery === 'function'")
    container = page.locator(".folium-map.leaflet-container")
    assert container.count() == 1
    box = container.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 400
    assert page.locator(".leaflet-control-zoom").is_visible()
    assert page.locator(".leaflet-control-scale").is_visible()
    watch.assert_clean()


def test_overview_requests_nothing_outside_the_server(live_server, live_page):
    page, watch = live_page
    outside: list[str] = []
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith((live_server, "data:", "about:"))
            else None
        ),
    )
    page.goto(f"{live_server}/", wait_until="networkidle")
    assert outside == []
    watch.assert_clean()


def test_overview_speaks_chinese_first_and_english_on_request(live_server, live_page):
    page, _ = live_page
    page.goto(f"{live_server}/", wait_until="domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "园区总览" in page.title()
    page.click("#gm-lang-switch")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Park overview" in page.title()
