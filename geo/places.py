"""Places of the hierarchy by code: the names behind the codes of a report, and the community
list that pages offer as a filter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.hierarchy import Violation
from geo.models import Community, Grid, Microgrid, Park

LAYER_MODELS: dict[str, Any] = {
    "park": Park,
    "community": Community,
    "grid": Grid,
    "microgrid": Microgrid,
}

# hierarchy violation kind → (layer of its `code`, layer of its `other_code`, if any)
VIOLATION_PLACES: dict[str, tuple[str, str | None]] = {
    "grid_overlap": ("grid", "grid"),
    "grid_gap": ("community", None),
    "grid_outside_community": ("grid", "community"),
    "microgrid_outside_grid": ("microgrid", "grid"),
    "microgrid_overlap": ("microgrid", "microgrid"),
    "community_outside_park": ("community", "park"),
}


@dataclass(frozen=True)
class Place:
    """A community (or any place) as a filter offers it: code and name."""

    code: str
    name: str


def place_names(
    session: Session, *, codes: Mapping[str, Iterable[str]]
) -> dict[str, dict[str, str]]:
    """Names by layer and code, for the codes asked per layer (unknown codes are left out)."""
    names: dict[str, dict[str, str]] = {}
    for layer, wanted in codes.items():
        model = LAYER_MODELS[layer]
        listed = sorted(set(wanted))
        rows = (
            session.execute(select(model.code, model.name).where(model.code.in_(listed))).all()
            if listed
            else []
        )
        names[layer] = {code: name for code, name in rows}
    return names


def list_communities(session: Session) -> list[Place]:
    """Every community, by code."""
    rows = session.execute(select(Community.code, Community.name).order_by(Community.code)).all()
    return [Place(code, name) for code, name in rows]


def community_of_grids(session: Session, *, grid_ids: Iterable[int]) -> str | None:
    """The code of the first community (by code) holding one of `grid_ids`: where a grid
    leader's or member's own grids are; None without grids."""
    ids = sorted(grid_ids)
    if not ids:
        return None
    stmt = (
        select(Community.code)
        .join(Grid, Grid.community_id == Community.id)
        .where(Grid.id.in_(ids))
        .order_by(Community.code)
        .limit(1)
    )
    code: str | None = session.scalar(stmt)
    return code


def violation_names(
    session: Session, violations: Sequence[Violation]
) -> list[tuple[str | None, str | None]]:
    """The names of the places each violation names: (of `code`, of `other_code`)."""
    wanted: dict[str, set[str]] = {layer: set() for layer in LAYER_MODELS}
    for v in violations:
        layer, other_layer = VIOLATION_PLACES[v.kind]
        wanted[layer].add(v.code)
        if other_layer and v.other_code:
            wanted[other_layer].add(v.other_code)
    names = place_names(session, codes=wanted)
    found: list[tuple[str | None, str | None]] = []
    for v in violations:
        layer, other_layer = VIOLATION_PLACES[v.kind]
        other = names[other_layer].get(v.other_code or "") if other_layer else None
        found.append((names[layer].get(v.code), other))
    return found
