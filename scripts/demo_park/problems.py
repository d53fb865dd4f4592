"""Enterprise problems (企业问题): service needs and demands raised on visits, with history."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from demo_park.activity import END, HOLIDAYS, Problem, Visit, iso, working_time
from demo_park.enterprises import Enterprise, weighted
from demo_park.frame import rng
from demo_park.people import Person, members_of

PROBLEMS = 300
SERVICE = {
    "人才公寓申请咨询": "企业新招聘员工{n}名，希望了解园区人才公寓申请条件及流程。",
    "政策申报辅导": "企业拟申报高新技术企业认定，需要辅导申报材料准备。",
    "招工用工对接": "企业近期扩产，急需普工约{n}名，希望对接园区人力资源服务。",
    "融资需求对接": "企业流动资金紧张，希望对接园区科技金融产品。",
    "知识产权申请指导": "企业有{n}项发明专利待申请，需要知识产权代理指导。",
    "消防安全培训": "企业希望组织员工消防安全培训及应急疏散演练。",
    "环评手续咨询": "企业新增生产线，需咨询环评变更手续办理。",
    "员工子女入学咨询": "企业外地员工子女入学需求{n}人，希望了解入学政策。",
}
DEMAND = {
    "门前道路破损": "{street}企业门前路面出现坑洼，车辆通行颠簸，存在安全隐患。",
    "路灯不亮": "{street}企业附近路灯{n}盏不亮，夜班员工通行不便。",
    "停车位不足": "企业周边停车位紧张，员工车辆占道停放，希望增设停车位。",
    "通勤公交班次少": "早晚高峰公交班次少，员工通勤困难，希望增开班次。",
    "排水管道堵塞": "{street}雨水管道堵塞，雨天企业门前积水。",
    "供电电压不稳": "近期多次电压波动，影响精密设备运行。",
    "网络信号差": "厂区内移动网络信号弱，影响生产调度。",
    "周边噪声扰民": "周边工地夜间施工噪声大，影响企业倒班员工休息。",
}
LEVEL_NAMES = {"grid": "网格", "community": "社区", "park": "园区", "department": "职能部门"}
LEVEL_DAYS = {"grid": 7, "community": 15, "park": 30, "department": 45}
LEVELS = {"grid": 45, "community": 30, "park": 15, "department": 10}


def _pick_firms(firms: list[Enterprise], rnd: random.Random) -> list[Enterprise]:
    """Firms that raise problems: larger ones more often, some more than once."""
    pool = [f for f in firms if f.status == "operating" and f.grid_code]
    weights = [{"large": 8, "medium": 4, "small": 2, "micro": 1}[f.size_class] for f in pool]
    return rnd.choices(pool, weights=weights, k=PROBLEMS)


def _reported(firm: Enterprise, visits: dict[str, list[Visit]], rnd: random.Random) -> datetime:
    """On one of the firm's visits when there is one, else some working day."""
    own = visits.get(firm.uscc)
    if own:
        return rnd.choice(own).visited_at + timedelta(minutes=rnd.randint(5, 40))
    return working_time(rnd, rnd.choice([5, 6, 7, 8, 9, 10]))


def _text(firm: Enterprise, rnd: random.Random) -> tuple[str, str, str]:
    category = "service" if rnd.random() < 0.55 else "demand"
    title, template = rnd.choice(sorted((SERVICE if category == "service" else DEMAND).items()))
    street = firm.address.removeprefix("苏州工业园区").split("号")[0].rstrip("0123456789")
    return category, title, template.format(n=rnd.randint(2, 30), street=street)


def office_hours(moment: datetime, rnd: random.Random) -> datetime:
    """`moment` moved to the next working morning when it falls outside office hours."""
    moment = moment.replace(second=0, microsecond=0)
    while moment.weekday() >= 5 or moment.date() in HOLIDAYS or moment.hour >= 18:
        moment = (moment + timedelta(days=1)).replace(hour=9, minute=rnd.randrange(60))
    if moment.hour < 9:
        moment = moment.replace(hour=9, minute=rnd.randrange(60))
    return moment


def _outcome(p: Problem, staff_no: str, rnd: random.Random) -> None:
    """Status, resolution time and history, older problems being more often done."""
    age = (END - p.reported_at).days
    accepted = office_hours(p.reported_at + timedelta(hours=rnd.randint(2, 30)), rnd)
    p.history = [{"at": iso(p.reported_at), "status": "open", "by": staff_no, "note": "网格员上报"}]
    if rnd.random() < 0.12 or accepted > END:
        return
    p.status = "in_progress"
    p.history.append(
        {
            "at": iso(accepted),
            "status": "in_progress",
            "by": staff_no,
            "note": f"已受理，由{LEVEL_NAMES[p.handler_level]}处理",
        }
    )
    limit = (p.due_date - p.reported_at.date()).days + 15
    resolved = office_hours(accepted + timedelta(days=rnd.uniform(0.5, limit)), rnd)
    if resolved > END or rnd.random() > min(0.92, age / 45):
        return
    p.status, p.resolved_at = "resolved", resolved
    p.history.append(
        {
            "at": iso(p.resolved_at),
            "status": "resolved",
            "by": staff_no,
            "note": "问题已解决，已反馈企业",
        }
    )
    closed = office_hours(p.resolved_at + timedelta(days=rnd.randint(1, 5)), rnd)
    if closed <= END and rnd.random() < 0.6:
        p.status = "closed"
        p.history.append(
            {"at": iso(closed), "status": "closed", "by": staff_no, "note": "企业确认满意，办结"}
        )


def make_problems(
    firms: list[Enterprise], visits: list[Visit], staff: list[Person]
) -> list[Problem]:
    """About 300 problems, in reporting order."""
    rnd = rng("problems")
    by_firm: dict[str, list[Visit]] = {}
    for v in visits:
        by_firm.setdefault(v.uscc, []).append(v)
    out = []
    for firm in _pick_firms(firms, rnd):
        reported = _reported(firm, by_firm, rnd)
        category, title, text = _text(firm, rnd)
        level = weighted(rnd, LEVELS)
        due = reported.date() + timedelta(days=LEVEL_DAYS[level])
        p = Problem(firm.uscc, category, title, text, "open", level, reported, due, None, firm.ll)
        members = members_of(staff, firm.grid_code or "", "full_time")
        _outcome(p, members[0].staff_no, rnd)
        out.append(p)
    return sorted(out, key=lambda p: (p.reported_at, p.uscc))
