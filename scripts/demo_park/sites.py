"""Key sites (重点场所): hazardous chemicals stores, crowded places, rentals, building sites,
fire-safety key units and others, with their inspection regime."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from demo_park.enterprises import Enterprise
from demo_park.frame import rng, to_lonlat
from demo_park.hierarchy import Hierarchy
from demo_park.microgrids import Micro
from demo_park.names import Brands, person
from demo_park.space import Space

CHEMICAL_GROUPS = ("C26", "C27", "C39")
STORES = ["甲类仓库", "危化品仓库", "特种气体站", "溶剂储罐区", "化学品库"]
HAZCHEM_CLASSES = ["major"] * 2 + ["high"] * 5 + ["medium"] * 5
INTERVALS = {
    "hazardous_chemicals": 30,
    "crowded_place": 90,
    "rental_housing": 90,
    "construction_site": 14,
    "fire_key_unit": 90,
    "other": 180,
}
TODAY = date(2026, 10, 31)


@dataclass
class KeySite:
    """One key site row; geometry in lon/lat (point or polygon)."""

    name: str
    category: str
    hazard_class: str
    uscc: str | None
    grid_code: str
    responsible: str
    last_inspected: str
    inspection_interval_days: int
    geom: BaseGeometry


class SiteMaker:
    """Creates key sites with an inspection date drawn around their interval."""

    def __init__(self, space: Space, rnd: random.Random) -> None:
        self.space, self.rnd = space, rnd
        self.out: list[KeySite] = []

    def add(
        self,
        name: str,
        category: str,
        hazard: str,
        geom: BaseGeometry,
        who: str,
        firm: Enterprise | None = None,
    ) -> None:
        """A site at a metric geometry; about one in eight is overdue for inspection."""
        interval = INTERVALS[category]
        overdue = self.rnd.random() < 0.12
        days = (
            self.rnd.randint(interval + 3, interval + 60)
            if overdue
            else self.rnd.randint(1, interval - 1)
        )
        inspected = (TODAY - timedelta(days=days)).isoformat()
        grid = self.space.grid_at(geom)
        uscc = firm.uscc if firm else None
        site = KeySite(name, category, hazard, uscc, grid, who, inspected, interval, geom)
        site.geom = to_lonlat(geom)
        self.out.append(site)


def _store(firm: Enterprise) -> BaseGeometry:
    """A store polygon in a corner of the firm's compound, else the firm's point."""
    if firm.compound is None:
        return Point(firm.xy)
    minx, miny, _, _ = firm.compound.metric.bounds
    rect = Polygon(
        [
            (minx + 12, miny + 12),
            (minx + 52, miny + 12),
            (minx + 52, miny + 37),
            (minx + 12, miny + 37),
        ]
    )
    return rect if firm.compound.metric.contains(rect) else Point(firm.xy)


def _hazchem(sm: SiteMaker, firms: list[Enterprise]) -> None:
    chemical = [f for f in firms if f.industry_detail.startswith(CHEMICAL_GROUPS)]
    chemical = [f for f in chemical if f.status == "operating" and f.grid_code]
    ranked = sorted(chemical, key=lambda f: (f.compound is None, f.size_class != "medium", f.uscc))
    for firm, hazard in zip(ranked, HAZCHEM_CLASSES, strict=False):
        name = firm.name + sm.rnd.choice(STORES)
        sm.add(name, "hazardous_chemicals", hazard, _store(firm), firm.contact_name, firm)


def _large_firms(sm: SiteMaker, firms: list[Enterprise]) -> None:
    """Fire-safety key units and staff canteens (crowded) at the largest firms."""
    large = sorted(
        (f for f in firms if f.compound is not None and f.status == "operating"),
        key=lambda f: (-f.employees_day, f.uscc),
    )
    for firm in large[:12]:
        hazard = "high" if firm.employees_day > 2000 else "medium"
        sm.add(firm.name, "fire_key_unit", hazard, Point(firm.xy), firm.contact_name, firm)
    for firm in large[:4]:
        spot = firm.compound.metric.representative_point() if firm.compound else Point(firm.xy)
        name = firm.name + "员工食堂"
        sm.add(name, "crowded_place", "medium", spot, firm.contact_name, firm)


def _in_blocks(sm: SiteMaker, h: Hierarchy, micros: list[Micro], brands: Brands) -> None:
    """Crowded buildings, rental housing, building sites and other installations."""
    rnd = sm.rnd
    for m in rnd.sample([m for m in micros if m.kind == "building"], 4):
        sm.add(m.name, "crowded_place", "medium", m.metric.centroid, person(rnd))
    blocks = [f.index for f in h.faces if f.use not in ("public", "dedicated")]
    for k in range(10):
        rect = _spot(sm, blocks, (40, 25))
        kind = "人才公寓" if k % 2 else "员工宿舍"
        sm.add(
            brands.next(rnd) + kind,
            "rental_housing",
            rnd.choice(["low", "medium"]),
            rect.centroid,
            person(rnd),
        )
    for k in range(8):
        rect = _spot(sm, blocks, (90, 60))
        name = brands.next(rnd) + ("科创中心二期项目工地" if k % 2 else "厂房扩建工程工地")
        sm.add(name, "construction_site", rnd.choice(["medium", "high"]), rect, person(rnd))
    others = (
        [("加油站", "high")] * 2 + [("110kV变电站", "medium")] * 2 + [("污水提升泵站", "low")] * 2
    )
    for label, hazard in others:
        rect = _spot(sm, blocks, (50, 40))
        sm.add("示范园" + brands.next(rnd) + label, "other", hazard, rect.centroid, person(rnd))


def _spot(sm: SiteMaker, blocks: list[int], size: tuple[float, float]) -> Polygon:
    """A free rectangle in some block (blocks are tried at random)."""
    for _ in range(500):
        rect = sm.space.place(sm.rnd.choice(blocks), size, sm.rnd)
        if rect is not None:
            return rect
    raise AssertionError(f"no free {size} rectangle left in the blocks")


def _public(sm: SiteMaker, public: dict[int, str]) -> None:
    """Neighbourhood centres (邻里中心) in public blocks: crowded places."""
    n = 0
    for face in sorted(public):
        rect = sm.space.place(face, (60, 40), sm.rnd) if n < 4 else None
        if rect is not None:
            n += 1
            sm.add(f"示范园第{n}邻里中心", "crowded_place", "medium", rect.centroid, person(sm.rnd))


def make_key_sites(
    h: Hierarchy,
    space: Space,
    firms: list[Enterprise],
    micros: list[Micro],
    public: dict[int, str],
    brands: Brands,
) -> list[KeySite]:
    """About 60 key sites in every category."""
    sm = SiteMaker(space, rng("key-sites"))
    _hazchem(sm, firms)
    _large_firms(sm, firms)
    _in_blocks(sm, h, micros, brands)
    _public(sm, public)
    return sm.out
