"""The enterprise list and an enterprise's page in real headless Chromium: a name that looks
like HTML shows literally in the list, on the page and in the map popup, and runs nothing."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.geo.catalog_fixtures import G1
from tests.web.broken_world import ATTACK_NAME

pytestmark = pytest.mark.browser


def _watch_dialogs(page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def test_the_attack_name_is_text_in_the_list_the_page_and_the_popup(
    broken_world_server, broken_page
):
    page, watch = broken_page
    dialogs = _watch_dialogs(page)
    page.goto(f"{broken_world_server}/enterprises", wait_until="networkidle")
    page.fill('input[name="q"]', "onerror")
    page.click('.gm-filters button[type="submit"]')
    page.wait_for_load_state("networkidle")
    link = page.locator("#gm-enterprise-table tbody tr td a")
    assert link.count() == 1 and link.text_content() == ATTACK_NAME
    assert page.locator("#gm-enterprise-table img").count() == 0
    link.click()
    page.wait_for_function("window.gridmap && gridmap.overlaysReady")
    assert page.locator("#gm-enterprise-name").text_content() == ATTACK_NAME
    assert page.locator(".gm-fields").get_by_text(ATTACK_NAME).count() == 2  # name, address
    # the dot itself, clicked as a user would once it stands still (Playwright waits until it is
    # stable and on top, and scrolls it into view)
    page.wait_for_function("!gridmap.map._animatingZoom")
    dot = page.evaluate_handle("gridmap.geojson.enterprise.getLayers()[0].getElement()")
    popup = page.locator(".leaflet-popup-content .gm-popup")
    for wait in (3000, 10000):  # a click the map swallowed while settling (seen on a busy
        dot.as_element().click()  # CI machine) is clicked again, as a user would
        with contextlib.suppress(PlaywrightTimeout):
            popup.wait_for(state="visible", timeout=wait)
            break
    popup.wait_for(state="visible", timeout=1000)
    assert popup.locator("h3").text_content() == ATTACK_NAME
    assert page.locator("img:not(.leaflet-tile)").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []
    watch.assert_clean()


def test_filtering_by_grid_and_following_a_row(broken_world_server, broken_page):
    page, watch = broken_page
    page.goto(f"{broken_world_server}/enterprises", wait_until="networkidle")
    page.select_option('select[name="grid"]', G1)
    page.click('.gm-filters button[type="submit"]')
    page.wait_for_load_state("networkidle")
    names = page.locator("#gm-enterprise-table tbody tr td:first-child").all_text_contents()
    assert sorted(names) == sorted(["苏州星海科技有限公司", "100%_纯净水厂"])
    assert page.locator("#gm-list-summary").text_content().strip().startswith("共 2 家企业")
    page.get_by_role("link", name="苏州星海科技有限公司").click()
    page.wait_for_function("window.gridmap && gridmap.overlaysReady")
    assert page.locator(".gm-nav a.active").text_content() == "企业名录"
    drawn = page.evaluate("Object.keys(gridmap.geojson)")
    assert drawn == ["grid", "microgrid", "enterprise"]
    box = page.locator(".gm-minimap .folium-map").bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    watch.assert_clean()


def test_the_list_of_the_demo_park_pages_through(demo_server, demo_page):
    page, watch = demo_page
    page.goto(f"{demo_server}/enterprises?lang=en", wait_until="networkidle")
    assert page.locator("#gm-enterprise-table tbody tr").count() == 50
    first = page.locator("#gm-enterprise-table tbody tr td a").first.text_content()
    page.click('a[rel="next"]')
    page.wait_for_load_state("networkidle")
    assert "Page 2 of" in page.locator(".gm-pager").text_content()
    assert page.locator("#gm-enterprise-table tbody tr td a").first.text_content() != first
    watch.assert_clean()
