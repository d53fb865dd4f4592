"""The database refuses values the domain forbids (check constraints from the vocabularies)."""

from __future__ import annotations

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy.exc import IntegrityError

from geo.models import Community, Enterprise, Grid, Park


def _park(db):
    park = Park(
        code="320571", name="示范园", geom=from_shape(MultiPolygon([box(0, 0, 1, 1)]), 4326)
    )
    db.add(park)
    db.flush()
    return park


def _enterprise(**overrides):
    values = dict(
        uscc="91320594MA1XXXXX0X",
        name="苏州测试科技有限公司",
        geom=from_shape(Point(0.5, 0.5), 4326),
    )
    values.update(overrides)
    return Enterprise(**values)


@pytest.mark.parametrize(
    "overrides",
    [
        {"uscc": "123"},
        {"uscc": "91320594MA1XXXXXOX"},  # letter O is not in the USCC alphabet
        {"industry": "Z"},
        {"size_class": "huge"},
        {"employees_day": -1},
        {"status": "bankrupt"},
    ],
)
def test_enterprise_refuses_out_of_domain_values(db, overrides):
    db.add(_enterprise(**overrides))
    with pytest.raises(IntegrityError):
        db.flush()


def test_enterprise_accepts_a_well_formed_row(db):
    db.add(_enterprise(industry="C", size_class="small", employees_day=30, employees_night=2))
    db.flush()


def test_grid_kind_and_code_are_checked(db):
    park = _park(db)
    community = Community(
        park_id=park.id,
        code="320571001001",
        name="星海社区",
        geom=from_shape(MultiPolygon([box(0, 0, 1, 1)]), 4326),
    )
    db.add(community)
    db.flush()
    db.add(
        Grid(
            community_id=community.id,
            kind="special",
            code="320571001001001",
            name="x",
            geom=from_shape(MultiPolygon([box(0, 0, 1, 1)]), 4326),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
