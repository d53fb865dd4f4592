"""A saved evacuation plan as the map and the printed plan show it: hazard zone and core, the
road pieces used with their peak load, shelters with their fill, enterprises with their people
(routed and left behind), and the schedule per enterprise (shelter, route length, departures).

The saved `evacuation_plan.routes` MultiLineString holds the used road pieces in ascending
graph-edge order (planner `_used_pieces`), so piece *i* is the *i*-th smallest edge index that
the plan's groups use; that is how each piece gets its peak load back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from geoalchemy2.shape import to_shape
from pyproj import Geod
from shapely.geometry import mapping
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.errors import NotFound
from geo.models import Enterprise, EvacuationPlan, Hazard, KeySite, Shelter

Feature = dict[str, Any]
WGS84 = Geod(ellps="WGS84")


def _collection(features: list[Feature]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: str | None, properties: dict[str, Any]) -> Feature:
    return {"type": "Feature", "geometry": json.loads(geometry) if geometry else None,
            "properties": properties}  # fmt: skip


def read_plan_row(session: Session, plan_id: int) -> EvacuationPlan:
    """The saved plan `plan_id` (NotFound when there is none)."""
    row = session.get(EvacuationPlan, plan_id)
    if row is None:
        raise NotFound(f"没有编号为 {plan_id} 的疏散预案 (no plan {plan_id})")
    return row


def _pieces(plan: EvacuationPlan) -> list[tuple[str, float]]:
    """The saved route pieces in order: (GeoJSON, length in metres on the ellipsoid)."""
    if plan.routes is None:
        return []
    lines = to_shape(plan.routes)
    return [(json.dumps(mapping(line)), abs(WGS84.geometry_length(line))) for line in lines.geoms]


def _route_layer(
    result: dict[str, Any], pieces: list[tuple[str, float]]
) -> tuple[list[Feature], dict[int, float]]:
    """Road pieces with their peak load, and each edge's length (metres)."""
    used = sorted({e for g in result.get("groups", []) for e in g["edges"]})
    if len(used) != len(pieces):  # an older plan saved differently: no per-edge figures
        return [_feature(geo, {"peak": None, "capacity": None, "ratio": None})
                for geo, _m in pieces], {}  # fmt: skip
    peaks = {p["edge"]: p for p in result.get("edges", [])}
    people: dict[int, int] = defaultdict(int)
    for g in result.get("groups", []):
        for e in g["edges"]:
            people[e] += g["people"]
    features, lengths = [], {}
    for edge, (geo, metres) in zip(used, pieces, strict=True):
        peak = peaks.get(edge, {"peak": 0, "capacity": 0, "road_id": None})
        ratio = peak["peak"] / peak["capacity"] if peak["capacity"] else None
        features.append(_feature(geo, {"edge": edge, "road_id": peak["road_id"],
                                       "peak": peak["peak"], "capacity": peak["capacity"],
                                       "ratio": ratio, "people": people[edge],
                                       "length_m": round(metres, 1)}))  # fmt: skip
        lengths[edge] = metres
    return features, lengths


def _shelter_layer(session: Session, result: dict[str, Any]) -> list[Feature]:
    loads = {s["shelter_id"]: s for s in result.get("shelters", [])}
    if not loads:
        return []
    rows = session.execute(
        select(Shelter.id, Shelter.code, Shelter.name, func.ST_AsGeoJSON(Shelter.geom, 6))
        .where(Shelter.id.in_(loads)).order_by(Shelter.code)
    ).all()  # fmt: skip
    out = []
    for sid, code, name, geo in rows:
        s = loads[sid]
        fill = s["load"] / s["capacity"] if s["capacity"] else None
        out.append(_feature(geo, {"id": sid, "code": code, "name": name, "load": s["load"],
                                  "capacity": s["capacity"], "fill": fill}))  # fmt: skip
    return out


def _enterprises(session: Session, ids: set[int]) -> dict[int, tuple[str, str, str]]:
    """id -> (USCC, name, point GeoJSON)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Enterprise.id, Enterprise.uscc, Enterprise.name,
               func.ST_AsGeoJSON(Enterprise.geom, 6)).where(Enterprise.id.in_(ids))
    ).all()  # fmt: skip
    return {eid: (uscc, name, geo) for eid, uscc, name, geo in rows}


def _schedule(
    result: dict[str, Any], lengths: dict[int, float], names: dict[int, str]
) -> list[dict[str, Any]]:
    """Per enterprise and shelter: people, route length and departure groups, by enterprise."""
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for g in result.get("groups", []):
        key = (g["enterprise_id"], g["shelter_id"])
        row = rows.setdefault(key, {"enterprise_id": key[0], "shelter_id": key[1],
                                    "shelter": names.get(key[1], str(key[1])), "people": 0,
                                    "route_m": None, "groups": []})  # fmt: skip
        row["people"] += g["people"]
        if lengths and all(e in lengths for e in g["edges"]):
            metres = round(sum(lengths[e] for e in g["edges"]))
            row["route_m"] = metres if row["route_m"] is None else max(row["route_m"], metres)
        row["groups"].append({"people": g["people"], "depart_min": g["depart_min"],
                              "arrive_min": g["arrive_min"]})  # fmt: skip
    return sorted(rows.values(), key=lambda r: (r["enterprise_id"], r["shelter_id"]))


def plan_map(session: Session, plan_id: int) -> dict[str, Any]:
    """Everything the emergency map and the printed plan draw for one saved plan."""
    plan = read_plan_row(session, plan_id)
    hazard = session.get(Hazard, plan.hazard_id)
    assert hazard is not None  # evacuation_plan.hazard_id is a foreign key
    core, zone = session.execute(
        select(func.ST_AsGeoJSON(Hazard.core, 6), func.ST_AsGeoJSON(Hazard.zone, 6))
        .where(Hazard.id == hazard.id)
    ).one()  # fmt: skip
    result = plan.result or {}
    routes, lengths = _route_layer(result, _pieces(plan))
    shelters = _shelter_layer(session, result)
    names = {f["properties"]["id"]: f["properties"]["name"] for f in shelters}
    schedule = _schedule(result, lengths, names)
    left = result.get("left_behind", [])
    ents = _enterprises(session, {r["enterprise_id"] for r in schedule}
                        | {u["enterprise_id"] for u in left})  # fmt: skip
    routed: dict[int, int] = defaultdict(int)
    for r in schedule:
        routed[r["enterprise_id"]] += r["people"]
        r["uscc"], r["name"] = ents.get(r["enterprise_id"], ("", "", ""))[:2]
    unplaced: dict[int, int] = defaultdict(int)
    for u in left:
        unplaced[u["enterprise_id"]] += u["people"]
    for u in left:
        u["uscc"] = ents.get(u["enterprise_id"], ("",))[0]
    enterprises = [
        _feature(geo, {"id": eid, "uscc": uscc, "name": name, "routed": routed[eid],
                       "unplaced": unplaced[eid]})
        for eid, (uscc, name, geo) in sorted(ents.items())
    ]  # fmt: skip
    site = session.get(KeySite, hazard.key_site_id) if hazard.key_site_id else None
    return {
        "plan": {"id": plan.id, "name": plan.name, "hazard_id": plan.hazard_id,
                 "created_at": plan.created_at.isoformat(), "evacuees": plan.evacuees,
                 "unplaced": plan.unplaced, "ete90_min": plan.ete90_min,
                 "ete100_min": plan.ete100_min, "parameters": plan.parameters},
        "hazard": {"id": hazard.id, "name": hazard.name, "scenario": hazard.scenario,
                   "time_of_day": hazard.time_of_day,
                   "key_site": {"code": site.code, "name": site.name} if site else None,
                   "core": json.loads(core), "zone": json.loads(zone)},
        "routes": _collection(routes),
        "shelters": _collection(shelters),
        "enterprises": _collection(enterprises),
        "schedule": schedule,
        "left_behind": left,
    }  # fmt: skip
