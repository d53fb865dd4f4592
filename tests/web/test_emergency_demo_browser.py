"""The emergency map on the demo park, as its emergency team (issue #9): draw a hazard (zone,
then a smaller core) with the mouse, see who is affected, run the plan, see the routes coloured
by load and the shelters by fill, and open the printable A4 plan."""

from __future__ import annotations

import re
import sys
import time
import traceback

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.logins import session_cookie
from tests.web.layout import assert_panel_inside_the_map
from web.pages.emergency import LOAD_CLASSES, load_color

pytestmark = pytest.mark.browser
# a gas station of the demo park (示范园力益加油站, KS051) and a square of about 600 m around it
SITE = "320571001-KS051"
CENTRE = (120.77529, 31.3252592)
HALF = 0.003
CORE_HALF = 0.001
# every vector-tile layer of the map has its tiles (Leaflet marks a loaded tile `loaded`)
ALL_TILES_IN = """Object.values(gridmapEmergency.map._layers)
    .every(l => !l._tiles || Object.values(l._tiles).every(t => t.loaded))"""


def _square(half: float) -> list[tuple[float, float]]:
    x, y = CENTRE
    return [(x - half, y - half), (x + half, y - half), (x + half, y + half), (x - half, y + half)]


def _draw(page, corners: list[tuple[float, float]]) -> None:  # type: ignore[no-untyped-def]
    """Click the corners on the map, then the first again to close the polygon."""
    box = page.locator(".folium-map").bounding_box()
    to_point = "ll => Object.values(gridmapEmergency.map.latLngToContainerPoint(ll))"
    points = [page.evaluate(to_point, [lat, lon]) for lon, lat in corners]
    for x, y in [*points, points[0]]:
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(120)


def _wait_for_the_plan(page, watch) -> None:  # type: ignore[no-untyped-def]
    """Wait for the plan's schedule; if it does not come, say what the page shows instead."""
    try:
        page.wait_for_selector("#gm-em-schedule", timeout=60_000)
    except PlaywrightTimeout:
        still = page.evaluate("document.querySelector('#gm-em-run').disabled")
        said = page.locator("#gm-em-message").text_content()
        pytest.fail(
            f"no plan after 60 s; still running: {still}; the page says {said!r}; {watch}"
            f"\n{_server_stacks()}"
        )


def _server_stacks() -> str:
    """Where gridmap's threads are now (the live server runs in this process)."""
    stacks = []
    for ident, frame in sys._current_frames().items():
        stack = traceback.format_stack(frame)
        if any("/geo/" in line or "/api/" in line for line in stack):
            stacks.append(f"thread {ident}:\n" + "".join(stack[-12:]))
    return "\n".join(stacks) or "no gridmap code running"


@pytest.fixture
def emergency_page(demo_server, demo_logins, watched_page):  # type: ignore[no-untyped-def]
    """The emergency map of the demo park, as its emergency team, at the gas station."""
    page, watch = watched_page
    page.context.add_cookies([session_cookie(demo_server, demo_logins["emergency"])])
    page.goto(f"{demo_server}/emergency", wait_until="networkidle")
    page.wait_for_function("window.gridmapEmergency && gridmapEmergency.state")
    x, y = CENTRE
    page.evaluate(f"void gridmapEmergency.map.setView([{y}, {x}], 16, {{animate: false}})")
    return page, watch


def test_the_emergency_team_draws_a_hazard_plans_it_and_prints_the_plan(
    demo_server, emergency_page
):
    page, watch = emergency_page
    page.click("#gm-em-draw-zone")
    _draw(page, _square(HALF))
    assert page.evaluate("!!gridmapEmergency.state.zone")
    page.click("#gm-em-draw-core")
    _draw(page, _square(CORE_HALF))
    assert page.evaluate("!!gridmapEmergency.state.core")
    page.fill("#gm-em-name", "加油站燃气泄漏（演练）")
    page.click("#gm-em-create")
    page.wait_for_selector("#gm-em-totals")
    people = int(page.locator("#gm-em-totals tr:nth-child(2) td").first.text_content() or 0)
    assert people > 0 and page.locator("#gm-em-enterprises tr").count() > 1
    # the long report scrolls inside the panel, and the panel ends inside the map (it once ran
    # 55 px past it: its last lines were hidden and a click on a half-hidden button was lost)
    assert assert_panel_inside_the_map(page, "#gm-emergency")
    page.set_viewport_size({"width": 1024, "height": 600})
    assert assert_panel_inside_the_map(page, "#gm-emergency")
    page.set_viewport_size({"width": 1280, "height": 800})

    started = time.monotonic()
    page.click("#gm-em-run")
    _wait_for_the_plan(page, watch)
    page.wait_for_function(ALL_TILES_IN)  # the map fitted the plan and loads its tiles
    print(f"demo plan: {time.monotonic() - started:.2f} s from the click to the schedule")
    data = page.evaluate("gridmapEmergency.state.planMap")
    assert data["plan"]["evacuees"] == people
    drawn = page.evaluate("gridmapEmergency.state.routeLayers.map(l => l.options.color)")
    assert len(drawn) == len(data["routes"]["features"]) > 0
    assert drawn == [load_color(f["properties"]["ratio"]) for f in data["routes"]["features"]]
    assert set(drawn) <= {c for _b, c in LOAD_CLASSES}
    shelters = page.evaluate("""Object.fromEntries(Object.entries(gridmapEmergency.state
        .shelterLayers).map(([code, l]) => [code, l.options.fillColor]))""")
    used = [f["properties"] for f in data["shelters"]["features"] if f["properties"]["load"]]
    assert used and all(shelters[s["code"]] == load_color(s["fill"]) for s in used)
    assert all(s["load"] <= s["capacity"] for s in used)
    rows = page.locator("#gm-em-schedule tr").count() - 1
    assert rows == len(data["schedule"]) > 0
    assert page.locator("#gm-em-compare tr.gm-em-current").count() == 1

    href = page.get_attribute("#gm-em-print", "href")
    page.goto(f"{demo_server}{href}", wait_until="networkidle")
    assert "应急疏散预案" in (page.locator("h1").text_content() or "")
    assert "年" in (page.locator("#gm-print-date").text_content() or "")
    assert page.locator(".leaflet-overlay-pane path").count() >= 2 + len(drawn) - 1
    assert page.locator("#gm-print-schedule tr").count() - 1 == len(data["schedule"])
    a4 = page.evaluate(r"""[...document.styleSheets].some(s => { try { return [...s.cssRules]
        .some(r => r instanceof CSSPageRule && /size:\s*A4/i.test(r.cssText)); }
        catch (e) { return false; } })""")
    assert a4
    pdf = page.pdf(prefer_css_page_size=True)
    # what the printer gets: A4 pages, all of them (the page scrolls on screen, not on paper)
    assert re.search(rb"/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]", pdf)  # 210 x 297 mm
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 2
    watch.assert_clean()


def test_a_hazard_around_a_key_site_shows_its_report(emergency_page):
    page, watch = emergency_page
    page.click("#gm-em-how-site")
    page.click("#gm-em-create")  # no site yet: said on the page, nothing sent
    assert "重点场所" in (page.locator("#gm-em-message").text_content() or "")
    page.select_option("#gm-em-site", SITE)
    page.select_option("#gm-em-scenario", "gas_leak")
    page.select_option("#gm-em-time", "night")
    page.click("#gm-em-create")
    page.wait_for_selector("#gm-em-totals")
    assert "夜间" in (page.locator("#gm-em-hazard").text_content() or "")
    assert page.locator("#gm-em-keysites tr").count() > 1
    assert page.locator("#gm-em-plans").text_content().count("暂无疏散预案") == 1
    watch.assert_clean()


def test_a_refused_hazard_is_explained_in_words_not_json(emergency_page):
    page, watch = emergency_page
    page.click("#gm-em-draw-zone")
    _draw(page, _square(CORE_HALF))
    page.click("#gm-em-draw-core")
    _draw(page, _square(HALF))  # a "core" larger than its zone
    page.click("#gm-em-create")
    page.wait_for_function("document.querySelector('#gm-em-message.gm-error')")
    said = page.locator("#gm-em-message").text_content() or ""
    assert "核心区必须位于危险区域内" in said and "{" not in said
    assert len(watch.failed_requests) == 1 and "/api/hazards HTTP 422" in watch.failed_requests[0]
    assert watch.console_errors == [] or all("422" in e for e in watch.console_errors)
