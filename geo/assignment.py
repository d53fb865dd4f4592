"""Assigning enterprises to the grid and micro-grid that cover them (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from geo.sqlfiles import sql


def assign_enterprises(session: Session, *, usccs: Sequence[str] | None = None) -> int:
    """(Re)assign the given enterprises, or all of them; returns how many rows were visited."""
    result = session.execute(
        sql("assign_enterprises"), {"usccs": list(usccs) if usccs is not None else None}
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
