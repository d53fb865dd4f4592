"""Six months of visits (2026-05-01 … 2026-10-31, Asia/Shanghai) and enterprise problems.

Most enterprises are visited monthly; a few grids lag, two are exemplary, about 3 % of firms
go unvisited for months. Visit points lie within 50 m of the firm (verified), about 3 % lie
160-400 m away (flagged), about 1 % have no location.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from demo_park.enterprises import Enterprise
from demo_park.frame import lonlat, rng
from demo_park.hierarchy import Hierarchy
from demo_park.people import Person, members_of

SHANGHAI = timezone(timedelta(hours=8))
MONTHS = [5, 6, 7, 8, 9, 10]
YEAR = 2026
END = datetime(YEAR, 10, 31, 18, 0, tzinfo=SHANGHAI)
HOLIDAYS = {date(YEAR, 5, d) for d in range(1, 6)} | {date(YEAR, 10, d) for d in range(1, 8)}
HOLIDAYS |= {date(YEAR, 6, 19), date(YEAR, 9, 25)}  # 端午, 中秋
NOTES = [
    "走访企业，了解生产经营情况，企业运行正常。",
    "宣传安全生产政策，检查消防通道及灭火器，未发现隐患。",
    "了解企业用工情况，登记招聘需求。",
    "核实企业基础信息，更新联系人及电话。",
    "企业负责人外出，与行政人员交流，留下联系方式。",
    "送达园区惠企政策汇编，讲解申报流程。",
    "检查危化品存储台账，提醒按期开展应急演练。",
    "了解企业节能降耗情况，宣传绿色工厂申报。",
    "企业反映周边停车紧张，已记录并上报。",
    "开展防汛防台安全提醒，检查排水设施。",
    "走访企业党支部，交流党建工作。",
    "了解企业出口订单情况，企业经营稳定。",
]


@dataclass
class Visit:
    """One visit row: enterprise, staff, time, notes, and where it was recorded."""

    uscc: str
    staff_no: str
    visited_at: datetime
    notes: str
    check_result: str
    distance_m: float | None
    ll: tuple[float, float] | None


@dataclass
class Problem:
    """One enterprise problem with its history."""

    uscc: str
    category: str
    title: str
    description: str
    status: str
    handler_level: str
    reported_at: datetime
    due_date: date
    resolved_at: datetime | None
    ll: tuple[float, float]
    history: list[dict[str, Any]] = field(default_factory=list)


def working_time(rnd: random.Random, month: int) -> datetime:
    """A random working moment (Mon-Fri, 09:00-17:30, no public holiday) in a month."""
    while True:
        day = date(YEAR, month, rnd.randint(1, 31 if month in (5, 7, 8, 10) else 30))
        if day.weekday() < 5 and day not in HOLIDAYS:
            minute = rnd.randrange(9 * 60, 17 * 60 + 30)
            return datetime(YEAR, month, day.day, minute // 60, minute % 60, tzinfo=SHANGHAI)


def _where(firm: Enterprise, rnd: random.Random) -> tuple[str, float | None, Any]:
    """The check result, distance and lon/lat of a visit's recorded point."""
    roll = rnd.random()
    if roll < 0.01:
        return "no_location", None, None
    far = roll < 0.04
    distance = rnd.uniform(160, 400) if far else min(50.0, abs(rnd.gauss(0, 18)))
    angle = rnd.uniform(0, 2 * math.pi)
    x, y = firm.xy[0] + distance * math.cos(angle), firm.xy[1] + distance * math.sin(angle)
    return ("flagged" if far else "verified"), round(distance, 1), lonlat(x, y)


def _visitor(staff: list[Person], firm: Enterprise, when: datetime, rnd: random.Random) -> str:
    """Mostly the firm's full-time member at that date; sometimes the leader or a part-timer."""
    grid = firm.grid_code or ""
    roll = rnd.random()
    for role, share in (("grid_leader", 0.08), ("part_time", 0.12)):
        people = members_of(staff, grid, role)
        if roll < share and people:
            return people[0].staff_no
    today = when.date().isoformat()
    on_duty = [p for p in members_of(staff, grid, "full_time") if _on_duty(p, grid, today)]
    return on_duty[int(firm.uscc[-6:], 36) % len(on_duty)].staff_no


def _on_duty(who: Person, grid_code: str, day: str) -> bool:
    return any(
        d.since <= day <= (d.until or "9999") for d in who.duties if d.grid_code == grid_code
    )


def _months_visited(firm: Enterprise, rate: float, rnd: random.Random) -> list[int]:
    if firm.status in ("closed", "relocated"):
        return [m for m in MONTHS[: rnd.randint(1, 4)] if rnd.random() < rate]
    stop = 13
    if rnd.random() < 0.03:  # neglected: no visit since some month
        stop = rnd.choice([5, 6, 7])
    factor = 0.5 if firm.status == "suspended" else 1.0
    return [
        m for m in MONTHS if m < stop and rnd.random() < rate * factor * (0.9 if m == 10 else 1)
    ]


def grid_rates(h: Hierarchy, rnd: random.Random) -> dict[str, float]:
    """Monthly visit probability per grid: four lagging, two exemplary, the rest good."""
    codes = [g.code for g in h.grids]
    picked = rnd.sample(codes, 6)
    rates = {c: rnd.uniform(0.9, 0.97) for c in codes}
    rates |= {c: rnd.uniform(0.55, 0.7) for c in picked[:4]}
    rates |= {c: 1.0 for c in picked[4:]}
    return rates


def make_visits(h: Hierarchy, firms: list[Enterprise], staff: list[Person]) -> list[Visit]:
    """All visits, in time order."""
    rnd = rng("visits")
    rates = grid_rates(h, rnd)
    visits = []
    for firm in firms:
        if firm.grid_code is None:
            continue
        for month in _months_visited(firm, rates[firm.grid_code], rnd):
            count = rnd.choices([1, 2, 3], weights=[88, 10, 2])[0]
            # (enterprise, time) is a visit's natural key: no two at the same minute
            times = {working_time(rnd, month) for _ in range(count)}
            for when in sorted(times):
                check, distance, ll = _where(firm, rnd)
                who = _visitor(staff, firm, when, rnd)
                visits.append(Visit(firm.uscc, who, when, rnd.choice(NOTES), check, distance, ll))
    return sorted(visits, key=lambda v: (v.visited_at, v.uscc))


def iso(moment: datetime) -> str:
    """ISO 8601 with the +08:00 offset."""
    return moment.isoformat()
