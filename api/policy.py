"""Who may call what (DESIGN §7): the one place where every route declares its permission.

`ROUTES` maps "METHOD /path" (the route's path template) to a permission; mounts of static
files are listed as "MOUNT /path". `api.auth` enforces these for every request, and
`create_app` refuses to start when a route has no declaration or a declaration names no route,
so a new route cannot skip this table. Scope (a grid member's own grids) is checked further
down, in the database (geo.audit, trigger `gridmap_fieldwork_scope`).

Roles: admin, planner, grid_leader, grid_member, emergency, viewer. Administrators may do
everything; the other roles read everything and write what their work needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.vocab import USER_ROLES


@dataclass(frozen=True)
class Permission:
    """A named set of roles allowed to call a route (`roles` None: anyone, signed in or not)."""

    name: str
    roles: frozenset[str] | None
    zh: str

    def allows(self, role: str | None) -> bool:
        """Whether `role` (None: anonymous) may call a route with this permission."""
        if self.roles is None:
            return True
        return role is not None and role in self.roles


def _roles(*names: str) -> frozenset[str]:
    unknown = set(names) - set(USER_ROLES)
    assert not unknown, unknown
    return frozenset(names)


PUBLIC = Permission("public", None, "公开")
SIGNED_IN = Permission("signed_in", _roles(*USER_ROLES), "登录用户")
ACCOUNT = Permission("account", _roles(*USER_ROLES), "本人账号")
PLAN = Permission("plan", _roles("admin", "planner"), "规划人员")
FIELDWORK = Permission("fieldwork", _roles("admin", "grid_leader", "grid_member"), "网格人员")
EMERGENCY = Permission("emergency", _roles("admin", "emergency"), "应急队伍")
CLOSE_MONTH = Permission(
    "close_month", _roles("admin", "planner", "grid_leader"), "规划人员和网格长"
)
ADMIN = Permission("admin", _roles("admin"), "系统管理员")

ROUTES: dict[str, Permission] = {
    # sign-in, health and the files every page needs (the login page included)
    "GET /healthz": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /api/auth/login": PUBLIC,
    "MOUNT /static/vendor/leaflet": PUBLIC,
    "MOUNT /static/vendor/jquery": PUBLIC,
    "MOUNT /static/vendor/geoman": PUBLIC,
    "MOUNT /static/vendor/vectorgrid": PUBLIC,
    "MOUNT /static/vendor/swagger-ui": PUBLIC,
    "MOUNT /static/app": PUBLIC,
    # one's own account
    "POST /logout": ACCOUNT,
    "POST /api/auth/logout": ACCOUNT,
    "GET /api/auth/me": ACCOUNT,
    "POST /api/auth/password": ACCOUNT,
    "GET /account": ACCOUNT,
    "POST /account/password": ACCOUNT,
    "POST /account/tokens": ACCOUNT,
    "POST /account/tokens/{token_id}/revoke": ACCOUNT,
    "GET /api/tokens": ACCOUNT,
    "POST /api/tokens": ACCOUNT,
    "DELETE /api/tokens/{token_id}": ACCOUNT,
    # reading: pages, tiles, OGC API, JSON API, documentation
    "GET /": SIGNED_IN,
    "GET /check": SIGNED_IN,
    "GET /coverage": SIGNED_IN,
    "GET /enterprises": SIGNED_IN,
    "GET /enterprises/{key}": SIGNED_IN,
    "GET /layers": SIGNED_IN,
    "GET /layers/export": SIGNED_IN,
    "GET /openapi.json": SIGNED_IN,
    "GET /docs": SIGNED_IN,
    "GET /tiles/{layer}/{z}/{x}/{y}.mvt": SIGNED_IN,
    "GET /tiles/{layer}.json": SIGNED_IN,
    "GET /api/layers": SIGNED_IN,
    "GET /api/layers/{layer}/export": SIGNED_IN,
    "GET /api/grids": SIGNED_IN,
    "GET /api/grids/{code}": SIGNED_IN,
    "GET /api/microgrids": SIGNED_IN,
    "GET /api/microgrids/{code}": SIGNED_IN,
    "GET /api/enterprises": SIGNED_IN,
    "GET /api/enterprises/{uscc}": SIGNED_IN,
    "GET /api/check": SIGNED_IN,
    "GET /api/check.geojson": SIGNED_IN,
    "GET /api/orphans.geojson": SIGNED_IN,
    "GET /api/orphans": SIGNED_IN,
    "GET /api/staffing": SIGNED_IN,
    "GET /api/grids/{code}/staffing": SIGNED_IN,
    "GET /api/edits": SIGNED_IN,
    "GET /api/edits/{operation_id}": SIGNED_IN,
    "GET /api/coverage": SIGNED_IN,
    "GET /api/coverage/enterprises": SIGNED_IN,
    "GET /api/coverage/unvisited": SIGNED_IN,
    "GET /api/coverage/route": SIGNED_IN,
    "GET /api/reports/coverage.xlsx": SIGNED_IN,
    "GET /api/reports/coverage.csv": SIGNED_IN,
    "GET /api/visits/{visit_id}/photo": SIGNED_IN,
    "GET /ogc": SIGNED_IN,
    "GET /ogc/conformance": SIGNED_IN,
    "GET /ogc/collections": SIGNED_IN,
    "GET /ogc/collections/{collection_id}": SIGNED_IN,
    "GET /ogc/collections/{collection_id}/items": SIGNED_IN,
    "GET /ogc/collections/{collection_id}/items/{feature_id}": SIGNED_IN,
    "GET /ogc/collections/{collection_id}/queryables": SIGNED_IN,
    "GET /ogc/collections/{collection_id}/schema": SIGNED_IN,
    # planners: layers and boundaries
    "GET /editor": PLAN,
    "POST /api/layers/{layer}/import": PLAN,
    "POST /layers/import": PLAN,
    "POST /api/edits/preview": PLAN,
    "POST /api/edits": PLAN,
    "POST /api/edits/{operation_id}/undo": PLAN,
    # grid staff: visits and problems of their own grids
    "GET /visits": FIELDWORK,
    "POST /api/visits": FIELDWORK,
    "POST /api/problems": FIELDWORK,
    "GET /api/my/enterprises": FIELDWORK,
    "POST /api/visits/{visit_id}/photo": FIELDWORK,
    # closing a month of visit coverage (frozen figures): planners and grid leaders
    "POST /api/coverage/{month}/close": CLOSE_MONTH,
    # emergency teams: hazards and evacuation plans (not public: DESIGN §7)
    "POST /api/hazards": EMERGENCY,
    "GET /api/hazards": EMERGENCY,
    "GET /api/hazards/{hazard_id}/affected": EMERGENCY,
    "POST /api/hazards/{hazard_id}/plans": EMERGENCY,
    "GET /api/hazards/{hazard_id}/plans": EMERGENCY,
    "GET /api/plans/{plan_id}": EMERGENCY,
    "GET /api/plans/{plan_id}/map": EMERGENCY,
    "GET /emergency": EMERGENCY,
    "GET /emergency/plans/{plan_id}/print": EMERGENCY,
    # administrators: accounts and the audit log
    "GET /api/users": ADMIN,
    "POST /api/users": ADMIN,
    "PATCH /api/users/{user_id}": ADMIN,
    "POST /api/users/{user_id}/password": ADMIN,
    "GET /api/audit": ADMIN,
    "GET /admin/users": ADMIN,
    "POST /admin/users": ADMIN,
    "POST /admin/users/{user_id}": ADMIN,
    "GET /admin/audit": ADMIN,
}


def route_keys(methods: set[str] | None, path: str, *, mount: bool = False) -> list[str]:
    """The declaration keys of one route ("MOUNT /path" for a mount; HEAD goes with GET)."""
    if mount:
        return [f"MOUNT {path}"]
    return [f"{method} {path}" for method in sorted(methods or ()) if method != "HEAD"]


def declared(key: str) -> Permission:
    """The permission declared for a route key (KeyError when there is none)."""
    return ROUTES[key]
