"""The visits page on a phone-sized Chromium (375 × 740) as a grid member, against the
stand-in API (tests/web/coverage_standin.py): nearest first from the browser's position, a
visit recorded with that position and a photo, and the unsorted list when location is denied."""

from __future__ import annotations

import pytest

from tests.logins import session_cookie
from tests.web.conftest import watch_page
from tests.web.coverage_standin import ATTACK, FIRMS

pytestmark = pytest.mark.browser
HERE = {"latitude": 31.2102, "longitude": 120.6101}  # about 24 m from 苏州星海科技
FAR = {"latitude": 31.2102, "longitude": 120.6201}  # about 1 km away
PHONE = {"width": 375, "height": 740}
USCC = {f.name: f.uscc for f in FIRMS}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2048 + b"\xff\xd9"


@pytest.fixture
def phone(coverage_world, browser):  # type: ignore[no-untyped-def]
    """Open /visits on a phone; `where` (None: location denied) is the browser's position."""
    base, logins, standin = coverage_world
    contexts = []

    def open_page(where: dict[str, float] | None):  # type: ignore[no-untyped-def]
        options = {"geolocation": where, "permissions": ["geolocation"]} if where else {}
        context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, **options)
        contexts.append(context)
        page = context.new_page()
        watch = watch_page(page)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        context.add_cookies([session_cookie(base, logins["grid_member"])])
        page.goto(f"{base}/visits", wait_until="networkidle")
        page.wait_for_function("document.querySelectorAll('#gm-visits-list li').length == 3")
        return page, watch, dialogs

    standin.visits.clear()
    standin.photos.clear()
    yield open_page, standin
    for context in contexts:
        context.close()


def _names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("#gm-visits-list .gm-visits-name").all_text_contents()


def test_nearest_first_and_a_verified_visit_with_a_photo(phone):
    open_page, standin = phone
    page, watch, dialogs = open_page(HERE)
    assert _names(page) == ["苏州星海科技有限公司", "星海物流有限公司", ATTACK]
    distances = page.locator("#gm-visits-list .gm-visits-distance").all_text_contents()
    assert distances[0] == "24 米" and distances[1].endswith("公里")
    badges = page.locator("#gm-visits-list .gm-badge").all_text_contents()
    assert badges == ["本月已走访", "本月未走访", "本月未走访"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator(".gm-visits-open", has_text="星海物流").tap()
    assert page.locator("#gm-visit-name").text_content() == "星海物流有限公司"
    assert page.locator("#gm-visits-list-box").is_hidden()
    page.fill("#gm-visit-notes", "安全生产检查，无异常")
    page.set_input_files("#gm-visit-photo", files=[
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])  # fmt: skip
    page.click("#gm-visit-record")
    page.wait_for_selector("#gm-visit-photo-result.gm-ok")
    result = page.locator("#gm-visit-result").text_content()
    assert (
        result.startswith("位置存疑：距企业 ")
        and page.locator("#gm-visit-result").get_attribute("data-check") == "flagged"
    )
    visit = standin.visits[-1]
    assert visit["uscc"] == USCC["星海物流有限公司"] and visit["notes"] == "安全生产检查，无异常"
    assert (visit["lon"], visit["lat"]) == (HERE["longitude"], HERE["latitude"])
    assert standin.photos == [
        {"visit": len(standin.visits), "bytes": len(JPEG), "type": "image/jpeg"}
    ]
    assert page.locator("#gm-visit-photo-result").text_content() == "照片已上传。"
    page.click("#gm-visit-back")
    badge = page.locator(".gm-visits-open", has_text="星海物流").locator(".gm-badge")
    assert badge.text_content() == "本月已走访"
    watch.assert_clean()
    assert dialogs == []


def test_a_visit_on_the_spot_is_verified_and_names_show_literally(phone):
    open_page, standin = phone
    page, watch, dialogs = open_page(HERE)
    page.locator(".gm-visits-open").nth(2).click()
    assert page.locator("#gm-visit-name").text_content() == ATTACK
    assert page.locator("img[src=x]").count() == 0
    page.click("#gm-visit-back")
    page.locator(".gm-visits-open").first.click()
    page.click("#gm-visit-record")
    page.wait_for_selector("#gm-visit-result[data-check]")
    assert page.locator("#gm-visit-result").text_content() == "位置已核验：距企业 24 米。"
    assert standin.visits[-1]["uscc"] == USCC["苏州星海科技有限公司"]
    assert standin.photos == []
    watch.assert_clean()
    assert dialogs == []


def test_location_denied_says_so_lists_unsorted_and_records_without_a_position(phone):
    open_page, standin = phone
    page, watch, _ = open_page(None)
    assert "定位权限被拒绝" in page.locator("#gm-visits-status").text_content()
    assert _names(page) == ["星海物流有限公司", ATTACK, "苏州星海科技有限公司"]  # as served
    assert page.locator("#gm-visits-list .gm-visits-distance").all_text_contents() == ["", "", ""]
    page.locator(".gm-visits-open").first.click()
    page.click("#gm-visit-record")
    page.wait_for_selector("#gm-visit-result[data-check]")
    assert page.locator("#gm-visit-result").text_content() == "无定位：走访已记录，但没有位置。"
    assert standin.visits[-1]["lon"] is None and standin.visits[-1]["lat"] is None
    watch.assert_clean()


def test_a_photo_of_the_wrong_type_is_not_sent(phone):
    open_page, standin = phone
    page, watch, _ = open_page(FAR)
    page.locator(".gm-visits-open").first.click()
    page.set_input_files("#gm-visit-photo", files=[
        {"name": "a.gif", "mimeType": "image/gif", "buffer": b"GIF89a"}])  # fmt: skip
    page.click("#gm-visit-record")
    page.wait_for_selector("#gm-visit-photo-result.gm-bad")
    assert "JPEG、PNG 或 WebP" in page.locator("#gm-visit-photo-result").text_content()
    assert standin.photos == [] and standin.visits[-1]["check_result"] == "flagged"  # 1 km off
    watch.assert_clean()
