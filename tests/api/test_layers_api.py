"""Uploading layer files through the API."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from api.app import create_app
from api.deps import get_session
from geo.models import Enterprise
from tests.geo.layer_fixtures import enterprise_frame


def _csv(frame=None) -> bytes:
    buffer = io.StringIO()
    (frame if frame is not None else enterprise_frame()).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def test_layers_are_listed_with_fields(client):
    layers = {item["name"]: item for item in client.get("/api/layers").json()}
    assert layers["enterprise"]["key"] == ["uscc"]
    assert {
        "name": "uscc",
        "label": "统一社会信用代码",
        "type": "text",
        "required": True,
    } in layers["enterprise"]["fields"]


def test_upload_imports_and_reports(client, db):
    files = {"file": ("企业名录.csv", _csv(), "text/csv")}
    response = client.post("/api/layers/enterprise/import", files=files)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["inserted"], body["rejected"], body["written"]) == (3, 0, True)
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 3


def test_upload_dry_run_writes_nothing(client, db):
    files = {"file": ("e.csv", _csv(), "text/csv")}
    response = client.post("/api/layers/enterprise/import", files=files, data={"dry_run": "true"})
    assert response.status_code == 200 and response.json()["inserted"] == 3
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_upload_with_refused_rows_is_422_with_the_rows(client, db):
    frame = enterprise_frame().astype(object)
    frame.loc[0, "从业人数"] = "很多"
    response = client.post(
        "/api/layers/enterprise/import", files={"file": ("e.csv", _csv(frame), "text/csv")}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "rows_refused"
    assert body["detail"]["problems"][0]["row"] == 2
    assert "很多" in body["detail"]["problems"][0]["reason"]
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_upload_refuses_unknown_layer_type_and_oversized_files(client, test_settings, db, admin):
    assert (
        client.post("/api/layers/nope/import", files={"file": ("e.csv", _csv())}).status_code == 404
    )
    wrong = client.post("/api/layers/enterprise/import", files={"file": ("e.docx", b"x")})
    assert wrong.status_code == 422 and "unknown file type" in wrong.json()["message"]
    from fastapi.testclient import TestClient

    small = create_app(test_settings.model_copy(update={"max_upload_mb": 1}))
    small.dependency_overrides[get_session] = lambda: db
    with TestClient(small, headers=admin.headers) as tiny:
        big = tiny.post(
            "/api/layers/enterprise/import", files={"file": ("e.csv", b"x" * (1024 * 1024 + 10))}
        )
    assert big.status_code == 413


def test_download_exports_with_chinese_headers_and_filters(client, db):
    client.post("/api/layers/enterprise/import", files={"file": ("e.csv", _csv(), "text/csv")})
    response = client.get("/api/layers/enterprise/export?format=csv")
    assert response.status_code == 200
    assert 'filename="enterprise.csv"' in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("统一社会信用代码,企业名称")
    assert len(text.splitlines()) == 4
    filtered = client.get(
        "/api/layers/enterprise/export", params={"format": "geojson", "where": "industry=I"}
    )
    assert len(filtered.json()["features"]) == 1
    zipped = client.get("/api/layers/enterprise/export?format=shp")
    assert zipped.status_code == 200 and zipped.content[:2] == b"PK"


def test_download_refuses_unknown_layer_format_and_field(client):
    assert client.get("/api/layers/nope/export").status_code == 404
    bad = client.get("/api/layers/enterprise/export?format=doc")
    assert bad.status_code == 422 and "unknown format 'doc'" in bad.json()["message"]
    field = client.get("/api/layers/enterprise/export", params={"where": "colour=red"})
    assert field.status_code == 422 and "colour" in field.json()["message"]
