"""Hazards (S6.5) and who and what they affect.

A hazard has a *core* (impassable) and a *zone* (to evacuate). It is drawn on the map, or made
around a key site: circles whose radii come from the scenario (gas leak, chemical fire, …)
scaled by the site's hazard class. The radii are gridmap's defaults, to be set locally
(`GRIDMAP_HAZARD_RADII`, `GRIDMAP_HAZARD_CLASS_FACTORS`); the standard gives no figures.

The affected report lists what lies in the zone: enterprises with their day and night head
counts, key sites, infrastructure segments (with the length inside, e.g. gas lines to shut),
parking zones, and shelters that fall inside (unusable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from geoalchemy2 import Geometry
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from geo.errors import InvalidGeometry, InvalidInput, NotFound
from geo.models import Enterprise, Hazard, KeySite, Network, ParkingZone, Shelter
from geo.vocab import HAZARD_SCENARIOS, TIMES_OF_DAY

# (core, zone) radius in metres per scenario, for a key site of hazard class "medium"
RADII: dict[str, tuple[float, float]] = {
    "gas_leak": (50.0, 300.0),
    "chemical_fire": (100.0, 500.0),
    "explosion": (200.0, 800.0),
    "toxic_release": (150.0, 1000.0),
    "flood": (30.0, 200.0),
    "other": (50.0, 300.0),
}
CLASS_FACTORS: dict[str, float] = {"major": 2.0, "high": 1.5, "medium": 1.0, "low": 0.6}


def _checked(scenario: str, time_of_day: str) -> None:
    if scenario not in HAZARD_SCENARIOS:
        raise InvalidInput(
            f"未知情景 {scenario!r}，可选：{', '.join(HAZARD_SCENARIOS)} (unknown scenario)"
        )
    if time_of_day not in TIMES_OF_DAY:
        raise InvalidInput("时段应为 day 或 night (time_of_day must be day or night)")


def _multi(geom: BaseGeometry, what: str) -> Any:
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon) or geom.is_empty or not geom.is_valid:
        raise InvalidGeometry(f"{what}必须是有效的面 ({what} must be a valid polygon)")
    return from_shape(geom, 4326)


def _circle(center: Any, metres: float) -> Any:
    """A circle of `metres` around a geometry, on the ellipsoid, as a MultiPolygon."""
    ring = cast(func.ST_Buffer(func.geography(center), metres, 32), Geometry(srid=4326))
    return func.ST_Multi(ring)


def hazard_at_site(
    session: Session,
    site_code: str,
    *,
    scenario: str,
    time_of_day: str = "day",
    name: str | None = None,
    user_id: int | None = None,
    radii: dict[str, tuple[float, float]] | None = None,
    factors: dict[str, float] | None = None,
) -> Hazard:
    """A hazard around the key site `site_code`: radii by scenario × the site's hazard class."""
    _checked(scenario, time_of_day)
    site = session.scalar(select(KeySite).where(KeySite.code == site_code))
    if site is None:
        raise NotFound(f"没有重点场所 {site_code} (no key site {site_code})")
    core_m, zone_m = (radii or RADII)[scenario]
    factor = (factors or CLASS_FACTORS).get(site.hazard_class, 1.0)
    at_site = KeySite.id == site.id
    hazard = Hazard(
        name=name or f"{site.name} · {HAZARD_SCENARIOS[scenario][0]}",
        scenario=scenario,
        key_site_id=site.id,
        time_of_day=time_of_day,
        created_by=user_id,
        core=session.scalar(select(_circle(KeySite.geom, core_m * factor)).where(at_site)),
        zone=session.scalar(select(_circle(KeySite.geom, zone_m * factor)).where(at_site)),
    )
    session.add(hazard)
    session.flush()
    return hazard


def drawn_hazard(
    session: Session,
    *,
    name: str,
    scenario: str,
    zone: BaseGeometry,
    core: BaseGeometry | None = None,
    time_of_day: str = "day",
    user_id: int | None = None,
) -> Hazard:
    """A hazard drawn on the map; without a core, the core is the zone's inner third (by
    area), around its centre."""
    _checked(scenario, time_of_day)
    zone_value = _multi(zone, "危险区域")
    if core is None:
        core = zone.buffer(-(zone.area**0.5) * 0.2)
        if core.is_empty:
            core = zone.centroid.buffer((zone.area**0.5) * 0.1).intersection(zone)
    if not core.within(zone.buffer(1e-9)):
        raise InvalidGeometry("核心区必须位于危险区域内 (the core must lie inside the zone)")
    hazard = Hazard(name=name.strip() or "危险区域", scenario=scenario, time_of_day=time_of_day,
                    created_by=user_id, core=_multi(core, "核心区"), zone=zone_value)  # fmt: skip
    session.add(hazard)
    session.flush()
    return hazard


@dataclass
class Affected:
    """What a hazard's zone holds (lists of plain dicts, ready for JSON), and totals."""

    enterprises: list[dict[str, Any]] = field(default_factory=list)
    key_sites: list[dict[str, Any]] = field(default_factory=list)
    networks: list[dict[str, Any]] = field(default_factory=list)
    parking_zones: list[dict[str, Any]] = field(default_factory=list)
    shelters_unusable: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def affected(session: Session, hazard_id: int) -> Affected:
    """Everything in the hazard's zone, and the people to evacuate at its time of day."""
    hazard = session.get(Hazard, hazard_id)
    if hazard is None:
        raise NotFound(f"没有编号为 {hazard_id} 的危险区域 (no hazard {hazard_id})")
    zone, core = hazard.zone, hazard.core
    report = Affected()
    e = Enterprise
    for uscc, name, day, night, in_core in session.execute(
        select(e.uscc, e.name, e.employees_day, e.employees_night, func.ST_Intersects(e.geom, core))
        .where(func.ST_Intersects(e.geom, zone), e.status.not_in(("closed", "relocated")))
        .order_by(e.name)
    ):  # fmt: skip
        report.enterprises.append({"uscc": uscc, "name": name, "employees_day": day,
                                   "employees_night": night, "in_core": in_core})  # fmt: skip
    for code, name, category, hazard_class in session.execute(
        select(KeySite.code, KeySite.name, KeySite.category, KeySite.hazard_class)
        .where(func.ST_Intersects(KeySite.geom, zone)).order_by(KeySite.code)
    ):  # fmt: skip
        report.key_sites.append({"code": code, "name": name, "category": category,
                                 "hazard_class": hazard_class})  # fmt: skip
    inside = cast(func.ST_Length(func.geography(func.ST_Intersection(Network.geom, zone))), Float)
    for code, kind, name, metres in session.execute(
        select(Network.code, Network.kind, Network.name, inside)
        .where(func.ST_Intersects(Network.geom, zone)).order_by(Network.kind, Network.code)
    ):  # fmt: skip
        report.networks.append({"code": code, "kind": kind, "name": name,
                                "length_in_zone_m": round(metres, 1)})  # fmt: skip
    for code, name, capacity in session.execute(
        select(ParkingZone.code, ParkingZone.name, ParkingZone.capacity)
        .where(func.ST_Intersects(ParkingZone.geom, zone)).order_by(ParkingZone.code)
    ):  # fmt: skip
        report.parking_zones.append({"code": code, "name": name, "capacity": capacity})
    for code, name, places in session.execute(
        select(Shelter.code, Shelter.name, Shelter.capacity)
        .where(func.ST_Intersects(Shelter.geom, zone)).order_by(Shelter.code)
    ):  # fmt: skip
        report.shelters_unusable.append({"code": code, "name": name, "capacity": places})
    key = "employees_day" if hazard.time_of_day == "day" else "employees_night"
    report.totals = {
        "time_of_day": hazard.time_of_day,
        "enterprises": len(report.enterprises),
        "people": sum(item[key] or 0 for item in report.enterprises),
        "people_day": sum(item["employees_day"] or 0 for item in report.enterprises),
        "people_night": sum(item["employees_night"] or 0 for item in report.enterprises),
        "key_sites": len(report.key_sites),
        "network_m": {
            kind: round(sum(n["length_in_zone_m"] for n in report.networks if n["kind"] == kind), 1)
            for kind in sorted({n["kind"] for n in report.networks})
        },
        "parking_zones": len(report.parking_zones),
        "shelters_unusable": len(report.shelters_unusable),
    }
    return report


def hazard_sites(session: Session) -> list[dict[str, Any]]:
    """Key sites to pick a hazard from: code, name, category, hazard class and a point
    (lon, lat) on the site, by code."""
    where = func.ST_PointOnSurface(KeySite.geom)
    rows = session.execute(
        select(KeySite.code, KeySite.name, KeySite.category, KeySite.hazard_class,
               func.ST_X(where), func.ST_Y(where)).order_by(KeySite.code)
    ).all()  # fmt: skip
    return [{"code": code, "name": name, "category": category, "hazard_class": hazard_class,
             "lon": round(lon, 7), "lat": round(lat, 7)}
            for code, name, category, hazard_class, lon, lat in rows]  # fmt: skip
