"""Concurrent edits of neighbouring grids from two connections serialise and keep the partition."""

from __future__ import annotations

import threading

from geoalchemy2.shape import to_shape
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from geo.editing import EditRequest, edit
from geo.editing.measure import partition_problems
from geo.errors import Conflict
from geo.models import (
    BoundaryVersion,
    CodeLineage,
    Community,
    EditOperation,
    Enterprise,
    Grid,
    Park,
)
from tests.geo.editing_fixtures import COMMUNITY, rect, three_grids

ROUNDS = 6


def _setup(engine) -> None:
    with Session(engine) as session:
        three_grids(session)
        session.commit()


def _cleanup(engine) -> None:
    with Session(engine) as session:
        cid = session.scalar(select(Community.id).where(Community.code == COMMUNITY))
        grid_ids = select(Grid.id).where(Grid.community_id == cid)
        session.execute(delete(EditOperation).where(EditOperation.community_id == cid))
        session.execute(delete(BoundaryVersion).where(BoundaryVersion.code.startswith(COMMUNITY)))
        session.execute(delete(CodeLineage).where(CodeLineage.old_code.startswith(COMMUNITY)))
        session.execute(delete(Enterprise).where(Enterprise.grid_id.in_(grid_ids)))
        session.execute(delete(Grid).where(Grid.community_id == cid))
        session.execute(delete(Community).where(Community.id == cid))
        session.execute(delete(Park).where(Park.code == COMMUNITY[:6]))
        session.commit()


def _edit(engine, letter_code: str, shapes, errors: list[BaseException], conflicts: list[int]):
    for n in range(ROUNDS):
        with Session(engine) as session:
            try:
                version = session.scalar(select(Grid.version).where(Grid.code == letter_code))
                request = EditRequest(op="reshape", reason="并发测试", grid=letter_code,
                                      versions={letter_code: version},
                                      geometry=shapes[n % len(shapes)])  # fmt: skip
                edit(session, request)
                session.commit()
            except Conflict:
                conflicts.append(n)
            except BaseException as exc:
                errors.append(exc)


def test_two_connections_reshaping_neighbours_keep_a_valid_partition(engine):
    _setup(engine)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Grid.name, Grid.code).where(Grid.code.startswith(COMMUNITY))
            )
            codes = {name: code for name, code in rows}
        a, b = codes["网格A"], codes["网格B"]
        errors: list[BaseException] = []
        conflicts: list[int] = []
        a_shapes = [rect(0, 0, 2.5, 2), rect(0, 0, 1.5, 2), rect(0, 0, 2, 2)]
        b_shapes = [rect(1.5, 0, 4, 1), rect(2.5, 0, 4, 1), rect(1, 0, 4, 0.5)]
        threads = [
            threading.Thread(target=_edit, args=(engine, a, a_shapes, errors, conflicts)),
            threading.Thread(target=_edit, args=(engine, b, b_shapes, errors, conflicts)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not [e for e in errors if "swallow" not in str(e) and "touches" not in str(e)]
        with Session(engine) as session:
            community = session.scalar(select(Community).where(Community.code == COMMUNITY))
            grids = session.scalars(
                select(Grid).where(Grid.community_id == community.id, Grid.valid_to.is_(None))
            ).all()
            shapes = {g.code: to_shape(g.geom) for g in grids}
            assert partition_problems(to_shape(community.geom), shapes) == []
            orphans = session.scalar(
                text("SELECT count(*) FROM enterprise e JOIN community c ON c.code = :c "
                     "WHERE e.grid_id IS NULL AND ST_Covers(c.geom, e.geom)"),
                {"c": COMMUNITY},
            )  # fmt: skip
            assert orphans == 0
            edits = session.scalar(
                select(func.count()).where(EditOperation.community_id == community.id)
            )
            assert edits + len(conflicts) + len(errors) == 2 * ROUNDS
            assert edits >= ROUNDS  # most edits went through, one after the other
    finally:
        _cleanup(engine)
