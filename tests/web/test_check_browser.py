"""The hierarchy check page `/check` in real headless Chromium: violations drawn per kind,
the side list flies to them, orphans shown, and names never run as HTML."""

from __future__ import annotations

import pytest

from tests.geo.catalog_fixtures import G1, G3, M2
from tests.web.broken_world import ATTACK_NAME, OVERLAP_CODE, OVERLAP_NAME

pytestmark = pytest.mark.browser


def _open(page, url: str) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="networkidle")
    page.wait_for_function("window.gridmap && gridmap.overlaysReady")
    page.locator("#gm-feature-list .gm-panel-status.gm-ok, "
                 "#gm-feature-list .gm-panel-status.gm-bad").wait_for()  # fmt: skip
    return dialogs


def _count(page, layer: str) -> str:
    return page.locator(f'section[data-layer="{layer}"] .gm-count').text_content()


def test_violations_are_listed_per_kind_and_drawn(broken_world_server, broken_page):
    page, watch = broken_page
    _open(page, f"{broken_world_server}/check")
    status = page.locator(".gm-panel-status")
    assert "gm-bad" in status.get_attribute("class") and "发现 3 处违规" in status.text_content()
    counts = {kind: _count(page, kind) for kind in (
        "grid_overlap", "grid_gap", "microgrid_outside_grid", "grid_outside_community",
        "microgrid_overlap", "community_outside_park", "orphan")}  # fmt: skip
    assert counts == {"grid_overlap": "1", "grid_gap": "1", "microgrid_outside_grid": "1",
                      "grid_outside_community": "0", "microgrid_overlap": "0",
                      "community_outside_park": "0", "orphan": "2"}  # fmt: skip
    drawn = page.evaluate(
        "Object.fromEntries(Object.entries(gridmap.geojson).map(([k, l]) => "
        "[k, gridmap.map.hasLayer(l) ? l.getLayers().length : -1]))"
    )
    assert drawn["grid_overlap"] == 1 and drawn["orphan"] == 2
    assert page.locator(".gm-legend").get_by_text("网格重叠", exact=True).is_visible()
    watch.assert_clean()


def test_clicking_an_overlap_flies_there_and_explains_it(broken_world_server, broken_page):
    page, watch = broken_page
    _open(page, f"{broken_world_server}/check")
    item = page.locator('section[data-layer="grid_overlap"] li')
    assert OVERLAP_CODE in item.text_content() and "m²" in item.text_content()
    item.click()
    popup = page.locator(".leaflet-popup-content .gm-popup")
    popup.wait_for(state="visible", timeout=10000)
    assert popup.locator("h3").text_content() == "网格重叠"
    text = popup.text_content()
    assert f"{G3} 湖东网格" in text and f"{OVERLAP_CODE} {OVERLAP_NAME}" in text
    assert "面积（平方米）" in text
    center = page.evaluate("gridmap.map.getCenter()")
    assert abs(center["lng"] - 120.79) < 0.002 and abs(center["lat"] - 31.29) < 0.002
    watch.assert_clean()


def test_a_micro_grid_sticking_out_names_its_grid(broken_world_server, broken_page):
    page, watch = broken_page
    _open(page, f"{broken_world_server}/check")
    page.locator('section[data-layer="microgrid_outside_grid"] li').click()
    popup = page.locator(".leaflet-popup-content .gm-popup")
    popup.wait_for(state="visible", timeout=10000)
    assert f"{M2} 星海产业园" in popup.text_content()
    assert f"所属网格{G1} 星海一网格" in popup.text_content()
    watch.assert_clean()


def test_an_orphan_named_like_html_shows_literally_without_a_dialog(
    broken_world_server, broken_page
):
    page, watch = broken_page
    dialogs = _open(page, f"{broken_world_server}/check")
    item = page.locator('section[data-layer="orphan"] li', has_text="onerror")
    assert item.text_content().startswith(ATTACK_NAME)
    item.click()
    popup = page.locator(".leaflet-popup-content .gm-popup")
    popup.wait_for(state="visible", timeout=10000)
    assert popup.locator("h3").text_content() == ATTACK_NAME
    assert page.locator("#gm-feature-list img, .leaflet-popup img").count() == 0
    assert popup.locator("a.gm-popup-link").get_attribute("href").startswith("/enterprises/")
    page.wait_for_timeout(300)
    assert dialogs == []
    watch.assert_clean()


def test_each_kind_switches_on_and_off(broken_world_server, broken_page):
    page, watch = broken_page
    _open(page, f"{broken_world_server}/check")
    control = page.locator(".leaflet-control-layers-overlays")
    control.get_by_text("网格重叠", exact=True).click()
    assert not page.evaluate("gridmap.map.hasLayer(gridmap.geojson.grid_overlap)")
    control.get_by_text("游离企业（不在任何网格内）", exact=True).click()
    assert not page.evaluate("gridmap.map.hasLayer(gridmap.geojson.orphan)")
    assert page.evaluate("gridmap.map.hasLayer(gridmap.geojson.grid_gap)")
    watch.assert_clean()


def test_the_valid_demo_park_says_no_violations_and_shows_its_orphans(demo_server, demo_page):
    page, watch = demo_page
    _open(page, f"{demo_server}/check")
    status = page.locator(".gm-panel-status")
    assert "gm-ok" in status.get_attribute("class")
    assert status.text_content().startswith("无违规")
    assert _count(page, "grid_overlap") == "0" and _count(page, "orphan") == "4"
    assert page.locator('section[data-layer="orphan"] li').count() == 4
    watch.assert_clean()


def test_the_check_page_in_english(demo_server, demo_page):
    page, watch = demo_page
    _open(page, f"{demo_server}/check?lang=en")
    assert page.locator(".gm-panel-status").text_content().startswith("No violations")
    assert page.locator(".gm-nav a.active").text_content() == "Hierarchy check"
    watch.assert_clean()
