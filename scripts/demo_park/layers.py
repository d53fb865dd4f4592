"""The demo's layers as files: properties named as the model's columns, natural keys for links.

Foreign keys are natural keys (community_code, grid_code, microgrid_code, uscc, staff_no), and
every row has its own natural key (code, uscc or staff_no; a visit's is uscc + visited_at), so
a re-import updates rather than duplicates. Codes of facilities start with the park's code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shapely.geometry import LineString, Point

from demo_park.activity import iso
from demo_park.generate import Demo
from demo_park.hierarchy import PARK_CODE
from demo_park.output import csv_text, geojson_text, wkt

VALID_FROM = "2026-01-01T00:00:00+08:00"
Rows = Iterator[tuple[dict[str, Any], Any]]


def _park(d: Demo) -> Rows:
    p = d.h.park
    yield dict(code=p.code, name=p.name, party_org=p.party_org, leader=p.leader), p.geom


def _communities(d: Demo) -> Rows:
    for c in d.h.communities:
        props: dict[str, Any] = dict(code=c.code, name=c.name, park_code=c.parent)
        yield props | dict(party_org=c.party_org, leader=c.leader), c.geom


def _grids(d: Demo) -> Rows:
    for g in d.h.grids:
        props: dict[str, Any] = dict(code=g.code, name=g.name, kind=g.kind, community_code=g.parent)
        yield props | dict(valid_from=VALID_FROM, version=1), g.geom


def _micros(d: Demo) -> Rows:
    for m in d.micros:
        props: dict[str, Any] = dict(code=m.code, name=m.name, kind=m.kind, grid_code=m.grid_code)
        yield props | dict(valid_from=VALID_FROM, version=1), m.geom


def _firms(d: Demo) -> Rows:
    """Enterprises; grid_code/microgrid_code are the expected assignment (DESIGN §4)."""
    for f in d.firms:
        props: dict[str, Any] = dict(uscc=f.uscc, name=f.name, industry=f.industry)
        props |= dict(industry_detail=f.industry_detail, size_class=f.size_class)
        props |= dict(employees_day=f.employees_day, employees_night=f.employees_night)
        props |= dict(address=f.address, contact_name=f.contact_name)
        props |= dict(contact_phone=f.contact_phone, status=f.status, coord_source="wgs84")
        props |= dict(grid_code=f.grid_code, microgrid_code=f.microgrid_code)
        props["compound_wkt"] = wkt(f.compound.geom) if f.compound else None
        yield props, Point(f.ll)


def _staff(d: Demo) -> Rows:
    for p in d.staff:
        props: dict[str, Any] = dict(staff_no=p.staff_no, name=p.name, phone=p.phone, role=p.role)
        props |= dict(community_code=p.community_code, employer=p.employer, active=p.active)
        yield props, Point(p.ll)


def _visits(d: Demo) -> Rows:
    """Visits; check_result and distance_m are what the server should find."""
    for v in d.visits:
        props: dict[str, Any] = dict(uscc=v.uscc, staff_no=v.staff_no, visited_at=iso(v.visited_at))
        props |= dict(notes=v.notes, check_result=v.check_result, distance_m=v.distance_m)
        yield props, (Point(v.ll) if v.ll else None)


def _problems(d: Demo) -> Rows:
    per_day: dict[str, int] = {}
    for p in d.problems:
        day = p.reported_at.strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        props: dict[str, Any] = dict(code=f"{PARK_CODE}-PR{day}{per_day[day]:03d}", uscc=p.uscc)
        props |= dict(category=p.category, title=p.title, description=p.description)
        props |= dict(status=p.status, handler_level=p.handler_level)
        props |= dict(reported_at=iso(p.reported_at), due_date=p.due_date.isoformat())
        props["resolved_at"] = iso(p.resolved_at) if p.resolved_at else None
        props["history"] = p.history
        yield props, Point(p.ll)


def _key_sites(d: Demo) -> Rows:
    for n, s in enumerate(d.key_sites, start=1):
        props: dict[str, Any] = dict(
            code=f"{PARK_CODE}-KS{n:03d}", name=s.name, category=s.category
        )
        props |= dict(hazard_class=s.hazard_class, uscc=s.uscc, grid_code=s.grid_code)
        props |= dict(responsible=s.responsible, last_inspected=s.last_inspected)
        props["inspection_interval_days"] = s.inspection_interval_days
        yield props, s.geom


def _networks(d: Demo) -> Rows:
    for k, n in enumerate(d.networks, start=1):
        props: dict[str, Any] = dict(code=f"{PARK_CODE}-NW{k:05d}", kind=n.kind, name=n.name)
        yield props | dict(operator=n.operator, attributes=n.attributes), n.geom


def _roads(d: Demo) -> Rows:
    for n, s in enumerate(d.roads, start=1):
        r = s.road
        props: dict[str, Any] = dict(
            code=f"{PARK_CODE}-RD{n:04d}", name=r.name, road_class=r.road_class
        )
        props |= dict(lanes=r.lanes, width_m=r.width_m, speed_kmh=r.speed_kmh, oneway=s.oneway)
        yield props, LineString([d.h.graph.ll[node] for node in s.nodes])


def _parking(d: Demo) -> Rows:
    for n, p in enumerate(d.parking, start=1):
        props: dict[str, Any] = dict(code=f"{PARK_CODE}-PK{n:03d}", name=p.name, kind=p.kind)
        yield props | dict(capacity=p.capacity, grid_code=p.grid_code), p.geom


def _shelters(d: Demo) -> Rows:
    for n, s in enumerate(d.shelters, start=1):
        props: dict[str, Any] = dict(code=f"{PARK_CODE}-SH{n:03d}", name=s.name, kind=s.kind)
        props |= dict(capacity=s.capacity, effective_area_m2=s.effective_area_m2)
        yield props | dict(address=s.address, area_wkt=wkt(s.area)), s.geom


GEOJSON = {
    "park": _park,
    "community": _communities,
    "grid": _grids,
    "microgrid": _micros,
    "enterprise": _firms,
    "staff": _staff,
    "visit": _visits,
    "problem": _problems,
    "key_site": _key_sites,
    "network": _networks,
    "road": _roads,
    "parking_zone": _parking,
    "shelter": _shelters,
}


def files(d: Demo) -> dict[str, str]:
    """File name → text, for every layer."""
    out = {f"{name}.geojson": geojson_text(name, rows(d)) for name, rows in GEOJSON.items()}
    duties = [
        (p.staff_no, duty.grid_code, duty.role, duty.since, duty.until)
        for p in d.staff
        for duty in p.duties
    ]
    header = ["staff_no", "grid_code", "role", "since", "until"]
    out["staff_assignment.csv"] = csv_text(header, duties)
    return out
