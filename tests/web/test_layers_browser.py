"""图层导入导出 in real headless Chromium, on the demo park: a planner's check of a file (the
multipart form with the session's CSRF token) and a download through the form."""

from __future__ import annotations

import pytest

from tests.api.test_layers_api import _csv

pytestmark = pytest.mark.browser


def test_an_admin_checks_a_file_and_downloads_a_layer(demo_server, demo_page, tmp_path):
    page, watch = demo_page
    source = tmp_path / "企业名录.csv"
    source.write_bytes(_csv())
    page.goto(f"{demo_server}/layers", wait_until="domcontentloaded")
    assert page.locator(".gm-nav a[href='/layers']").count() == 1
    form = page.locator("#gm-import-form")
    form.locator("select[name=layer]").select_option("enterprise")
    form.locator("input[name=file]").set_input_files(str(source))
    form.locator("select[name=crs]").select_option("gcj02")
    form.locator("button[value=check]").click()
    page.wait_for_selector("#gm-import-report")  # the busy note showed meanwhile (disabled buttons)
    report = page.locator("#gm-import-report")
    assert "企业名录.csv" in report.locator("h2").text_content()
    assert "检查通过" in report.text_content()
    assert report.locator("[data-count=rows_read]").text_content() == "3"
    assert report.locator("td[data-crs=gcj02]").text_content() == "GCJ-02（高德、腾讯）"
    # the form keeps what was chosen, for the import that follows
    assert form.locator("select[name=crs]").input_value() == "gcj02"
    assert form.locator("#gm-import-busy").is_hidden() and form.locator("button").first.is_enabled()
    watch.assert_clean()

    export = page.locator("#gm-export-form")
    export.locator("select[name=layer]").select_option("grid")
    export.locator("select[name=format]").select_option("gpkg")
    with page.expect_download() as download:
        export.locator("button[type=submit]").click()
    assert download.value.suggested_filename == "grid.gpkg"
    saved = tmp_path / "grid.gpkg"
    download.value.save_as(saved)
    assert saved.read_bytes()[:16] == b"SQLite format 3\x00"
    # a navigation that becomes a download is "aborted" to Chromium: no other failure
    assert watch.console_errors == []
    assert [r for r in watch.failed_requests if "ERR_ABORTED" not in r] == []

    # 导入: the buttons wait (disabled, the busy note shown) and the choice is sent all the
    # same; the request is answered here with 204 (the page stays), so nothing is written to
    # the shared demo park
    sent: list[bytes] = []

    def hold(route):  # type: ignore[no-untyped-def]
        sent.append(route.request.post_data_buffer)
        route.fulfill(status=204)

    page.route("**/layers/import", hold)
    form.locator("input[name=file]").set_input_files(str(source))
    form.locator("button[value=import]").click()
    page.wait_for_selector("#gm-import-busy:not([hidden])")
    assert form.locator("button[value=import]").is_disabled()
    assert sent and b'name="action"\r\n\r\nimport' in sent[0]
    assert sent[0].count(b'name="action"') == 1
