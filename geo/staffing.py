"""Staffing adequacy per grid (S5.2.2): who is on duty, whom they serve, and what falls short.

S5.2.2 asks that staff numbers match the enterprises and employees of a grid but gives no
figures, so the norms are parameters (`StaffingNorms`, built by the caller from settings).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import RowMapping
from sqlalchemy.orm import Session

from geo.errors import NotFound
from geo.sqlfiles import sql
from geo.vocab import STAFF_ROLES

# kind → (中文, English)
FLAGS: dict[str, tuple[str, str]] = {
    "no_leader": ("未配备网格长", "no grid leader"),
    "understaffed_full_time": ("专职网格员不足", "too few full-time grid members"),
    "too_many_employees_per_staff": ("人均服务从业人员过多", "too many employees per staff member"),
    "too_few_part_time": ("兼职网格员不足", "too few part-time grid members"),
}


@dataclass(frozen=True)
class StaffingNorms:
    """What a grid is held to; the defaults are gridmap's own (the standard gives no number)."""

    enterprises_per_full_time: int = 50
    employees_per_staff: int = 2000
    min_part_time: int = 0


@dataclass(frozen=True)
class Flag:
    """One shortfall, with a message in Chinese then English."""

    kind: str
    message: str


@dataclass(frozen=True)
class GridStaffing:
    """A live grid's staffing figures and the flags they raise."""

    grid_code: str
    grid_name: str
    grid_kind: str
    community_code: str
    enterprises: int
    employees: int
    staff: int
    staff_by_role: dict[str, int]
    required_full_time: int
    enterprises_per_full_time: float | None
    employees_per_staff: float | None
    flags: tuple[Flag, ...]

    @property
    def flagged(self) -> bool:
        """True when any norm is missed."""
        return bool(self.flags)


def required_full_time(enterprises: int, norms: StaffingNorms) -> int:
    """Full-time grid members needed: one per `enterprises_per_full_time`, rounded up.

    >>> required_full_time(101, StaffingNorms(enterprises_per_full_time=50))
    3
    """
    return math.ceil(enterprises / norms.enterprises_per_full_time)


def assess(
    *,
    enterprises: int,
    employees: int,
    staff: int,
    by_role: Mapping[str, int],
    norms: StaffingNorms,
) -> tuple[Flag, ...]:
    """The flags raised by a grid with these figures, in a fixed order.

    >>> flags = assess(enterprises=120, employees=900, staff=2,
    ...                by_role={"grid_leader": 1, "full_time": 1}, norms=StaffingNorms())
    >>> [f.kind for f in flags]
    ['understaffed_full_time']
    >>> flags[0].message.split(" / ")[0]
    '专职网格员不足：现有 1 人，按每 50 家企业 1 人应至少 3 人'
    """
    found = [
        _no_leader(by_role),
        _understaffed(enterprises, by_role, norms),
        _employee_load(employees, staff, norms),
        _part_time(by_role, norms),
    ]
    return tuple(flag for flag in found if flag is not None)


def grid_staffing(
    session: Session,
    *,
    norms: StaffingNorms,
    community: str | None = None,
    grid: str | None = None,
    on: date | None = None,
) -> list[GridStaffing]:
    """Staffing of every live grid (or a community's, or one), ordered by grid code.

    On duty means an active staff member with an assignment running on `on` (default: the
    database's today); closed and relocated enterprises are not counted.
    """
    params = {"community_code": community, "grid_code": grid, "on_date": on}
    rows = session.execute(sql("staffing"), params).mappings().all()
    return [_figures(row, norms) for row in rows]


def read_grid_staffing(
    session: Session, *, code: str, norms: StaffingNorms, on: date | None = None
) -> GridStaffing:
    """Staffing of the live grid `code`; NotFound when there is no such live grid."""
    found = grid_staffing(session, norms=norms, grid=code, on=on)
    if not found:
        raise NotFound(
            f"网格 {code} 不存在或已撤销 / grid {code} does not exist or has been retired"
        )
    return found[0]


def _figures(row: RowMapping, norms: StaffingNorms) -> GridStaffing:
    by_role = {role: int(row["by_role"].get(role, 0)) for role in STAFF_ROLES}
    enterprises, employees, staff = (
        int(row["enterprises"]),
        int(row["employees"]),
        int(row["staff"]),
    )
    full_time = by_role["full_time"]
    return GridStaffing(
        grid_code=row["code"],
        grid_name=row["name"],
        grid_kind=row["kind"],
        community_code=row["community_code"],
        enterprises=enterprises,
        employees=employees,
        staff=staff,
        staff_by_role=by_role,
        required_full_time=required_full_time(enterprises, norms),
        enterprises_per_full_time=enterprises / full_time if full_time else None,
        employees_per_staff=employees / staff if staff else None,
        flags=assess(
            enterprises=enterprises, employees=employees, staff=staff, by_role=by_role, norms=norms
        ),
    )


def _flag(kind: str, zh: str, en: str) -> Flag:
    label_zh, label_en = FLAGS[kind]
    return Flag(kind, f"{label_zh}：{zh} / {label_en}: {en}")


def _no_leader(by_role: Mapping[str, int]) -> Flag | None:
    if by_role.get("grid_leader", 0) > 0:
        return None
    return _flag("no_leader", "本网格无在岗的网格长任命", "no active grid-leader assignment")


def _understaffed(
    enterprises: int, by_role: Mapping[str, int], norms: StaffingNorms
) -> Flag | None:
    have, need = by_role.get("full_time", 0), required_full_time(enterprises, norms)
    if have >= need:
        return None
    per = norms.enterprises_per_full_time
    return _flag(
        "understaffed_full_time",
        f"现有 {have} 人，按每 {per} 家企业 1 人应至少 {need} 人",
        f"{have} on duty, but one per {per} enterprises means at least {need}",
    )


def _employee_load(employees: int, staff: int, norms: StaffingNorms) -> Flag | None:
    most = norms.employees_per_staff
    if employees <= most * staff:
        return None
    if staff == 0:
        return _flag(
            "too_many_employees_per_staff",
            f"从业人员 {employees} 人，无在岗网格工作人员",
            f"{employees} employees and no staff on duty",
        )
    per = employees / staff
    return _flag(
        "too_many_employees_per_staff",
        f"每人服务从业人员 {per:.0f} 人，超过 {most} 人",
        f"{per:.0f} employees per staff member, above {most}",
    )


def _part_time(by_role: Mapping[str, int], norms: StaffingNorms) -> Flag | None:
    have, need = by_role.get("part_time", 0), norms.min_part_time
    if have >= need:
        return None
    return _flag(
        "too_few_part_time",
        f"现有 {have} 人，应至少 {need} 人",
        f"{have} on duty, fewer than the {need} required",
    )
