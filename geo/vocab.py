"""The fixed vocabularies of the standard: allowed values with their Chinese and English labels.

The database refuses anything else (check constraints built from these tables), and the
pages show the labels.
"""

from __future__ import annotations

Vocabulary = dict[str, tuple[str, str]]

GRID_KINDS: Vocabulary = {
    "base": ("基础网格", "base grid"),
    "dedicated": ("专属网格", "dedicated grid"),
}
MICROGRID_KINDS: Vocabulary = {
    "enterprise": ("企业微网格", "enterprise micro-grid"),
    "park": ("园区微网格", "park micro-grid"),
    "building": ("楼宇微网格", "building micro-grid"),
}
# GB/T 4754-2017 sections (门类)
INDUSTRIES: Vocabulary = {
    "A": ("农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    "B": ("采矿业", "Mining"),
    "C": ("制造业", "Manufacturing"),
    "D": ("电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply"),
    "E": ("建筑业", "Construction"),
    "F": ("批发和零售业", "Wholesale and retail trade"),
    "G": ("交通运输、仓储和邮政业", "Transport, storage and post"),
    "H": ("住宿和餐饮业", "Accommodation and catering"),
    "I": ("信息传输、软件和信息技术服务业", "Information transmission, software and IT services"),
    "J": ("金融业", "Finance"),
    "K": ("房地产业", "Real estate"),
    "L": ("租赁和商务服务业", "Leasing and business services"),
    "M": ("科学研究和技术服务业", "Scientific research and technical services"),
    "N": ("水利、环境和公共设施管理业", "Water, environment and public facilities management"),
    "O": ("居民服务、修理和其他服务业", "Resident, repair and other services"),
    "P": ("教育", "Education"),
    "Q": ("卫生和社会工作", "Health and social work"),
    "R": ("文化、体育和娱乐业", "Culture, sports and entertainment"),
    "S": ("公共管理、社会保障和社会组织", "Public administration and social organisations"),
    "T": ("国际组织", "International organisations"),
}
SIZE_CLASSES: Vocabulary = {
    "large": ("大型", "large"),
    "medium": ("中型", "medium"),
    "small": ("小型", "small"),
    "micro": ("微型", "micro"),
}
ENTERPRISE_STATUS: Vocabulary = {
    "operating": ("在营", "operating"),
    "suspended": ("停业", "suspended"),
    "closed": ("注销", "closed"),
    "relocated": ("迁出", "relocated"),
}
COORD_SOURCES: Vocabulary = {
    "wgs84": ("WGS84", "WGS84"),
    "cgcs2000": ("CGCS2000", "CGCS2000"),
    "gcj02": ("GCJ-02（高德/腾讯）", "GCJ-02 (AMap, Tencent)"),
    "bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
    "epsg": ("其他 EPSG 坐标系", "other EPSG CRS"),
    "survey": ("实地采集", "field survey"),
}
STAFF_ROLES: Vocabulary = {
    "party_secretary": ("党委书记", "Party committee secretary"),
    "party_member": ("党委委员", "Party committee member"),
    "grid_leader": ("网格长", "grid leader"),
    "full_time": ("专职网格员", "full-time grid member"),
    "instructor": ("网格指导员", "grid instructor"),
    "part_time": ("兼职网格员", "part-time grid member"),
}
VISIT_CHECKS: Vocabulary = {
    "verified": ("位置已核验", "location verified"),
    "flagged": ("位置存疑", "location flagged"),
    "no_location": ("无定位", "no location"),
}
PROBLEM_CATEGORIES: Vocabulary = {
    "service": ("服务类", "service"),
    "demand": ("诉求类", "demand"),
}
PROBLEM_STATUS: Vocabulary = {
    "open": ("待处理", "open"),
    "in_progress": ("处理中", "in progress"),
    "resolved": ("已解决", "resolved"),
    "closed": ("已关闭", "closed"),
}
HANDLER_LEVELS: Vocabulary = {
    "grid": ("网格", "grid"),
    "community": ("社区", "community"),
    "park": ("园区", "park"),
    "department": ("职能部门", "department"),
}
KEY_SITE_CATEGORIES: Vocabulary = {
    "hazardous_chemicals": ("危险化学品场所", "hazardous chemicals"),
    "crowded_place": ("人员密集场所", "crowded place"),
    "rental_housing": ("出租房屋", "rental housing"),
    "construction_site": ("在建工地", "construction site"),
    "fire_key_unit": ("消防重点单位", "fire safety key unit"),
    "other": ("其他", "other"),
}
HAZARD_CLASSES: Vocabulary = {
    "major": ("重大危险源", "major hazard"),
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
}
NETWORK_KINDS: Vocabulary = {
    "water": ("供水", "water"),
    "power": ("供电", "power"),
    "gas": ("燃气", "gas"),
    "telecom": ("通信", "telecom"),
    "sewage": ("排水", "sewage"),
    "heating": ("供热", "heating"),
    "road": ("道路", "road"),
    "bridge": ("桥梁", "bridge"),
}
ROAD_CLASSES: Vocabulary = {
    "arterial": ("主干路", "arterial"),
    "secondary": ("次干路", "secondary"),
    "local": ("支路", "local"),
    "service": ("内部道路", "service"),
    "path": ("步行道", "footpath"),
}
PARKING_KINDS: Vocabulary = {
    "road_side": ("路侧停车", "road side"),
    "public": ("公共停车场", "public car park"),
    "enterprise_front": ("企业门前停车", "enterprise front"),
}
SHELTER_KINDS: Vocabulary = {
    "indoor": ("室内避难场所", "indoor shelter"),
    "outdoor": ("室外避难场所", "outdoor shelter"),
    "school": ("学校", "school"),
    "stadium": ("体育场馆", "stadium"),
    "park_square": ("公园广场", "park or square"),
}
HAZARD_SCENARIOS: Vocabulary = {
    "gas_leak": ("燃气泄漏", "gas leak"),
    "chemical_fire": ("化学品火灾", "chemical fire"),
    "explosion": ("爆炸", "explosion"),
    "toxic_release": ("有毒气体扩散", "toxic release"),
    "flood": ("内涝", "flood"),
    "other": ("其他", "other"),
}
TIMES_OF_DAY: Vocabulary = {"day": ("白天", "day"), "night": ("夜间", "night")}
USER_ROLES: Vocabulary = {
    "admin": ("系统管理员", "administrator"),
    "planner": ("规划人员", "planner"),
    "grid_leader": ("网格长", "grid leader"),
    "grid_member": ("网格员", "grid member"),
    "emergency": ("应急队伍", "emergency team"),
    "viewer": ("只读用户", "viewer"),
}
LANGUAGES: Vocabulary = {"zh-CN": ("简体中文", "Chinese"), "en": ("English", "English")}
EDIT_KINDS: Vocabulary = {
    "reshape": ("调整网格边界", "reshape a grid"),
    "split": ("拆分网格", "split a grid"),
    "merge": ("合并网格", "merge grids"),
    "create_microgrid": ("新建微网格", "create a micro-grid"),
    "delete_microgrid": ("删除微网格", "delete a micro-grid"),
    "reshape_microgrid": ("调整微网格边界", "reshape a micro-grid"),
    "move_enterprise": ("移动企业位置", "move an enterprise"),
    "undo": ("撤销编辑", "undo an edit"),
}
LINEAGE_REASONS: Vocabulary = {
    "split": ("拆分", "split"),
    "merge": ("合并", "merge"),
    "renumber": ("重新编号", "renumber"),
}


def label(vocabulary: Vocabulary, value: str, lang: str = "zh-CN") -> str:
    """The label of `value` in `lang` (zh-CN or en); the value itself when unknown.

    >>> label(GRID_KINDS, "dedicated")
    '专属网格'
    >>> label(GRID_KINDS, "dedicated", "en")
    'dedicated grid'
    """
    labels = vocabulary.get(value)
    if labels is None:
        return value
    return labels[1] if lang == "en" else labels[0]
