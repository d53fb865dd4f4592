"""Plausible Chinese names: people, enterprises, micro-grids, and fake phone numbers.

Foreign-invested anchors use invented brand names on purpose: the demo attaches visits,
problems and hazards to them, which should not be read as facts about real companies.
"""

from __future__ import annotations

import random

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
SURNAMES += list("蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏顾毛钱严戴孔汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超霞平刚辉鹏斌琳颖丹华红")
GIVEN += ["秀英", "桂英", "建华", "玉兰", "晓东", "海燕", "雪梅", "春雷", "亚楠", "国庆"]
GIVEN += ["志强", "思远", "子涵", "欣怡", "梓轩", "雨桐", "佳琪", "俊杰", "浩然", "宇航"]
GIVEN += ["晨曦", "文博", "一鸣", "嘉怡", "婷婷", "建国", "立新", "晓燕", "丽华", "振宇"]
FIRST = list("恒瑞鼎信华博创德嘉盛泰宏科智诚联金天海新远达精锐弘晟晶润凯拓捷源")
FIRST += list("力丰元安邦卓越腾昇汇通丰睿铭宸欧亚星辰澜沁")
SECOND = list("瑞信达通源泰丰盛鑫宇辉昌明华创隆兴诚康睿远合益科峰祥润安")

# GB/T 4754-2017 major groups (大类) by section, with the words firms in them use in names.
DETAILS: dict[str, list[tuple[str, list[str]]]] = {
    "C": [
        ("C39 计算机、通信和其他电子设备制造业", ["电子科技", "半导体", "光电科技", "微电子"]),
        ("C36 汽车制造业", ["汽车部件", "汽车零部件", "汽车电子"]),
        ("C34 通用设备制造业", ["精密机械", "机械设备", "液压技术", "自动化设备"]),
        ("C35 专用设备制造业", ["智能装备", "医疗器械", "半导体设备"]),
        ("C27 医药制造业", ["生物医药", "制药", "药业"]),
        ("C26 化学原料和化学制品制造业", ["化工", "新材料", "涂料", "特种气体"]),
        ("C38 电气机械和器材制造业", ["电气", "新能源科技", "电池科技"]),
        ("C29 橡胶和塑料制品业", ["塑胶制品", "橡塑科技"]),
        ("C33 金属制品业", ["精密五金", "金属制品", "精密模具"]),
        ("C40 仪器仪表制造业", ["仪器仪表", "传感技术", "测控技术"]),
    ],
    "I": [
        ("I65 软件和信息技术服务业", ["软件科技", "信息技术", "数据科技", "智能科技"]),
        ("I64 互联网和相关服务", ["网络科技", "互联网科技"]),
    ],
    "M": [
        ("M73 研究和试验发展", ["生物科技", "新材料研究"]),
        ("M74 专业技术服务业", ["检测技术", "工程技术", "设计咨询", "环境检测"]),
        ("M75 科技推广和应用服务业", ["科技服务", "技术转移"]),
    ],
    "F": [
        ("F51 批发业", ["贸易", "商贸", "国际贸易", "供应链管理", "医药销售"]),
        ("F52 零售业", ["电子商务", "便利店", "商业"]),
    ],
    "L": [
        ("L72 商务服务业", ["企业管理咨询", "人力资源", "商务咨询", "知识产权代理", "会展服务"]),
        ("L71 租赁业", ["设备租赁"]),
    ],
    "G": [
        ("G54 道路运输业", ["物流", "运输"]),
        ("G59 装卸搬运和仓储业", ["仓储服务", "供应链"]),
        ("G58 多式联运和运输代理业", ["国际货运代理"]),
    ],
    "E": [("E48 土木工程建筑业", ["建设工程"]), ("E50 建筑装饰、装修和其他建筑业", ["装饰工程"])],
    "H": [("H62 餐饮业", ["餐饮管理"]), ("H61 住宿业", ["酒店管理"])],
    "K": [("K70 房地产业", ["物业管理", "置业"])],
    "O": [("O80 机动车、电子产品和日用产品修理业", ["设备维修"]), ("O79 居民服务业", ["保洁服务"])],
    "R": [("R86 广播、电视、电影和录音制作业", ["文化传媒", "影视"])],
    "J": [("J67 资本市场服务", ["投资管理"]), ("J66 货币金融服务", ["融资租赁"])],
    "N": [("N77 生态保护和环境治理业", ["环保科技"])],
    "Q": [("Q84 卫生", ["医疗管理"])],
    "P": [("P83 教育", ["职业培训", "教育科技"])],
    "D": [("D44 电力、热力生产和供应业", ["能源", "新能源"])],
}

# Invented foreign-invested anchors: brand, business word, industry detail (section C).
ANCHORS = [
    ("莱恩哈特", "汽车部件", "C36 汽车制造业"),
    ("韦斯特伦", "精密机械", "C34 通用设备制造业"),
    ("诺尔维克", "医疗器械", "C35 专用设备制造业"),
    ("卡斯滕", "电子", "C39 计算机、通信和其他电子设备制造业"),
    ("奥伯兰", "化工", "C26 化学原料和化学制品制造业"),
    ("松原", "精机", "C34 通用设备制造业"),
    ("大和田", "电子", "C39 计算机、通信和其他电子设备制造业"),
    ("韩星", "电子", "C39 计算机、通信和其他电子设备制造业"),
    ("霍尔斯泰", "医药", "C27 医药制造业"),
    ("艾德斯", "光电", "C39 计算机、通信和其他电子设备制造业"),
    ("弗兰肯", "电气", "C38 电气机械和器材制造业"),
    ("蒙特维", "半导体", "C39 计算机、通信和其他电子设备制造业"),
    ("阿尔斯特", "汽车电子", "C36 汽车制造业"),
    ("佐伯", "精密", "C33 金属制品业"),
    ("贝克曼特", "仪器", "C40 仪器仪表制造业"),
]
PARK_SUFFIXES = ["科技园", "产业园", "创新园", "工业坊", "智造园", "创业园", "企业港"]
BUILDING_SUFFIXES = ["大厦", "中心", "广场", "商务楼", "科创楼"]


def person(rnd: random.Random) -> str:
    """A Chinese personal name: surname plus a one- or two-character given name."""
    return rnd.choice(SURNAMES) + rnd.choice(GIVEN)


class Phones:
    """Unique, obviously fake mobile numbers: 1xx-0000-nnnn."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def next(self, rnd: random.Random) -> str:
        """A fresh fake number."""
        while True:
            phone = f"{rnd.choice(['138', '139', '150', '186', '187', '135'])}-0000-"
            phone += f"{rnd.randrange(10000):04d}"
            if phone not in self.used:
                self.used.add(phone)
                return phone


def brand(rnd: random.Random) -> str:
    """A two-character trade name (字号); shared ones are told apart by the business word."""
    while True:
        name = rnd.choice(FIRST) + rnd.choice(SECOND)
        if name[0] != name[1]:
            return name


class Brands:
    """Unique two-character trade names (字号), for names that must not repeat."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def next(self, rnd: random.Random) -> str:
        """A trade name not given out before (falls back to three characters)."""
        while True:
            name = brand(rnd)
            if name not in self.used:
                self.used.add(name)
                return name


def enterprise_name(brand: str, word: str, rnd: random.Random) -> str:
    """A registered name around a trade name and business word."""
    roll = rnd.random()
    if roll < 0.55:
        head, tail = "苏州" + brand + word, "有限公司"
    elif roll < 0.75:
        head, tail = "苏州工业园区" + brand + word, "有限公司"
    elif roll < 0.84:
        head, tail = "江苏" + brand + word, "股份有限公司"
    elif roll < 0.93:
        head, tail = brand + word + "（苏州）", "有限公司"
    else:
        head, tail = (
            rnd.choice(["上海", "无锡", "南京", "杭州"]) + brand + word,
            "有限公司苏州分公司",
        )
    return head + tail


def detail_and_word(industry: str, rnd: random.Random) -> tuple[str, str]:
    """A GB/T 4754 major group of `industry` and a business word for the name."""
    detail, words = rnd.choice(DETAILS[industry])
    return detail, rnd.choice(words)
