"""The coverage map in real headless Chromium, as a grid leader, against the stand-in coverage
API (tests/web/coverage_standin.py): colours of grids, micro-grids and enterprises, the month
picker, the member filter, the unvisited list and the suggested route."""

from __future__ import annotations

from datetime import date

import pytest

from tests.geo.catalog_fixtures import C1, C2, G1, G2, G3, M1, M2
from tests.logins import session_cookie
from tests.web.coverage_standin import ATTACK, FIRMS, current_month
from web.pages.coverage import EMPTY_COLOR, STATE_COLORS, recent_months

pytestmark = pytest.mark.browser
RED, ORANGE, LIGHT_GREEN, GREEN = "#e03131", "#f76707", "#94d82d", "#2f9e44"
USCC = {f.name: f.uscc for f in FIRMS}


@pytest.fixture
def coverage(coverage_world, watched_page):  # type: ignore[no-untyped-def]
    base, logins, standin = coverage_world
    page, watch = watched_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.context.add_cookies([session_cookie(base, logins["grid_leader"])])
    page.goto(f"{base}/coverage?community={C1}", wait_until="networkidle")
    _loaded(page)
    yield page, watch, standin
    assert dialogs == []


def _loaded(page, unvisited: int = 3) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "window.gridmapCoverage && gridmapCoverage.state && "
        "Object.keys(gridmapCoverage.state.gridCov).length == 2 && "
        f"document.querySelectorAll('#gm-coverage-unvisited li[data-uscc]').length == {unvisited}"
        " && !document.querySelector('#gm-coverage-status').textContent"
    )


def _fill(page, kind: str, key: str) -> str:  # type: ignore[no-untyped-def]
    field = "layer.options.fillColor" if kind != "enterprises" else "options.fillColor"
    return str(page.evaluate(f"gridmapCoverage.state.{kind}['{key}'].{field}"))


def _unvisited(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "#gm-coverage-unvisited li[data-uscc]", "els => els.map(e => e.firstChild.textContent)"
    )


def test_grids_and_enterprises_are_coloured_as_the_coverage_says(coverage):
    page, watch, _ = coverage
    assert _fill(page, "grids", G1) == ORANGE  # 1 of 3 visited: 33 %
    assert _fill(page, "grids", G2) == LIGHT_GREEN  # 2 of 3: 67 %
    for firm in FIRMS:
        assert _fill(page, "enterprises", firm.uscc) == STATE_COLORS[firm.now], firm.name
    assert page.locator(f'path[fill="{ORANGE}"]').count() == 1
    assert page.locator(f'path[fill="{STATE_COLORS["flagged"]}"]').count() == 1
    legend = page.locator("#gm-coverage-legend").text_content()
    assert "80–100 %" in legend and "无企业" in legend and "已走访（位置存疑）" in legend
    assert page.locator("#gm-coverage-month").input_value() == current_month()
    assert page.locator("#gm-coverage-closed").text_content() == "未结账"
    href = page.locator("#gm-coverage-xlsx").get_attribute("href")
    assert href == f"/api/reports/coverage.xlsx?month={current_month()}"
    # names from the data show literally: a member and an enterprise named like an attack
    assert ATTACK in page.locator("#gm-coverage-member").text_content()
    page.evaluate(f"gridmapCoverage.state.enterprises['{USCC[ATTACK]}'].openPopup()")
    assert page.locator(".leaflet-popup-content h3").text_content() == ATTACK
    assert page.locator("img[src=x]").count() == 0
    watch.assert_clean()


def test_the_month_picker_reloads_a_closed_month(coverage):
    page, watch, standin = coverage
    before = recent_months(date.fromisoformat(current_month() + "-01"))[1]
    page.select_option("#gm-coverage-month", before)
    page.wait_for_function("document.querySelector('#gm-coverage-closed').textContent == '已结账'")
    _loaded(page, unvisited=5)
    assert f"coverage {before} grid" in standin.requests
    assert _fill(page, "grids", G1) == RED  # 0 of 3
    assert _fill(page, "grids", G2) == ORANGE  # 1 of 3
    assert _fill(page, "enterprises", USCC["苏州星海科技有限公司"]) == STATE_COLORS["unvisited"]
    option = page.locator(f'#gm-coverage-month option[value="{before}"]').text_content()
    assert option == f"{before}（已结账）"
    assert page.locator("#gm-coverage-csv").get_attribute("href").endswith(f"month={before}")
    watch.assert_clean()


def test_unvisited_list_is_sorted_filters_by_member_and_flies_there(coverage):
    page, watch, _ = coverage
    assert _unvisited(page) == [ATTACK, "星海物流有限公司", "湖畔餐饮有限公司"]
    smalls = page.eval_on_selector_all(
        "#gm-coverage-unvisited small", "e => e.map(x => x.textContent)"
    )
    assert smalls[0].endswith("从未走访") and smalls[1].endswith("75 天未走访")
    page.locator("#gm-coverage-unvisited li", has_text="星海物流").click()
    page.wait_for_selector(".leaflet-popup-content h3:text('星海物流有限公司')")
    center = page.evaluate("[gridmapCoverage.map.getCenter(), gridmapCoverage.map.getZoom()]")
    assert abs(center[0]["lat"] - 31.24) < 1e-3 and abs(center[0]["lng"] - 120.64) < 1e-3
    assert center[1] == 17
    page.select_option("#gm-coverage-member", "li_na")
    page.wait_for_function(
        "document.querySelectorAll('#gm-coverage-unvisited li').length == 2 && "
        "Object.keys(gridmapCoverage.state.enterprises).length == 3"
    )
    assert _unvisited(page) == [ATTACK, "星海物流有限公司"]
    assert sorted(page.evaluate("Object.keys(gridmapCoverage.state.enterprises)")) == sorted(
        f.uscc for f in FIRMS if f.member == "li_na"
    )
    watch.assert_clean()


def test_route_of_a_grid_and_microgrids_when_zoomed_in(coverage):
    page, watch, _ = coverage
    assert page.locator("#gm-coverage-route").is_disabled()
    page.evaluate(f"void gridmapCoverage.state.grids['{G1}'].layer.fire('click')")
    assert "星海一网格" in page.locator("#gm-coverage-selected").text_content()
    page.click("#gm-coverage-route")
    page.wait_for_selector(".gm-stop >> nth=1")
    assert page.eval_on_selector_all(".gm-stop", "e => e.map(x => x.textContent)") == ["1", "2"]
    assert page.locator('path[stroke="#5f3dc4"]').count() == 1
    assert page.locator("#gm-coverage-route-info").text_content().startswith("共 2 站，约 ")
    assert page.locator("#gm-coverage-stops li").all_text_contents() == [ATTACK, "星海物流有限公司"]
    page.evaluate(f"void gridmapCoverage.state.grids['{G2}'].layer.fire('click')")
    assert page.locator(".gm-stop").count() == 0  # another grid: the old route goes
    # the route's fitBounds may still be animating: Leaflet drops a setView made meanwhile
    page.wait_for_function("!gridmapCoverage.map._animatingZoom")
    page.evaluate("gridmapCoverage.map.setView([31.21, 120.625], 15)")
    page.wait_for_function(  # drawn, then coloured (fillColor set) once their coverage is in
        f"['{M1}', '{M2}'].every(c => gridmapCoverage.state.micro[c] && "
        "gridmapCoverage.state.micro[c].layer.options.fillColor)"
    )
    assert sorted(page.evaluate("Object.keys(gridmapCoverage.state.micro)")) == [M1, M2]
    assert _fill(page, "micro", M1) == GREEN  # 1 of 1
    assert _fill(page, "micro", M2) == RED  # 0 of 1
    page.select_option("#gm-coverage-community", C2)  # no enterprises in the stand-in: grey
    page.wait_for_function(
        f"gridmapCoverage.state.grids['{G3}'] && "
        "!document.querySelector('#gm-coverage-status').textContent"
    )
    assert _fill(page, "grids", G3) == EMPTY_COLOR
    watch.assert_clean()


def test_the_page_in_english(coverage_world, watched_page):
    base, logins, _ = coverage_world
    page, watch = watched_page
    page.context.add_cookies([session_cookie(base, logins["grid_leader"])])
    page.goto(f"{base}/coverage?lang=en&community={C1}", wait_until="networkidle")
    _loaded(page)
    assert page.locator("#gm-coverage-closed").text_content() == "open"
    assert "No enterprises" in page.locator("#gm-coverage-legend").text_content()
    assert "never visited" in page.locator("#gm-coverage-unvisited").text_content()
    watch.assert_clean()
