"""Grid staff in every role of the standard and their duties (staff_assignment) per grid."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from demo_park.enterprises import Enterprise
from demo_park.frame import lonlat, rng
from demo_park.hierarchy import Hierarchy, Unit
from demo_park.names import Phones, person

FIRMS_PER_MEMBER = 50
HANDOVER = "2026-07-01"  # two full-time members left; their successors start this day
DEPARTMENTS = ["园区应急管理局", "园区市场监督管理局", "园区生态环境局", "园区消防救援大队"]
DEPARTMENTS += ["园区人力资源和社会保障局", "园区税务局", "园区经济发展委员会", "园区公安分局"]


@dataclass
class Duty:
    """One staff_assignment row."""

    grid_code: str
    role: str
    since: str
    until: str | None = None


@dataclass
class Person:
    """One staff row, keyed by staff_no, with its duties."""

    staff_no: str
    name: str
    phone: str
    role: str
    community_code: str
    employer: str
    ll: tuple[float, float] = (0.0, 0.0)
    active: bool = True
    duties: list[Duty] = field(default_factory=list)


def _date(rnd: random.Random, first_year: int = 2023) -> str:
    year = rnd.randint(first_year, 2026)
    month = rnd.randint(1, 4 if year == 2026 else 12)
    return f"{year}-{month:02d}-{rnd.choice([1, 1, 1, 15]):02d}"


class Roster:
    """Builds the staff list, numbering each person S0001, S0002, ..."""

    def __init__(self, h: Hierarchy, phones: Phones) -> None:
        self.people: list[Person] = []
        self.rnd = rng("staff")
        self.phones = phones
        self.offices = {c.code: _office(h, c) for c in h.communities}
        self.posts = {g.code: _inside(g.metric) for g in h.grids}

    def add(
        self, role: str, community: Unit, employer: str, where: tuple[float, float], name: str = ""
    ) -> Person:
        """A new person in a role of a community, placed at their office (lon/lat)."""
        staff_no = f"S{len(self.people) + 1:04d}"
        name = name or person(self.rnd)
        phone = self.phones.next(self.rnd)
        who = Person(staff_no, name, phone, role, community.code, employer, where)
        self.people.append(who)
        return who


def _inside(area: BaseGeometry) -> tuple[float, float]:
    spot = area.representative_point()
    return lonlat(spot.x, spot.y)


def _office(h: Hierarchy, community: Unit) -> tuple[float, float]:
    """A community's office: in its first public block (a neighbourhood centre) if it has one."""
    public = [
        f for f in h.faces if f.use == "public" and h.grid_of_face(f).parent == community.code
    ]
    return _inside(public[0].metric if public else community.metric)


def _chunks(grids: list[Unit], parts: int) -> list[list[Unit]]:
    size = math.ceil(len(grids) / parts)
    return [grids[k : k + size] for k in range(0, len(grids), size)]


def _committee(roster: Roster, community: Unit, grids: list[Unit]) -> None:
    """Party secretary (all grids of the community) and three members (a share each)."""
    office = f"{community.name}党委"
    where = roster.offices[community.code]
    secretary = roster.add("party_secretary", community, office, where, community.leader)
    secretary.duties = [Duty(g.code, "party_secretary", "2024-01-01") for g in grids]
    for share in _chunks(grids, 3):
        member = roster.add("party_member", community, office, where)
        since = _date(roster.rnd)
        member.duties = [Duty(g.code, "party_member", since) for g in share]


def _grid_team(roster: Roster, community: Unit, grid: Unit, firms: list[Enterprise]) -> None:
    """The grid leader and the full-time members (one per about 50 enterprises)."""
    station = f"{community.name}工作站"
    post = roster.posts[grid.code]
    leader = roster.add("grid_leader", community, station, post)
    leader.duties = [Duty(grid.code, "grid_leader", _date(roster.rnd))]
    for _ in range(max(1, round(len(firms) / FIRMS_PER_MEMBER))):
        member = roster.add("full_time", community, station, post)
        member.duties = [Duty(grid.code, "full_time", _date(roster.rnd))]


def _instructors(roster: Roster, community: Unit, grids: list[Unit]) -> None:
    """Grid instructors sent down from park departments, about one per four grids."""
    for share in _chunks(grids, math.ceil(len(grids) / 4)):
        department = roster.rnd.choice(DEPARTMENTS)
        who = roster.add("instructor", community, department, roster.offices[community.code])
        since = _date(roster.rnd, 2025)
        who.duties = [Duty(g.code, "instructor", since) for g in share]


def _part_timers(roster: Roster, h: Hierarchy, firms: list[Enterprise]) -> None:
    """Part-time members working in an enterprise of their grid (about two grids in three)."""
    grids = roster.rnd.sample(h.grids, k=round(len(h.grids) * 2 / 3))
    for grid in sorted(grids, key=lambda g: g.code):
        hosts = [f for f in firms if f.grid_code == grid.code and f.status == "operating"]
        host = roster.rnd.choice(hosts)
        community = next(c for c in h.communities if c.code == grid.parent)
        who = roster.add("part_time", community, host.name, host.ll)
        who.duties = [Duty(grid.code, "part_time", _date(roster.rnd, 2025))]


def _handovers(roster: Roster, h: Hierarchy) -> None:
    """Two full-time members who left on 2026-06-30, replaced by a colleague from 07-01."""
    members = [p for p in roster.people if p.role == "full_time"]
    for successor in roster.rnd.sample(members, k=2):
        grid_code = successor.duties[0].grid_code
        community = next(c for c in h.communities if c.code == successor.community_code)
        station, post = f"{community.name}工作站", roster.posts[grid_code]
        former = roster.add("full_time", community, station, post)
        former.active = False
        former.duties = [Duty(grid_code, "full_time", "2024-03-01", "2026-06-30")]
        successor.duties[0].since = HANDOVER


def make_staff(h: Hierarchy, firms: list[Enterprise], phones: Phones) -> list[Person]:
    """Everyone in the grid workforce, in staff_no order."""
    roster = Roster(h, phones)
    for community in h.communities:
        grids = [g for g in h.grids if g.parent == community.code]
        _committee(roster, community, grids)
        for grid in grids:
            _grid_team(roster, community, grid, [f for f in firms if f.grid_code == grid.code])
        _instructors(roster, community, grids)
    _part_timers(roster, h, firms)
    _handovers(roster, h)
    return roster.people


def members_of(staff: list[Person], grid_code: str, role: str) -> list[Person]:
    """The staff holding `role` in a grid (current and former)."""
    return [p for p in staff for d in p.duties if d.grid_code == grid_code and d.role == role]
