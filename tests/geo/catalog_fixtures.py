"""A small hand-made park shared by the staffing, catalog and API tests: two communities,
grids (one retired), micro-grids, enterprises and staff with assignments."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import func, select

from geo.models import Community, Enterprise, Grid, Microgrid, Park, Staff, StaffAssignment
from geo.uscc import generate

C1, C2 = "320571001001", "320571001002"
G1, G2, G3 = "320571001001001", "320571001001002", "320571001002001"
RETIRED = "320571001001000"
M1, M2 = "320571001001001001", "320571001001001002"


def _area(minx: float, miny: float, maxx: float, maxy: float):
    return from_shape(MultiPolygon([box(minx, miny, maxx, maxy)]), 4326)


@dataclass
class World:
    """What `build_world` made, by name; `uscc` maps short names to generated codes."""

    today: date
    grids: dict[str, Grid] = field(default_factory=dict)
    uscc: dict[str, str] = field(default_factory=dict)


def _hierarchy(db, world: World) -> None:
    park = Park(code="320571", name="示范园区", geom=_area(120.6, 31.2, 120.8, 31.4))
    db.add(park)
    db.flush()
    c1 = Community(park_id=park.id, code=C1, name="星海社区", geom=_area(120.6, 31.2, 120.7, 31.3))
    c2 = Community(park_id=park.id, code=C2, name="湖东社区", geom=_area(120.7, 31.2, 120.8, 31.3))
    db.add_all([c1, c2])
    db.flush()
    old = datetime(2020, 1, 1, tzinfo=UTC)
    for code, name, kind, community, bounds, retired in [
        (RETIRED, "星海旧网格", "base", c1, (120.6, 31.2, 120.65, 31.3), True),
        (G1, "星海一网格", "base", c1, (120.6, 31.2, 120.65, 31.3), False),
        (G2, "金鸡湖专属网格", "dedicated", c1, (120.65, 31.2, 120.7, 31.3), False),
        (G3, "湖东网格", "base", c2, (120.7, 31.2, 120.8, 31.3), False),
    ]:
        world.grids[code] = Grid(
            community_id=community.id, code=code, name=name, kind=kind, geom=_area(*bounds),
            valid_from=old, valid_to=old + timedelta(days=365) if retired else None,
        )  # fmt: skip
    db.add_all(world.grids.values())
    db.flush()


def _microgrids(db, world: World) -> dict[str, Microgrid]:
    g1 = world.grids[G1].id
    found = {
        M1: Microgrid(grid_id=g1, code=M1, name="一号楼宇", kind="building",
                      geom=_area(120.6, 31.2, 120.62, 31.22)),
        M2: Microgrid(grid_id=g1, code=M2, name="星海产业园", kind="park",
                      geom=_area(120.62, 31.2, 120.65, 31.25)),
    }  # fmt: skip
    db.add_all(found.values())
    db.flush()
    return found


ENTERPRISES = [
    # short, name, industry, size, employees, status, grid, micro-grid, lon, lat
    ("e1", "苏州星海科技有限公司", "C", "small", 120, "operating", G1, M1, 120.61, 31.21),
    ("e2", "100%_纯净水厂", "C", "micro", 10, "operating", G1, None, 120.63, 31.28),
    ("e3", "金鸡湖软件有限公司", "I", "medium", 800, "operating", G2, None, 120.67, 31.25),
    ("e4", "湖东物流有限公司", "G", "large", 3000, "operating", G3, None, 120.75, 31.25),
    ("e5", "园外贸易有限公司", "F", "small", 5, "operating", None, None, 120.9, 31.35),
    ("e6", "已注销机械厂", "C", "small", 400, "closed", G3, None, 120.76, 31.26),
    ("e7", "AB纯净水厂", "C", "micro", 8, "operating", G3, None, 120.77, 31.27),
]


def _enterprises(db, world: World, micro: dict[str, Microgrid]) -> None:
    rng = random.Random(2157)
    for short, name, industry, size, people, status, grid, mg, lon, lat in ENTERPRISES:
        world.uscc[short] = generate(rng)
        db.add(
            Enterprise(
                uscc=world.uscc[short], name=name, industry=industry, size_class=size,
                employees_day=people, employees_night=people // 10, status=status,
                grid_id=world.grids[grid].id if grid else None,
                microgrid_id=micro[mg].id if mg else None,
                geom=from_shape(Point(lon, lat), 4326), address=f"{name}地址",
            )
        )  # fmt: skip
    db.flush()


def _staff(db, world: World) -> None:
    today = world.today
    people = {
        "leader1": ("张伟", True), "full1": ("李娜", True), "instructor2": ("王芳", True),
        "full2": ("刘洋", True), "leader3": ("陈静", True), "full3": ("杨磊", True),
        "idle3": ("赵敏", False), "future3": ("黄强", True),
    }  # fmt: skip
    staff = {
        k: Staff(staff_no=k, name=n, role="full_time", active=a) for k, (n, a) in people.items()
    }
    db.add_all(staff.values())
    db.flush()
    duties = [
        ("leader1", G1, "grid_leader", None),
        ("leader1", G1, "part_time", None),  # the same person in two roles: one staff member
        ("full1", G1, "full_time", today),  # ends today: still on duty
        ("instructor2", G2, "instructor", None),
        ("full2", G2, "full_time", today - timedelta(days=1)),  # ended yesterday
        ("leader3", G3, "grid_leader", None),
        ("full3", G3, "full_time", None),
        ("idle3", G3, "full_time", None),  # inactive staff member
    ]
    for who, grid, role, until in duties:
        db.add(StaffAssignment(staff_id=staff[who].id, grid_id=world.grids[grid].id, role=role,
                               since=today - timedelta(days=30), until=until))  # fmt: skip
    db.add(StaffAssignment(staff_id=staff["future3"].id, grid_id=world.grids[G3].id,
                           role="full_time", since=today + timedelta(days=1)))  # fmt: skip
    db.flush()


def build_world(db) -> World:
    """Two communities, three live grids and a retired one, two micro-grids, seven
    enterprises (one orphan, one closed, one named with % and _), and grid staff."""
    world = World(today=db.scalar(select(func.current_date())))
    _hierarchy(db, world)
    _enterprises(db, world, _microgrids(db, world))
    _staff(db, world)
    return world
