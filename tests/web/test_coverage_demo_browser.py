"""The coverage map on the demo park, as its grid leader, checked against the database with an
independent SQL computation of the month's figures (issue #8)."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import text

from geo.db import database_url, make_engine
from tests.logins import session_cookie
from web.pages.coverage import COVERAGE_CLASSES, EMPTY_COLOR

pytestmark = pytest.mark.browser
MONTH = "2026-10"  # the demo park has visits from May to October 2026

PER_GRID = """
SELECT g.code,
       count(e.id) AS total,
       count(e.id) FILTER (WHERE EXISTS (
           SELECT 1 FROM visit v WHERE v.enterprise_id = e.id
             AND to_char(v.visited_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = :month))
         AS visited
FROM grid g
JOIN community c ON c.id = g.community_id
LEFT JOIN enterprise e ON e.grid_id = g.id AND e.status = 'operating'
WHERE c.code = :community AND g.valid_to IS NULL
GROUP BY g.code
"""
UNVISITED = """
SELECT e.uscc FROM enterprise e
JOIN grid g ON g.id = e.grid_id AND g.valid_to IS NULL
JOIN community c ON c.id = g.community_id
WHERE c.code = :community AND e.status = 'operating' AND NOT EXISTS (
    SELECT 1 FROM visit v WHERE v.enterprise_id = e.id
      AND to_char(v.visited_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = :month)
"""
COMMUNITY_OF_LEADER = """
SELECT c.code FROM user_grid ug JOIN grid g ON g.id = ug.grid_id
JOIN community c ON c.id = g.community_id JOIN users u ON u.id = ug.user_id
WHERE u.username = :username LIMIT 1
"""


def _expected_colour(total: int, visited: int) -> str:
    if not total:
        return EMPTY_COLOR
    percent = round(visited * 100 / total, 1)
    return next((c for bound, c in COVERAGE_CLASSES if percent < bound), COVERAGE_CLASSES[-1][1])


def test_a_grid_leader_sees_the_month_coloured_as_the_database_says(
    demo_server, demo_settings, demo_logins, watched_page
):
    leader = demo_logins["grid_leader"]
    engine = make_engine(database_url(demo_settings))
    with engine.connect() as conn:
        community = conn.scalar(text(COMMUNITY_OF_LEADER), {"username": leader.username})
        args = {"community": community, "month": MONTH}
        grids = {
            code: (total, visited) for code, total, visited in conn.execute(text(PER_GRID), args)
        }
        unvisited = set(conn.scalars(text(UNVISITED), args))
    engine.dispose()
    page, watch = watched_page
    page.context.add_cookies([session_cookie(demo_server, leader)])
    page.goto(f"{demo_server}/coverage?community={community}", wait_until="networkidle")
    page.wait_for_function("window.gridmapCoverage && gridmapCoverage.state && "
                           "Object.keys(gridmapCoverage.state.grids).length > 0")  # fmt: skip
    with page.expect_response(lambda r: "/api/coverage" in r.url and f"month={MONTH}" in r.url):
        page.select_option("#gm-coverage-month", MONTH)
    page.wait_for_load_state("networkidle")
    expected = {code: _expected_colour(total, visited) for code, (total, visited) in grids.items()}
    # the layers restyle once the answers are read: wait for it (a fixed 300 ms was too short
    # on a busy machine), then compare, so that a wrong colour still fails below
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            """expected => Object.entries(expected).every(([code, colour]) => {
                const g = gridmapCoverage.state.grids[code];
                return g && g.layer.options.fillColor === colour; })""",
            arg=expected, timeout=10_000,
        )  # fmt: skip
    colours = page.evaluate("""Object.fromEntries(Object.entries(gridmapCoverage.state.grids)
        .map(([code, g]) => [code, g.layer.options.fillColor]))""")
    assert set(colours) == set(grids)
    for code, (total, visited) in grids.items():
        assert colours[code] == _expected_colour(total, visited), (code, total, visited)
    listed = page.eval_on_selector_all("#gm-coverage-unvisited li[data-uscc]",
                                       "items => items.map(i => i.dataset.uscc)")  # fmt: skip
    assert set(listed) == unvisited and len(listed) == len(unvisited)
    assert page.locator("#gm-coverage-unvisited-count").text_content() == str(len(unvisited))
    watch.assert_clean()
