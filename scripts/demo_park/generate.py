"""The whole demo park, generated layer family by layer family, each from its own seeded stream."""

from __future__ import annotations

from dataclasses import dataclass

from demo_park.activity import Problem, Visit, make_visits
from demo_park.amenities import Parking, Shelter, make_parking, make_shelters
from demo_park.enterprises import Enterprise, make_enterprises
from demo_park.hierarchy import Hierarchy, build
from demo_park.microgrids import Micro, choose_public, make_microgrids
from demo_park.names import Brands, Phones
from demo_park.people import Person, make_staff
from demo_park.plan import make_plan
from demo_park.problems import make_problems
from demo_park.roads import Line, Segment, networks, segments
from demo_park.sites import KeySite, make_key_sites
from demo_park.space import Space
from demo_park.streets import draw, make_lines, pond_ring


@dataclass
class Demo:
    """Every layer of the demo park, before serialisation."""

    h: Hierarchy
    micros: list[Micro]
    firms: list[Enterprise]
    staff: list[Person]
    visits: list[Visit]
    problems: list[Problem]
    roads: list[Segment]
    networks: list[Line]
    key_sites: list[KeySite]
    parking: list[Parking]
    shelters: list[Shelter]
    public: dict[int, str]


def generate() -> Demo:
    """Build the park: plan, streets, hierarchy, micro-grids, firms, people and the rest."""
    plan = make_plan()
    lines = make_lines()
    graph, bends = draw(plan, lines)
    h = build(graph, plan, pond_ring(graph, lines, plan))
    public = choose_public(h)
    brands, phones = Brands(), Phones()
    micros = make_microgrids(h, brands)
    firms = make_enterprises(h, micros, bends, brands, phones)
    staff = make_staff(h, firms, phones)
    visits = make_visits(h, firms, staff)
    problems = make_problems(firms, visits, staff)
    roads = segments(graph)
    space = Space(h, micros)
    shelters = make_shelters(h, space, public)
    key_sites = make_key_sites(h, space, firms, micros, public, brands)
    parking = make_parking(h, space, firms, public)
    return Demo(
        h,
        micros,
        firms,
        staff,
        visits,
        problems,
        roads,
        networks(graph, roads),
        key_sites,
        parking,
        shelters,
        public,
    )
