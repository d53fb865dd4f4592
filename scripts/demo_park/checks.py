"""Checks run on the written files after every generation (DESIGN §3-§4 rules, vocabularies).

They read the layers back from their text, so they check what is committed, rounding included.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from demo_park.credit import KNOWN_VALID, is_valid
from demo_park.generate import Demo
from demo_park.topology_checks import (
    check_enterprise_places,
    check_microgrids,
    check_partition,
    check_roads,
)
from geo import vocab
from geo.codes import reading_order

Row = tuple[dict[str, Any], BaseGeometry | None]
AREA_TOLERANCE = 1e-12  # deg², far below one square centimetre


def parse(text: str) -> list[Row]:
    """Features of a GeoJSON text as (properties, shapely geometry or None)."""
    features = json.loads(text)["features"]
    return [(f["properties"], shape(f["geometry"]) if f["geometry"] else None) for f in features]


def check_valid(layers: dict[str, list[Row]]) -> None:
    """Every geometry valid and none empty."""
    for name, rows in layers.items():
        for props, geom in rows:
            if geom is not None:
                assert shapely.is_valid(geom), f"{name}: invalid geometry {props}"
                assert not geom.is_empty, f"{name}: empty geometry {props}"


VOCABULARIES = {
    "grid": {"kind": vocab.GRID_KINDS},
    "microgrid": {"kind": vocab.MICROGRID_KINDS},
    "enterprise": {
        "industry": vocab.INDUSTRIES,
        "size_class": vocab.SIZE_CLASSES,
        "status": vocab.ENTERPRISE_STATUS,
        "coord_source": vocab.COORD_SOURCES,
    },
    "staff": {"role": vocab.STAFF_ROLES},
    "visit": {"check_result": vocab.VISIT_CHECKS},
    "problem": {
        "category": vocab.PROBLEM_CATEGORIES,
        "status": vocab.PROBLEM_STATUS,
        "handler_level": vocab.HANDLER_LEVELS,
    },
    "key_site": {"category": vocab.KEY_SITE_CATEGORIES, "hazard_class": vocab.HAZARD_CLASSES},
    "network": {"kind": vocab.NETWORK_KINDS},
    "road": {"road_class": vocab.ROAD_CLASSES},
    "parking_zone": {"kind": vocab.PARKING_KINDS},
    "shelter": {"kind": vocab.SHELTER_KINDS},
}


def check_vocabularies(layers: dict[str, list[Row]]) -> None:
    """Every coded value is one of geo.vocab's."""
    for name, fields in VOCABULARIES.items():
        for props, _ in layers[name]:
            for field, allowed in fields.items():
                assert props[field] in allowed, f"{name}.{field} = {props[field]!r}"


def _digits(code: str, length: int, parent: str | None = None) -> None:
    assert code.isdigit() and len(code) == length, code
    assert parent is None or code.startswith(parent), (code, parent)


def check_codes(layers: dict[str, list[Row]]) -> None:
    """Code lengths and nesting, uniqueness, and valid unique USCCs."""
    park = layers["park"][0][0]["code"]
    assert park.isdigit() and 6 <= len(park) <= 12
    for props, _ in layers["community"]:
        _digits(props["code"], 12, park)
    for props, _ in layers["grid"]:
        _digits(props["code"], 15, props["community_code"])
    for props, _ in layers["microgrid"]:
        _digits(props["code"], 18, props["grid_code"])
    for name in ("community", "grid", "microgrid"):
        codes = [p["code"] for p, _ in layers[name]]
        assert len(codes) == len(set(codes)), f"duplicate {name} codes"
    assert is_valid(KNOWN_VALID)
    usccs = [p["uscc"] for p, _ in layers["enterprise"]]
    assert all(is_valid(u) for u in usccs) and len(usccs) == len(set(usccs))


def _numbered(children: list[Row], label: str) -> None:
    """Children's last three digits run 1..n in the application's reading order."""
    order = reading_order([geom for _, geom in children])
    numbers = [int(children[k][0]["code"][-3:]) for k in order]
    assert numbers == list(range(1, len(children) + 1)), f"{label} numbered {numbers}"


def check_numbering(layers: dict[str, list[Row]]) -> None:
    """Communities, grids and micro-grids are numbered west→east, north→south."""
    _numbered(layers["community"], "communities")
    for key, parents, children in (
        ("community_code", "community", "grid"),
        ("grid_code", "grid", "microgrid"),
    ):
        for props, _ in layers[parents]:
            mine = [r for r in layers[children] if r[0][key] == props["code"]]
            if mine:
                _numbered(mine, props["code"])


def check_links(layers: dict[str, list[Row]], staff_csv: str) -> None:
    """Natural-key references resolve."""
    grids = {p["code"] for p, _ in layers["grid"]}
    micros = {p["code"] for p, _ in layers["microgrid"]}
    usccs = {p["uscc"] for p, _ in layers["enterprise"]}
    staff = {p["staff_no"] for p, _ in layers["staff"]}
    for props, _ in layers["enterprise"]:
        assert props["grid_code"] in grids | {None}
        assert props["microgrid_code"] in micros | {None}
    for name in ("visit", "problem"):
        assert all(p["uscc"] in usccs for p, _ in layers[name]), name
    assert all(p["staff_no"] in staff for p, _ in layers["visit"])
    for row in csv.DictReader(io.StringIO(staff_csv)):
        assert row["staff_no"] in staff and row["grid_code"] in grids, row
        assert row["role"] in vocab.STAFF_ROLES


def check_staff(layers: dict[str, list[Row]], staff_csv: str) -> None:
    """Every role present; one party secretary per community; a leader and members per grid."""
    roles = Counter(p["role"] for p, _ in layers["staff"])
    assert set(roles) == set(vocab.STAFF_ROLES), roles
    assert roles["party_secretary"] == len(layers["community"])
    duties = [r for r in csv.DictReader(io.StringIO(staff_csv)) if not r["until"]]
    for props, _ in layers["grid"]:
        mine = Counter(r["role"] for r in duties if r["grid_code"] == props["code"])
        assert mine["grid_leader"] == 1 and mine["full_time"] >= 1, (props["code"], mine)


def check_activity(demo: Demo, layers: dict[str, list[Row]]) -> None:
    """Visits in the window and office hours, flagged ones far; problem dates consistent."""
    for v in demo.visits:
        assert v.visited_at.weekday() < 5 and 9 <= v.visited_at.hour < 18
        assert v.visited_at.isoformat() >= "2026-05-01" and v.visited_at.month <= 10
        if v.check_result == "flagged":
            assert v.distance_m is not None and v.distance_m > 150
        if v.check_result == "verified":
            assert v.distance_m is not None and v.distance_m <= 60
    for props, _ in layers["problem"]:
        done = props["status"] in ("resolved", "closed")
        assert (props["resolved_at"] is not None) == done, props
        assert props["due_date"] >= props["reported_at"][:10]


def check_facilities(layers: dict[str, list[Row]]) -> None:
    """Shelter capacity rule and area, positive parking capacities, key-site mix."""
    for props, point in layers["shelter"]:
        assert props["capacity"] == int(props["effective_area_m2"] // 1.5), props
        area = shapely.from_wkt(props["area_wkt"])
        assert shapely.is_valid(area) and point is not None and area.contains(point)
    assert all(p["capacity"] > 0 for p, _ in layers["parking_zone"])
    categories = Counter(p["category"] for p, _ in layers["key_site"])
    assert set(categories) == set(vocab.KEY_SITE_CATEGORIES), categories
    assert categories["hazardous_chemicals"] >= 10


def check_all(demo: Demo, texts: dict[str, str]) -> tuple[dict[str, int], dict[str, Any]]:
    """Run every check (assertions); returns the row count of each file, and a few facts."""
    layers = {n.removesuffix(".geojson"): parse(t) for n, t in texts.items() if "geojson" in n}
    staff_csv = texts["staff_assignment.csv"]
    check_valid(layers)
    check_vocabularies(layers)
    check_codes(layers)
    check_numbering(layers)
    check_links(layers, staff_csv)
    on_roads = check_partition(layers, AREA_TOLERANCE)
    check_microgrids(layers)
    places = check_enterprise_places(layers)
    check_roads(layers)
    check_staff(layers, staff_csv)
    check_activity(demo, layers)
    check_facilities(layers)
    counts = {f"{n}.geojson": len(rows) for n, rows in layers.items()}
    counts["staff_assignment.csv"] = staff_csv.count("\n") - 1
    facts = {
        "grid boundary on road centrelines": f"{on_roads:.1%}",
        "orphan enterprises": places["orphan"],
        "enterprises on a shared grid edge": places["on_edge"],
        "visits flagged / no location": sum(v.check_result != "verified" for v in demo.visits),
    }
    return counts, facts
