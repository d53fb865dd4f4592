"""The demo park loads cleanly and obeys every rule it is meant to show."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from geo.codes import planned_order
from geo.demo import ORDER, demo_files, load_demo
from geo.hierarchy import check_hierarchy
from geo.models import Community, Enterprise, Grid

DEMO = Path(__file__).resolve().parents[2] / "data" / "layers"


def test_demo_folder_has_every_layer_and_stays_small():
    assert [layer for layer, _ in demo_files(DEMO)] == list(ORDER)
    size = sum(p.stat().st_size for p in DEMO.iterdir())
    assert size < 20 * 1024 * 1024


def test_demo_loads_partitioned_coded_and_assigned(db):
    reports = load_demo(db, DEMO)
    assert all(r.written and not r.rejected_rows for r in reports), [
        (r.layer, r.problems[:3]) for r in reports if not r.written
    ]
    assert check_hierarchy(db) == []
    for code in db.scalars(select(Community.code)):
        assert all(now == wanted for now, wanted in planned_order(db, code))
    expected = {
        f["properties"]["uscc"]: f["properties"].get("grid_code")
        for f in json.loads((DEMO / "enterprise.geojson").read_text())["features"]
    }
    assigned = dict(
        db.execute(
            select(Enterprise.uscc, Grid.code).outerjoin(Grid, Enterprise.grid_id == Grid.id)
        ).all()
    )
    assert assigned == expected
    assert db.scalar(select(func.count()).where(Enterprise.grid_id.is_(None))) >= 3
