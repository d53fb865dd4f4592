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


def test_upload_refuses_unknown_layer_type_and_oversized_files(client, test_settings, db):
    assert (
        client.post("/api/layers/nope/import", files={"file": ("e.csv", _csv())}).status_code == 404
    )
    wrong = client.post("/api/layers/enterprise/import", files={"file": ("e.docx", b"x")})
    assert wrong.status_code == 422 and "unknown file type" in wrong.json()["message"]
    from fastapi.testclient import TestClient

    small = create_app(test_settings.model_copy(update={"max_upload_mb": 1}))
    small.dependency_overrides[get_session] = lambda: db
    with TestClient(small) as tiny:
        big = tiny.post(
            "/api/layers/enterprise/import", files={"file": ("e.csv", b"x" * (1024 * 1024 + 10))}
        )
    assert big.status_code == 413
