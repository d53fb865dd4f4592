"""Scoped field work (a grid member writes only for their grids) and the audit log."""

from __future__ import annotations

import io

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from api.policy import ROUTES
from geo import audit
from geo.audit import Actor, acting_as
from geo.models import AuditLog, Enterprise, Park, Visit
from tests.geo.catalog_fixtures import G1, build_world
from tests.logins import add_login

# Every write a grid member may make that names an enterprise, with a body for `uscc`.
FIELD_WRITES = {
    "POST /api/visits": lambda uscc: {"uscc": uscc, "notes": "例行走访"},
    "POST /api/problems": lambda uscc: {"uscc": uscc, "category": "demand", "title": "用电扩容"},
}


def _member(db, world):
    return add_login(db, "grid_member", grids=[G1])


def test_field_writes_for_grid_members_are_all_listed_here():
    member_writes = {
        key
        for key, permission in ROUTES.items()
        if permission.allows("grid_member")
        and permission.name == "fieldwork"
        and not key.startswith("GET ")  # the visits page reads; it writes through the API
    }
    assert member_writes == set(FIELD_WRITES)


@pytest.mark.parametrize("key", sorted(FIELD_WRITES))
def test_a_grid_member_writes_for_their_grid_only(key, client, db):
    world = build_world(db)
    member = _member(db, world)
    path = key.split(" ", 1)[1]
    own = client.post(path, json=FIELD_WRITES[key](world.uscc["e1"]), headers=member.headers)
    assert own.status_code == 201, own.text
    other = client.post(path, json=FIELD_WRITES[key](world.uscc["e4"]), headers=member.headers)
    assert other.status_code == 403
    assert (
        "湖东物流有限公司" in other.json()["message"]
        and "不在您负责的网格内" in other.json()["message"]
    )


def test_a_grid_member_cannot_import_visits(client, db):
    world = build_world(db)
    member = _member(db, world)
    csv = f"enterprise_uscc,visited_at\n{world.uscc['e4']},2026-11-02T10:00:00+08:00\n"
    response = client.post(
        "/api/layers/visit/import",
        headers=member.headers,
        files={"file": ("v.csv", io.BytesIO(csv.encode()), "text/csv")},
    )
    assert response.status_code == 403


def test_the_database_refuses_an_out_of_scope_visit_whatever_wrote_it(db):
    world = build_world(db)
    member = _member(db, world)
    actor = Actor(member.user_id, member.username, frozenset({world.grids[G1].id}))
    other = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e4"]))
    db.commit()  # the actor is bound when the next transaction begins
    with acting_as(actor):
        nested = db.begin_nested()
        db.add(Visit(enterprise_id=other, visited_at=func.now()))
        with pytest.raises(DBAPIError) as refused:
            db.flush()
        nested.rollback()
    assert refused.value.orig.pgcode == "GM403"


def test_visits_are_checked_against_the_enterprise_location(client, db):
    world = build_world(db)
    member = _member(db, world)
    near = {"uscc": world.uscc["e1"], "lon": 120.6105, "lat": 31.2102}  # ~50 m away
    far = {"uscc": world.uscc["e1"], "lon": 120.62, "lat": 31.21}  # ~950 m away
    none = {"uscc": world.uscc["e1"]}
    results = [
        client.post(
            "/api/visits",
            json={**b, "visited_at": f"2026-11-0{i}T10:00:00Z"},
            headers=member.headers,
        ).json()
        for i, b in enumerate((near, far, none), start=1)
    ]
    assert [r["check_result"] for r in results] == ["verified", "flagged", "no_location"]
    assert 40 < results[0]["distance_m"] < 60 and results[1]["distance_m"] > 900
    half = client.post(
        "/api/visits", json={"uscc": world.uscc["e1"], "lon": 120.6}, headers=member.headers
    )
    assert half.status_code == 422 and "lon" in half.text


def test_every_write_is_audited_with_who_before_and_after(client, db, admin):
    world = build_world(db)
    member = _member(db, world)
    visit = client.post(
        "/api/visits", json={"uscc": world.uscc["e1"], "notes": "<b>好</b>"}, headers=member.headers
    ).json()
    row = db.scalar(
        select(AuditLog).where(AuditLog.table_name == "visit", AuditLog.row_id == str(visit["id"]))
    )
    assert row.action == "insert" and row.username == member.username
    assert row.user_id == member.user_id and row.before is None
    assert row.after["notes"] == "<b>好</b>"
    client.patch(f"/api/users/{member.user_id}", json={"display_name": "张伟"})
    change = db.scalar(
        select(AuditLog).where(
            AuditLog.table_name == "users",
            AuditLog.action == "update",
            AuditLog.row_id == str(member.user_id),
        )
    )
    assert change.username == admin.username
    assert change.before["display_name"] is None and change.after["display_name"] == "张伟"
    assert "password_hash" not in change.before and "password_hash" not in change.after
    created = db.scalar(select(AuditLog).where(AuditLog.table_name == "api_token"))
    assert created is not None and "token_hash" not in created.after


def test_the_audit_log_is_filtered_by_user_table_and_time(client, db, admin):
    world = build_world(db)
    member = _member(db, world)
    client.post("/api/visits", json={"uscc": world.uscc["e1"]}, headers=member.headers)
    mine = client.get("/api/audit", params={"user": member.username}).json()
    assert mine["total"] >= 1 and {i["username"] for i in mine["items"]} == {member.username}
    visits = client.get("/api/audit", params={"table": "visit"}).json()
    assert visits["items"] and all(i["table_name"] == "visit" for i in visits["items"])
    future = client.get("/api/audit", params={"since": "2999-01-01T00:00:00Z"}).json()
    assert future["total"] == 0
    past = client.get("/api/audit", params={"until": "2000-01-01T00:00:00Z"}).json()
    assert past["total"] == 0
    page = client.get("/admin/audit", params={"user": member.username, "table": "visit"})
    assert page.status_code == 200 and "审计日志" in page.text and member.username in page.text


def test_bulk_operations_write_one_summary_row(db):
    db.commit()
    with acting_as(Actor(None, "cli:tester")):
        db.begin()
        before = db.scalar(select(func.count()).select_from(AuditLog))
        with audit.bulk(db, "park", "import") as summary:
            db.add_all(
                Park(
                    code=f"32057100{i}",
                    name=f"园区{i}",
                    geom=from_shape(MultiPolygon([Point(120 + i, 31).buffer(0.01)]), 4326),
                )
                for i in range(2)
            )
            db.flush()
            summary["rows"] = 2
        db.add(
            Park(
                code="320571009",
                name="逐行园区",
                geom=from_shape(MultiPolygon([Point(125, 31).buffer(0.01)]), 4326),
            )
        )
        db.flush()
        rows = db.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(5)).all()
    assert db.scalar(select(func.count()).select_from(AuditLog)) == before + 2
    assert rows[0].action == "insert" and rows[0].after["name"] == "逐行园区"  # per row again
    assert rows[1].action == "bulk" and rows[1].username == "cli:tester"
    assert rows[1].after == {"operation": "import", "rows": 2}
