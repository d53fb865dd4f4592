"""Loading the demo park (data/layers) into the database, in dependency order."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo import accounts
from geo.errors import NotFound
from geo.layers.importer import import_layer
from geo.layers.report import ImportReport
from geo.models import Community, Grid

# parents before children: every natural-key link resolves against what is already loaded
ORDER = (
    "park", "community", "grid", "microgrid", "enterprise", "staff", "staff_assignment",
    "key_site", "network", "road", "parking_zone", "shelter", "visit", "problem",
)  # fmt: skip
SUFFIXES = (".geojson", ".gpkg", ".csv", ".xlsx")


def demo_files(folder: Path) -> list[tuple[str, Path]]:
    """(layer, file) pairs of the demo folder, in loading order."""
    found = []
    for layer in ORDER:
        for suffix in SUFFIXES:
            path = folder / f"{layer}{suffix}"
            if path.is_file():
                found.append((layer, path))
                break
    if not found:
        raise NotFound(f"no demo layers in {folder}: expected files such as {folder}/park.geojson")
    return found


def load_demo(
    session: Session,
    folder: Path,
    *,
    progress: Callable[[str, ImportReport], None] | None = None,
) -> list[ImportReport]:
    """Import every demo layer in one transaction (the caller commits); stops at a refusal."""
    reports = []
    for layer, path in demo_files(folder):
        report = import_layer(session, layer, path, crs="wgs84")
        reports.append(report)
        if progress is not None:
            progress(layer, report)
        if not report.written:
            break
    # fresh tables have no planner statistics until autovacuum gets to them; without them the
    # evacuation road-graph query (geo/sql/build_road_graph.sql) takes ~50 s instead of <1 s
    session.execute(text("ANALYZE"))
    return reports


# One demo account per role (DESIGN §7): user name, role, display name.
DEMO_ACCOUNTS = (
    ("admin", "admin", "系统管理员"),
    ("planner", "planner", "规划员 王工"),
    ("leader", "grid_leader", "网格长 李红"),
    ("member", "grid_member", "网格员 张伟"),
    ("emergency", "emergency", "应急队 陈刚"),
    ("viewer", "viewer", "访客"),
)


def demo_accounts(session: Session) -> list[tuple[str, str, str]]:
    """Create (or reset) one account per role with a fresh random password; the grid leader
    serves the first community's grids, the grid member its first grid. Returns
    (user name, role, password) for the caller to show once."""
    first = session.scalar(select(Community).order_by(Community.code).limit(1))
    if first is None:
        raise NotFound("no community loaded: load the demo park first")
    grids = list(
        session.scalars(
            select(Grid.code)
            .where(Grid.community_id == first.id, Grid.valid_to.is_(None))
            .order_by(Grid.code)
        )
    )
    served = {"grid_leader": grids, "grid_member": grids[:1]}
    created = []
    for username, role, display_name in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(9)
        try:
            user = accounts.find_user(session, username)
        except NotFound:
            user = accounts.create_user(
                session,
                username,
                role=role,
                password=password,
                grids=served.get(role, ()),
                display_name=display_name,
            )
        else:
            accounts.set_grids(session, user, served.get(role, []))
            accounts.set_role(session, user, role)
            accounts.set_password(session, user, password)
            accounts.set_disabled(session, user, False)
        created.append((user.username, role, password))
    return created
