"""图层导入导出 (/layers): the import form checks and imports, the report lists every refused
row (escaped), the download form hands over to the API; the import is for planners only."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from geo.models import Enterprise
from tests.api.test_layers_api import _csv
from tests.geo.layer_fixtures import enterprise_frame
from tests.logins import quick_login


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Enterprise))


def _send(client, body: bytes, **form):
    data = {"layer": "enterprise", "action": "check", **form}
    files = {"file": ("企业名录.csv", body, "text/csv")}
    return client.post("/layers/import", files=files, data=data)


def test_a_planner_sees_both_forms_a_viewer_only_the_download(app, db, client):
    page = client.get("/layers")
    assert page.status_code == 200
    assert 'id="gm-import-form"' in page.text and 'id="gm-export-form"' in page.text
    assert "企业（enterprise）" in page.text and "GCJ-02（高德、腾讯）" in page.text
    assert 'href="/layers"' in page.text  # in the navigation
    viewer = quick_login(db, "viewer")
    with TestClient(app, headers=viewer.headers) as as_viewer:
        page = as_viewer.get("/layers")
        assert page.status_code == 200 and 'id="gm-export-form"' in page.text
        assert 'id="gm-import-form"' not in page.text
        refused = _send(as_viewer, _csv())
        assert refused.status_code == 403 and _count(db) == 0


def test_check_reports_without_writing_then_import_writes(client, db):
    checked = _send(client, _csv())
    assert checked.status_code == 200, checked.text
    assert "检查通过" in checked.text and 'data-count="inserted">3<' in checked.text
    assert _count(db) == 0
    imported = _send(client, _csv(), action="import")
    assert imported.status_code == 200 and "已导入" in imported.text
    assert _count(db) == 3
    again = _send(client, _csv(), action="import")
    assert 'data-count="unchanged">3<' in again.text and _count(db) == 3


def test_refused_rows_are_listed_escaped_and_nothing_is_written(client, db):
    frame = enterprise_frame().astype(object)
    frame.loc[0, "从业人数"] = "<b>很多</b>"
    body = _csv(frame)
    page = _send(client, body, action="import")
    assert page.status_code == 422
    assert "有 1 行被拒绝，未写入任何数据" in page.text
    assert "<b>很多</b>" not in page.text and html.escape("<b>很多</b>", quote=False) in page.text
    assert "<td>2</td>" in page.text  # the spreadsheet's row number
    assert _count(db) == 0
    skipped = _send(client, body, action="import", skip_invalid="true")
    assert skipped.status_code == 200 and "已导入" in skipped.text and _count(db) == 2
    assert 'data-count="rejected">1<' in skipped.text


def test_bad_choices_come_back_as_the_page_with_a_reason(client, db):
    unknown_crs = _send(client, _csv(), crs="", epsg="EPSG:999999")
    assert unknown_crs.status_code == 422 and 'id="gm-layers-error"' in unknown_crs.text
    assert "EPSG:999999" in unknown_crs.text and 'value="EPSG:999999"' in unknown_crs.text
    wrong_type = client.post(
        "/layers/import", files={"file": ("名录.doc", b"x", "application/msword")},
        data={"layer": "enterprise", "action": "import"},
    )  # fmt: skip
    assert wrong_type.status_code == 422 and "unknown file type" in wrong_type.text
    assert _count(db) == 0


def test_the_download_form_hands_over_to_the_api(client, db):
    answer = client.get(
        "/layers/export", params={"layer": "grid", "format": "gpkg", "crs": "gcj02"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == "/api/layers/grid/export?format=gpkg&crs=gcj02"
    for params in ({"layer": "nope"}, {"layer": "grid", "format": "pdf"},
                   {"layer": "grid", "crs": "火星"}):  # fmt: skip
        refused = client.get("/layers/export", params=params, follow_redirects=False)
        assert refused.status_code == 422 and 'id="gm-layers-error"' in refused.text
    downloaded = client.get("/layers/export", params={"layer": "enterprise", "format": "csv"})
    assert downloaded.status_code == 200 and downloaded.content.startswith("\ufeff".encode())
