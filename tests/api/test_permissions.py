"""Every route × every role, with the expected outcome derived from api/policy.py.

For each declared route there is one concrete request (EXAMPLES, on the hand-made park of
tests/geo/catalog_fixtures.py). Each role, and an anonymous caller, sends it:

- a role the declaration allows gets a success (2xx; 303 for a page form that redirects);
- a signed-in role it does not allow gets 403;
- an anonymous caller gets 401, or a redirect to /login for a page.

A route without a declaration stops the app from starting, and a declared route without an
example fails `test_every_declared_route_has_an_example`, so a new route cannot slip by.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import shape

from api.app import create_app
from api.auth import install_auth
from api.deps import get_session
from api.policy import PUBLIC, ROUTES
from geo.models import UserGrid
from geo.sessions import create_token
from geo.uscc import generate
from geo.vocab import USER_ROLES
from tests.geo.catalog_fixtures import C1, G1, World, build_world
from tests.logins import Login, quick_login


@dataclass
class Ctx:
    """What an example may refer to: the park, the caller's login, a running number."""

    world: World
    login: Login
    n: int


Example = Callable[[Ctx], tuple[str, dict[str, Any]]]


def _get(path: str) -> Example:
    return lambda _ctx: (path, {})


def _csv(ctx: Ctx) -> bytes:
    uscc = generate(random.Random(ctx.n))
    text = f"企业名称,统一社会信用代码,经度,纬度\n权限测试{ctx.n}有限公司,{uscc},120.62,31.22\n"
    return text.encode()


def _visit(ctx: Ctx) -> dict[str, Any]:
    return {"uscc": ctx.world.uscc["e1"], "visited_at": f"2026-11-{1 + ctx.n:02d}T09:00:00+08:00"}


def _move(ctx: Ctx, n: int) -> dict[str, Any]:
    """Move enterprise e1 a little inside its grid and micro-grid (repeatable by every role)."""
    point = {"type": "Point", "coordinates": [120.61 + n * 0.001, 31.21]}
    return {
        "op": "move_enterprise",
        "uscc": ctx.world.uscc["e1"],
        "geometry": point,
        "reason": "坐标纠偏",
    }


def _reshape(ctx: Ctx) -> dict[str, Any]:
    """A dry run: grid G1 widened east into G2."""
    ring = [[120.6, 31.2], [120.66, 31.2], [120.66, 31.3], [120.6, 31.3], [120.6, 31.2]]
    return {
        "op": "reshape",
        "grid": G1,
        "versions": {G1: 1},
        "reason": "预览",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PAST = "2025-06"  # a month that has ended: the first read closes it


def _photo(_ctx: Ctx) -> dict[str, Any]:
    return {"files": {"file": ("照片.png", io.BytesIO(PNG), "image/png")}}


EXAMPLES: dict[str, Example] = {
    "GET /api/coverage": _get(f"/api/coverage?month={PAST}&level=grid"),
    "GET /api/coverage/enterprises": _get(f"/api/coverage/enterprises?month={PAST}&grid={G1}"),
    "GET /api/coverage/unvisited": _get(f"/api/coverage/unvisited?month={PAST}&community={C1}"),
    "GET /api/coverage/route": _get(f"/api/coverage/route?grid={G1}&month={PAST}"),
    "POST /api/coverage/{month}/close": lambda c: (f"/api/coverage/2020-{c.n:02d}/close", {}),
    "GET /api/reports/coverage.xlsx": _get(f"/api/reports/coverage.xlsx?month={PAST}"),
    "GET /api/reports/coverage.csv": _get(f"/api/reports/coverage.csv?month={PAST}"),
    "GET /api/my/enterprises": _get("/api/my/enterprises?lon=120.61&lat=31.21"),
    "POST /api/visits/{visit_id}/photo": lambda c: (f"/api/visits/{c.n}/photo", _photo(c)),
    "GET /api/visits/{visit_id}/photo": lambda c: (f"/api/visits/{c.n}/photo", {}),
    "GET /": _get("/"),
    "GET /check": _get("/check"),
    "GET /coverage": _get("/coverage"),
    "GET /visits": _get("/visits"),
    "GET /editor": _get("/editor"),
    "GET /enterprises": _get("/enterprises"),
    "GET /enterprises/{key}": lambda c: (f"/enterprises/{c.world.uscc['e1']}", {}),
    "GET /openapi.json": _get("/openapi.json"),
    "GET /docs": _get("/docs"),
    "GET /tiles/{layer}/{z}/{x}/{y}.mvt": _get("/tiles/grid/10/855/417.mvt"),
    "GET /tiles/{layer}.json": _get("/tiles/grid.json"),
    "GET /api/layers": _get("/api/layers"),
    "GET /api/layers/{layer}/export": _get("/api/layers/grid/export?format=geojson"),
    "GET /api/grids": _get("/api/grids"),
    "GET /api/grids/{code}": _get(f"/api/grids/{G1}"),
    "GET /api/microgrids": _get("/api/microgrids"),
    "GET /api/microgrids/{code}": _get("/api/microgrids/320571001001001001"),
    "GET /api/enterprises": _get("/api/enterprises"),
    "GET /api/enterprises/{uscc}": lambda c: (f"/api/enterprises/{c.world.uscc['e1']}", {}),
    "GET /api/check": _get("/api/check"),
    "GET /api/check.geojson": _get("/api/check.geojson"),
    "GET /api/orphans": _get("/api/orphans"),
    "GET /api/orphans.geojson": _get("/api/orphans.geojson"),
    "GET /api/staffing": _get("/api/staffing"),
    "GET /api/grids/{code}/staffing": _get(f"/api/grids/{G1}/staffing"),
    "GET /ogc": _get("/ogc"),
    "GET /ogc/conformance": _get("/ogc/conformance"),
    "GET /ogc/collections": _get("/ogc/collections"),
    "GET /ogc/collections/{collection_id}": _get("/ogc/collections/grid"),
    "GET /ogc/collections/{collection_id}/items": _get("/ogc/collections/grid/items"),
    "GET /ogc/collections/{collection_id}/items/{feature_id}": lambda c: (
        f"/ogc/collections/grid/items/{c.world.grids[G1].id}",
        {},
    ),
    "GET /ogc/collections/{collection_id}/queryables": _get("/ogc/collections/grid/queryables"),
    "GET /ogc/collections/{collection_id}/schema": _get("/ogc/collections/grid/schema"),
    "POST /api/layers/{layer}/import": lambda c: (
        "/api/layers/enterprise/import",
        {"files": {"file": ("e.csv", io.BytesIO(_csv(c)), "text/csv")}},
    ),
    "POST /layers/import": lambda c: (
        "/layers/import",
        {
            "files": {"file": ("e.csv", io.BytesIO(_csv(c)), "text/csv")},
            "data": {"layer": "enterprise", "action": "import"},
        },
    ),
    "GET /layers": _get("/layers"),
    "GET /layers/export": _get("/layers/export?layer=grid&format=csv"),
    "POST /api/visits": lambda c: ("/api/visits", {"json": _visit(c)}),
    "POST /api/problems": lambda c: (
        "/api/problems",
        {"json": {"uscc": c.world.uscc["e1"], "category": "service", "title": "需要消防培训"}},
    ),
    "POST /logout": _get("/logout"),
    "POST /api/auth/logout": _get("/api/auth/logout"),
    "GET /api/auth/me": _get("/api/auth/me"),
    "POST /api/auth/password": lambda c: (
        "/api/auth/password",
        {"json": {"current_password": "wrong-on-purpose", "new_password": "x" * 12}},
    ),
    "GET /account": _get("/account"),
    "POST /account/password": lambda c: (
        "/account/password",
        {"data": {"current_password": "a", "new_password": "b", "repeat_password": "b"}},
    ),
    "GET /api/tokens": _get("/api/tokens"),
    "POST /api/tokens": lambda c: ("/api/tokens", {"json": {"name": "QGIS"}}),
    "DELETE /api/tokens/{token_id}": lambda c: (f"/api/tokens/{c.n}", {}),
    "POST /account/tokens": lambda c: ("/account/tokens", {"data": {"name": "脚本"}}),
    "POST /account/tokens/{token_id}/revoke": lambda c: (f"/account/tokens/{c.n}/revoke", {}),
    "POST /api/hazards": lambda c: (
        "/api/hazards",
        {
            "json": {
                "scenario": "flood",
                "zone": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [120.61, 31.21],
                            [120.62, 31.21],
                            [120.62, 31.22],
                            [120.61, 31.22],
                            [120.61, 31.21],
                        ]
                    ],
                },
            }
        },
    ),
    "GET /api/hazards": _get("/api/hazards"),
    "GET /api/hazards/{hazard_id}/affected": lambda c: (f"/api/hazards/{c.n}/affected", {}),
    "POST /api/hazards/{hazard_id}/plans": lambda c: (
        f"/api/hazards/{c.n}/plans",
        {"json": {"mode": "walk"}},
    ),
    "GET /api/plans/{plan_id}": lambda c: (f"/api/plans/{c.n}", {}),
    "GET /api/plans/{plan_id}/map": lambda c: (f"/api/plans/{c.n}/map", {}),
    "GET /emergency": _get("/emergency"),
    "GET /emergency/plans/{plan_id}/print": lambda c: (f"/emergency/plans/{c.n}/print", {}),
    "GET /api/hazards/{hazard_id}/plans": lambda c: (f"/api/hazards/{c.n}/plans", {}),
    "GET /api/users": _get("/api/users"),
    "POST /api/users": lambda c: (
        "/api/users",
        {"json": {"username": f"new{c.n}", "role": "viewer", "password": "long-enough-1"}},
    ),
    "PATCH /api/users/{user_id}": lambda c: (f"/api/users/{c.n}", {"json": {"lang": "en"}}),
    "POST /api/users/{user_id}/password": lambda c: (
        f"/api/users/{c.n}/password",
        {"json": {"password": "another-long-1"}},
    ),
    "GET /api/audit": _get("/api/audit?table=enterprise"),
    "GET /admin/users": _get("/admin/users"),
    "POST /admin/users": lambda c: (
        "/admin/users",
        {"data": {"username": f"page{c.n}", "role": "viewer", "password": "long-enough-1"}},
    ),
    "POST /admin/users/{user_id}": lambda c: (
        f"/admin/users/{c.n}",
        {"data": {"action": "update", "role": "viewer", "display_name": "改名"}},
    ),
    "GET /admin/audit": _get("/admin/audit"),
    "POST /api/edits/preview": lambda c: ("/api/edits/preview", {"json": _reshape(c)}),
    "POST /api/edits": lambda c: ("/api/edits", {"json": _move(c, c.n)}),
    "GET /api/edits": _get("/api/edits"),
    "GET /api/edits/{operation_id}": lambda c: (f"/api/edits/{c.n}", {}),
    "POST /api/edits/{operation_id}/undo": lambda c: (
        f"/api/edits/{c.n}/undo",
        {"json": {"reason": "撤销测试"}},
    ),
}
# Some examples need an object owned by the caller or another account: its id is `n`.
OWN_TOKEN = {"DELETE /api/tokens/{token_id}", "POST /account/tokens/{token_id}/revoke"}
# ... or a visit of the caller's (with a photo to read)
OWN_VISIT = {"POST /api/visits/{visit_id}/photo", "GET /api/visits/{visit_id}/photo"}
# ... or an edit to read or undo
NEW_EDIT = {"GET /api/edits/{operation_id}", "POST /api/edits/{operation_id}/undo"}
# ... or a hazard (and a saved plan of it)
HAZARD = {
    "GET /api/hazards/{hazard_id}/affected",
    "POST /api/hazards/{hazard_id}/plans",
    "GET /api/hazards/{hazard_id}/plans",
}
PLAN = {
    "GET /api/plans/{plan_id}",
    "GET /api/plans/{plan_id}/map",
    "GET /emergency/plans/{plan_id}/print",
}
OTHER_USER = {
    "PATCH /api/users/{user_id}",
    "POST /api/users/{user_id}/password",
    "POST /admin/users/{user_id}",
}
# Routes whose allowed answer is not a success by design of the example (wrong password), or
# a redirect (the download form hands over to the API's download).
ALLOWED_REFUSAL = {
    "POST /api/auth/password": 422,
    "POST /account/password": 422,
    "GET /layers/export": 303,
}
GUARDED = sorted(
    key
    for key, permission in ROUTES.items()
    if permission is not PUBLIC and not key.startswith("MOUNT ")
)


def test_every_declared_route_has_an_example():
    assert sorted(EXAMPLES) == GUARDED


def test_a_route_without_a_declaration_stops_the_app(test_settings):
    app = create_app(test_settings)
    app.add_api_route("/api/forgotten", lambda: {"ok": True}, methods=["GET"])
    with pytest.raises(RuntimeError, match="GET /api/forgotten"):
        install_auth(app, test_settings, None)
    app.state.engine.dispose()


def _logins(db, world: World) -> dict[str, Login]:
    logins = {}
    for role in USER_ROLES:
        login = quick_login(db, role)
        if role in ("grid_leader", "grid_member"):
            db.add(UserGrid(user_id=login.user_id, grid_id=world.grids[G1].id))
        logins[role] = login
    db.flush()
    return logins


def _send(client: TestClient, key: str, ctx: Ctx, headers: dict[str, str]) -> int:
    method, _, _ = key.partition(" ")
    path, kwargs = EXAMPLES[key](ctx)
    response = client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
    return response.status_code


def _own_visit(db, key: str, login: Login, n: int, world: World, home) -> int:
    from datetime import UTC, datetime

    from geo import fieldwork, photos

    when = datetime(2025, 6, n, 9, tzinfo=UTC)
    visit = fieldwork.record_visit(
        db, world.uscc["e1"], scope=None, visited_at=when, user_id=login.user_id
    )
    if key.startswith("GET "):
        photos.store_photo(visit, PNG, home=home, max_bytes=10**6, now=when)
        db.flush()
    return visit.id


def _subject(db, key: str, login: Login, n: int, world: World, home=None) -> int:
    """The id an example acts on: one of the caller's tokens, or another account."""
    if key in OWN_VISIT:
        return _own_visit(db, key, login, n, world, home)
    if key in OWN_TOKEN:
        from geo.accounts import get_user

        _secret, token = create_token(db, get_user(db, login.user_id), "to revoke")
        return token.id
    if key in OTHER_USER:
        return quick_login(db, "viewer").user_id
    if key in HAZARD or key in PLAN:
        return _hazard_or_plan(db, key in PLAN)
    if key in NEW_EDIT:
        from geo.editing import EditRequest, edit

        body = _move(Ctx(world, login, n), 10 + n)
        request = EditRequest(
            op="move_enterprise",
            reason="坐标纠偏",
            uscc=body["uscc"],
            geometry=shape(body["geometry"]),
        )
        return edit(db, request).operation_id or 0
    return n


def _hazard_or_plan(db, plan: bool) -> int:  # type: ignore[no-untyped-def]
    from geoalchemy2.shape import from_shape
    from shapely.geometry import MultiPolygon, box

    from geo.models import EvacuationPlan, Hazard

    hazard = Hazard(
        name="内涝",
        scenario="flood",
        core=from_shape(MultiPolygon([box(120.612, 31.212, 120.613, 31.213)]), 4326),
        zone=from_shape(MultiPolygon([box(120.61, 31.21, 120.62, 31.22)]), 4326),
    )
    db.add(hazard)
    db.flush()
    if not plan:
        return hazard.id
    row = EvacuationPlan(hazard_id=hazard.id, name="预案")
    db.add(row)
    db.flush()
    return row.id


@pytest.fixture
def matrix_app(test_settings, db, tmp_path) -> FastAPI:  # type: ignore[no-untyped-def]
    # photos are written under a scratch GRIDMAP_HOME
    application = create_app(test_settings.model_copy(update={"home": tmp_path}))
    application.dependency_overrides[get_session] = lambda: db
    yield application
    application.state.engine.dispose()


@pytest.mark.parametrize("key", GUARDED)
def test_each_role_gets_what_the_declaration_says(key, matrix_app, db, tmp_path):
    world = build_world(db)
    logins = _logins(db, world)
    permission = ROUTES[key]
    method = key.partition(" ")[0]
    is_page = not key.split(" ", 1)[1].startswith(("/api/", "/ogc", "/tiles/", "/openapi"))
    outcomes = {}
    with TestClient(matrix_app) as client:
        for n, (role, login) in enumerate(logins.items(), start=1):
            ctx = Ctx(world, login, _subject(db, key, login, n, world, tmp_path))
            status = _send(client, key, ctx, login.headers)
            outcomes[role] = status
            if permission.allows(role):
                expected = ALLOWED_REFUSAL.get(key)
                ok = (
                    status == expected
                    if expected
                    else 200 <= status < 300 or (is_page and method == "POST" and status == 303)
                )
                assert ok, f"{key} as {role}: {status}, expected success"
            else:
                assert status == 403, f"{key} as {role}: {status}, expected 403"
        anonymous = _send(client, key, Ctx(world, logins["viewer"], 99), {})
    if is_page and method == "GET":
        assert anonymous == 303, f"{key} anonymous: {anonymous}, expected the login redirect"
    else:
        assert anonymous == 401, f"{key} anonymous: {anonymous}, expected 401"
