"""The hand-made park of tests/geo/catalog_fixtures.py, broken on purpose for the check page:
an overlap, a gap and a micro-grid reaching outside its grid, plus an enterprise in no grid
whose name is an HTML attack."""

from __future__ import annotations

import random

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import URL, select, update

from geo.db import make_engine, make_sessionmaker
from geo.models import Community, Enterprise, Grid, Microgrid
from geo.uscc import generate
from tests.geo.catalog_fixtures import C2, G2, M2, build_world

ATTACK_NAME = "<img src=x onerror=alert(1)>"
OVERLAP_CODE = "320571001002002"
OVERLAP_NAME = "重叠网格"


def _area(minx: float, miny: float, maxx: float, maxy: float):  # type: ignore[no-untyped-def]
    return from_shape(MultiPolygon([box(minx, miny, maxx, maxy)]), 4326)


def break_world(db) -> str:  # type: ignore[no-untyped-def]
    """Overlap in C2, gap in C1, M2 beyond G1; returns the attack enterprise's USCC."""
    c2 = db.scalar(select(Community.id).where(Community.code == C2))
    db.add(Grid(community_id=c2, code=OVERLAP_CODE, name=OVERLAP_NAME, kind="base",
                geom=_area(120.78, 31.28, 120.8, 31.3)))  # fmt: skip
    db.execute(update(Grid).where(Grid.code == G2).values(geom=_area(120.65, 31.2, 120.7, 31.28)))
    db.execute(
        update(Microgrid)
        .where(Microgrid.code == M2)
        .values(geom=_area(120.62, 31.2, 120.66, 31.25))
    )
    uscc = generate(random.Random(4242))
    db.add(Enterprise(uscc=uscc, name=ATTACK_NAME, industry="C", size_class="small",
                      employees_day=12, address=ATTACK_NAME,
                      geom=from_shape(Point(120.85, 31.25), 4326)))  # fmt: skip
    db.flush()
    return uscc


def build_broken_world(url: URL) -> None:
    """Build, break and commit the park in the database at `url`."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        build_world(session)
        break_world(session)
        session.commit()
    engine.dispose()
