"""`/healthz` reports database reachability and versions."""

from __future__ import annotations

from pydantic import SecretStr

from api.app import create_app
from tests.conftest import free_port


def test_healthz_reports_reachable_database_and_postgis_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "reachable"
    major, minor = (int(p) for p in body["postgis"].split(".")[:2])
    assert (major, minor) >= (3, 3)
    assert body["pgrouting"]


def test_healthz_is_503_naming_the_problem_when_database_is_down(test_settings):
    from fastapi.testclient import TestClient

    dead = f"postgresql://gridmap:x@127.0.0.1:{free_port()}/nothing"
    settings = test_settings.model_copy(update={"database_url": SecretStr(dead)})
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "unreachable"
    assert "cannot connect" in body["problem"]


def test_malformed_parameters_get_the_common_error_shape(client):
    response = client.get("/api/grids?limit=0")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["message"].startswith("limit:")
    assert body["detail"]["problems"][0]["parameter"] == "limit"
