"""The editor API: preview, save with If-Match, 409 on a stale version, history, undo, ?at=."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from shapely.geometry import mapping
from sqlalchemy import select

from geo.models import Grid
from tests.geo.editing_fixtures import rect, three_grids
from tests.logins import quick_login


def _body(code: str, **extra):
    return {"op": "reshape", "grid": code, "reason": "企业入驻，调整边界",
            "geometry": mapping(rect(0, 0, 2.5, 2)), **extra}  # fmt: skip


def test_preview_then_save_with_if_match_then_history_and_undo(client, db):
    p = three_grids(db)
    code = p.grids["A"].code
    read = client.get(f"/api/grids/{code}")
    assert read.headers["ETag"] == f'"{code}-1"'
    preview = client.post("/api/edits/preview", json=_body(code),
                          headers={"If-Match": read.headers["ETag"]})  # fmt: skip
    assert preview.status_code == 200, preview.text
    assert [e["name"] for e in preview.json()["impact"]["enterprises"]] == ["b_west"]
    assert preview.json()["impact"]["changed_areas"]["type"] == "FeatureCollection"
    assert db.scalar(select(Grid.version).where(Grid.code == code)) == 1
    saved = client.post("/api/edits", json=_body(code), headers={"If-Match": f'"{code}-1"'})
    assert saved.status_code == 201, saved.text
    edit_id = saved.json()["id"]
    assert client.get(f"/api/grids/{code}").headers["ETag"] == f'"{code}-2"'
    history = client.get("/api/edits").json()
    assert history["items"][0]["id"] == edit_id and history["items"][0]["reason"]
    assert client.get(f"/api/edits/{edit_id}").json()["kind"] == "reshape"
    undone = client.post(f"/api/edits/{edit_id}/undo", json={"reason": "误操作"})
    assert undone.status_code == 201, undone.text
    again = client.post(f"/api/edits/{edit_id}/undo", json={"reason": "误操作"})
    assert again.status_code == 409 and again.json()["error"] == "conflict"


def test_a_stale_version_gets_409_with_the_current_version(client, db):
    p = three_grids(db)
    code = p.grids["A"].code
    assert client.post("/api/edits", json=_body(code, versions={code: 1})).status_code == 201
    stale = client.post("/api/edits", json=_body(code, versions={code: 1}))
    assert stale.status_code == 409
    assert stale.json()["detail"]["current"] == {code: 2}
    assert "changed by someone else" in stale.json()["message"]


def test_bad_input_is_a_clear_422(client, db):
    p = three_grids(db)
    code = p.grids["A"].code
    no_version = client.post("/api/edits", json=_body(code))
    assert no_version.status_code == 422 and "version" in no_version.json()["message"]
    broken = client.post("/api/edits", json=_body(code, versions={code: 1},
                                                  geometry={"type": "Polygon"}))  # fmt: skip
    assert broken.status_code == 422
    unknown = client.post("/api/edits", json=_body("999002001001099", versions={}))
    assert unknown.status_code == 404


def test_planner_may_edit_and_viewer_may_not(app, db):
    p = three_grids(db)
    code = p.grids["A"].code
    planner, viewer = quick_login(db, "planner"), quick_login(db, "viewer")
    with TestClient(app) as http:
        body = _body(code, versions={code: 1})
        assert http.post("/api/edits", json=body, headers=viewer.headers).status_code == 403
        assert http.post("/api/edits", json=body, headers=planner.headers).status_code == 201
        assert http.get("/api/edits", headers=viewer.headers).status_code == 200


def test_grids_at_a_past_day(client, db):
    p = three_grids(db)
    code = p.grids["A"].code
    client.post("/api/edits", json=_body(code, versions={code: 1}))
    day = (date.today() - timedelta(days=10)).isoformat()  # the fixture's grids are 30 days old
    past = client.get("/api/grids", params={"at": day, "community": "999002001001"})
    assert {g["code"]: g["version"] for g in past.json()["items"]}[code] == 1
    today = client.get(f"/api/grids/{code}", params={"at": "2999-01-01"}).json()
    assert today["version"] == 2
    assert client.get("/api/grids", params={"at": "2000-01-01"}).json()["total"] == 0
    assert client.get("/api/microgrids", params={"at": day}).status_code == 200
    assert client.get("/api/grids", params={"at": "2025-13-01"}).status_code == 422
