"""The grid editor in real headless Chromium: a planner reshapes a grid, previews the impact,
saves, undoes, splits a grid with a drawn line and looks at a past day."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from tests.geo.catalog_fixtures import C1, G1, G2
from tests.logins import session_cookie

pytestmark = pytest.mark.browser


def _grids(base: str, planner, community: str = C1) -> dict[str, dict]:
    items = httpx.get(f"{base}/api/grids", params={"community": community},
                      headers=planner.headers).json()["items"]  # fmt: skip
    return {g["code"]: g for g in items}


def _grid_of(base: str, planner, uscc: str) -> str | None:
    return httpx.get(f"{base}/api/enterprises/{uscc}", headers=planner.headers).json()["grid_code"]


@pytest.fixture
def editor(edit_world, watched_page):  # type: ignore[no-untyped-def]
    base, planner = edit_world
    page, watch = watched_page
    page.context.add_cookies([session_cookie(base, planner)])
    page.goto(f"{base}/editor?community={C1}", wait_until="networkidle")
    page.wait_for_function("window.gridmapEditor && gridmapEditor.state && "
                           "Object.keys(gridmapEditor.state.grids).length > 0")  # fmt: skip
    return base, planner, page, watch


def test_reshape_preview_save_and_undo(editor):
    base, planner, page, watch = editor
    e3 = httpx.get(f"{base}/api/enterprises", params={"q": "金鸡湖软件"},
                   headers=planner.headers).json()["items"][0]["uscc"]  # fmt: skip
    assert _grid_of(base, planner, e3) == G2
    assert sorted(page.evaluate("Object.keys(gridmapEditor.state.grids)")) == [G1, G2]
    page.evaluate(f"void gridmapEditor.state.grids['{G1}'].layer.fire('click')")
    assert G1 in page.locator("#gm-editor-selected").text_content()
    page.click("#gm-op-reshape")
    # the planner drags G1's east edge 0.03° into G2 (over 金鸡湖软件有限公司)
    page.evaluate(f"""void gridmapEditor.state.grids['{G1}'].layer.setLatLngs(
        [[[31.2, 120.6], [31.2, 120.68], [31.3, 120.68], [31.3, 120.6]]])""")
    page.click("#gm-editor-preview")
    section = page.locator("#gm-editor-impact [data-kind=enterprises]")
    section.wait_for(timeout=10000)
    assert (
        "金鸡湖软件有限公司" in section.text_content() and f"{G2} → {G1}" in section.text_content()
    )
    assert _grid_of(base, planner, e3) == G2  # a preview changes nothing
    page.click("#gm-editor-save")
    assert "编辑原因" in page.locator("#gm-editor-message").text_content()
    page.fill("#gm-editor-reason", "企业扩建，调整网格边界")
    page.click("#gm-editor-save")
    page.wait_for_function(
        "document.querySelectorAll('#gm-editor-history li[data-id]').length == 1"
    )
    assert _grid_of(base, planner, e3) == G1
    assert _grids(base, planner)[G1]["version"] == 2
    page.click("#gm-editor-history li[data-id] .gm-undo")
    page.wait_for_function(
        "document.querySelectorAll('#gm-editor-history li[data-id]').length == 2"
    )
    assert _grid_of(base, planner, e3) == G2
    assert _grids(base, planner)[G1]["version"] == 3
    watch.assert_clean()


def test_split_with_a_drawn_line_and_a_past_day(editor):
    base, planner, page, watch = editor
    page.evaluate(f"void gridmapEditor.state.grids['{G2}'].layer.fire('click')")
    page.click("#gm-op-split")
    assert page.evaluate("gridmapEditor.map.pm.globalDrawModeEnabled()")  # Geoman draws a line
    # the line a planner draws across G2 (as Geoman hands it over when the drawing ends)
    page.evaluate("""void gridmapEditor.map.fire('pm:create', {shape: 'Line',
        layer: L.polyline([[31.25, 120.64], [31.25, 120.71]]).addTo(gridmapEditor.map)})""")
    page.fill("#gm-editor-reason", "网格过大，一分为二")
    assert page.evaluate(
        "gridmapEditor.state.draft && gridmapEditor.state.draft.geometry.type"
    ) == ("LineString"), page.locator("#gm-editor-message").text_content()
    page.click("#gm-editor-preview")
    page.wait_for_function(
        "document.querySelector('#gm-editor-impact h3') || "
        "document.querySelector('#gm-editor-message.gm-error')"
    )
    assert page.locator("#gm-editor-impact h3").count() == 1, page.locator(
        "#gm-editor-message"
    ).text_content()
    page.click("#gm-editor-save")
    page.wait_for_function(f"!gridmapEditor.state.grids['{G2}'] && "
                           "Object.keys(gridmapEditor.state.grids).length == 3")  # fmt: skip
    live = _grids(base, planner)
    assert G2 not in live and len(live) == 3
    asked, answered = [], []
    past = "at=2021-06-01"
    page.on("request", lambda r: asked.append(r.url) if past in r.url else None)
    page.on("requestfinished", lambda r: answered.append(r.url) if past in r.url else None)
    page.fill("#gm-editor-at", "2021-06-01")
    # the day asked for twice before any answer (as a slider drag can): drawn once
    page.evaluate("""(() => { const at = document.getElementById('gm-editor-at');
        at.dispatchEvent(new Event('change')); at.dispatchEvent(new Event('change')); })()""")
    page.wait_for_function("gridmapEditor.map && document.querySelectorAll("
                           "'path[stroke=\"#862e9c\"]').length == 2")  # fmt: skip
    for _ in range(100):  # every answer in, and its handler run
        if len(asked) >= 2 and len(answered) == len(asked):
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(200)
    assert len(answered) >= 2
    assert page.evaluate("document.querySelectorAll('path[stroke=\"#862e9c\"]').length") == 2
    page.click("#gm-editor-at-clear")
    assert page.evaluate("document.querySelectorAll('path[stroke=\"#862e9c\"]').length") == 0
    page.evaluate("""(() => { const s = document.getElementById('gm-editor-slider');
        s.value = '-30'; s.dispatchEvent(new Event('input')); })()""")
    page.wait_for_function("document.querySelectorAll('path[stroke=\"#862e9c\"]').length == 2")
    assert page.input_value("#gm-editor-at") < date.today().isoformat()  # a month ago: G1 and G2
    watch.assert_clean()


def test_the_split_line_is_drawn_with_the_mouse(editor):
    """Real clicks place the line's corners: the vector tiles under the cursor do not take them."""
    _base, _planner, page, watch = editor
    page.evaluate(f"void gridmapEditor.state.grids['{G1}'].layer.fire('click')")
    page.click("#gm-op-split")
    page.wait_for_function(  # every vector tile in, so tiles lie under the cursor
        """Object.values(gridmapEditor.map._layers)
        .every(l => !l._tiles || Object.values(l._tiles).every(t => t.loaded))"""
    )
    box = page.locator(".folium-map").bounding_box()
    to_point = "ll => Object.values(gridmapEditor.map.latLngToContainerPoint(ll))"
    (x1, y1), (x2, y2) = (page.evaluate(to_point, ll) for ll in ([31.27, 120.59], [31.27, 120.66]))
    page.mouse.click(box["x"] + x1, box["y"] + y1)
    page.wait_for_timeout(150)
    page.mouse.dblclick(box["x"] + x2, box["y"] + y2)
    page.wait_for_function("gridmapEditor.state.draft && gridmapEditor.state.draft.geometry")
    line = page.evaluate("gridmapEditor.state.draft.geometry")
    assert line["type"] == "LineString" and len(line["coordinates"]) >= 2
    assert abs(line["coordinates"][0][0] - 120.59) < 0.002
    assert not page.evaluate("gridmapEditor.map.pm.globalDrawModeEnabled()")
    watch.assert_clean()
