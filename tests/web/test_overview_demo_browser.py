"""The overview page on the demo park, in real headless Chromium, with no base map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parents[2] / "data" / "layers"
HTML_NAME = "测试<b>粗体</b>科技有限公司"


def _enterprise(name: str) -> dict:
    features = json.loads((DEMO / "enterprise.geojson").read_text())["features"]
    found = next(f for f in features if f["properties"]["name"] == name)
    lon, lat = found["geometry"]["coordinates"]
    return {**found["properties"], "lon": lon, "lat": lat}


def _open(page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.wait_for_function("window.gridmap && window.gridmap.map")


FEATURES_JS = """
(name) => {
  const layer = Object.entries(gridmap.overlays).find(([label]) => label === name)[1];
  if (!gridmap.map.hasLayer(layer)) return -1;
  return Object.values(layer._vectorTiles).reduce(
    (n, tile) => n + Object.keys(tile._features || {}).length, 0);
}
"""


def test_layers_are_drawn_from_vector_tiles(demo_server, demo_page):
    page, watch = demo_page
    tiles: list[str] = []
    page.on("response", lambda r: tiles.append(r.url) if "/tiles/" in r.url and r.ok else None)
    _open(page, f"{demo_server}/")
    for label in ("园区边界", "网格", "企业社区", "企业", "道路"):
        page.wait_for_function(f"({FEATURES_JS})({json.dumps(label)}) > 0", timeout=15000)
    assert any("/tiles/grid/" in url for url in tiles)
    assert page.locator(".gm-legend").is_visible()
    assert page.evaluate("document.querySelectorAll('img.leaflet-tile').length") == 0
    watch.assert_clean()


def test_switching_layers_on_and_off(demo_server, demo_page):
    page, watch = demo_page
    _open(page, f"{demo_server}/")
    control = page.locator(".leaflet-control-layers-overlays")
    control.get_by_text("企业", exact=True).click()
    assert page.evaluate(FEATURES_JS, "企业") == -1
    control.get_by_text("基础设施管网", exact=True).click()
    page.evaluate("void gridmap.map.setZoom(15)")
    page.wait_for_function(f"({FEATURES_JS})('基础设施管网') > 0", timeout=15000)
    watch.assert_clean()


def test_clicking_an_enterprise_shows_its_name_literally(demo_server, demo_page):
    page, watch = demo_page
    target = _enterprise(HTML_NAME)
    _open(page, f"{demo_server}/")
    page.evaluate(
        f"void gridmap.map.setView([{target['lat']}, {target['lon']}], 18, {{animate: false}})"
    )
    drawn = """(uscc) => {
      const layer = gridmap.overlays["企业"];
      return Object.values(layer._vectorTiles).some((tile) => Object.values(tile._features || {})
        .some((f) => f.feature && f.feature.properties && f.feature.properties.uscc === uscc));
    }"""
    page.wait_for_function(f"({drawn})({json.dumps(target['uscc'])})", timeout=15000)
    box = page.locator("#" + page.evaluate("gridmap.map.getContainer().id")).bounding_box()
    point = page.evaluate(f"gridmap.map.latLngToContainerPoint([{target['lat']}, {target['lon']}])")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = page.locator(".leaflet-popup-content .gm-popup")
    popup.wait_for(state="visible")
    assert popup.locator("h3").text_content() == HTML_NAME
    assert popup.locator("b").count() == 0
    assert target["uscc"] in popup.text_content()
    watch.assert_clean()


def test_search_flies_to_the_enterprise(demo_server, demo_page):
    page, watch = demo_page
    target = _enterprise(HTML_NAME)
    _open(page, f"{demo_server}/")
    page.fill("#gm-search-input", "粗体")
    result = page.locator("#gm-search-results li").first
    result.wait_for(state="visible")
    assert HTML_NAME in result.text_content()
    result.click()
    popup = page.locator(".leaflet-popup-content h3")
    popup.wait_for(state="visible", timeout=10000)
    assert popup.text_content() == HTML_NAME
    center = page.evaluate("gridmap.map.getCenter()")
    assert abs(center["lat"] - target["lat"]) < 1e-4 and abs(center["lng"] - target["lon"]) < 1e-4
    assert page.evaluate("gridmap.map.getZoom()") == 17
    watch.assert_clean()


def test_page_in_english_labels_layers_in_english(demo_server, demo_page):
    page, watch = demo_page
    _open(page, f"{demo_server}/?lang=en")
    labels = page.locator(".leaflet-control-layers-overlays").text_content()
    assert "Grids" in labels and "Enterprises" in labels
    assert page.locator("#gm-search-input").get_attribute("placeholder").startswith("Search")
    watch.assert_clean()
