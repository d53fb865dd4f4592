"""What each importable layer is: its table, geometry, natural key, fields and parent links.

Import and export both read these specs, so a file exported by gridmap imports again
unchanged (headers in Chinese, English, or shapefile-short form are all recognised).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from geo import vocab
from geo.layers.report import both
from geo.vocab import Vocabulary

Kind = Literal["text", "int", "float", "bool", "date", "datetime", "json", "vocab", "wkt"]


@dataclass(frozen=True)
class Field:
    """One attribute column: its type, whether required, and the headers that name it."""

    name: str
    kind: Kind = "text"
    label: str = ""  # Chinese header used in exports (XLSX, CSV)
    required: bool = False
    aliases: tuple[str, ...] = ()
    vocabulary: Vocabulary | None = None
    max_len: int | None = None
    short: str | None = None  # shapefile column name (at most 10 characters)
    minimum: float | None = 0  # numbers below are refused (counts are never negative)

    @property
    def shp_name(self) -> str:
        """The column name in shapefiles (DBF names are at most 10 characters)."""
        return self.short or self.name[:10]

    def headers(self) -> tuple[str, ...]:
        """Every header that names this field."""
        own = (self.name, self.label, self.shp_name, *self.aliases)
        return tuple(dict.fromkeys(h for h in own if h))


@dataclass(frozen=True)
class Ref:
    """A link to a parent row given by its natural key (e.g. grid_code → grid.id)."""

    column: str  # foreign-key column in this table
    source: str  # field in the file holding the parent's key
    table: str
    key: str = "code"
    label: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    by_location: bool = False  # without a key, take the parent that covers the geometry

    def as_field(self) -> Field:
        return Field(self.source, "text", self.label, False, self.aliases, short=self.source[:10])


@dataclass(frozen=True)
class LayerSpec:
    """An importable layer: a table with a geometry (or none), a natural key and fields."""

    name: str
    label: str
    geometry: str | None  # POINT, LINESTRING, MULTIPOLYGON, GEOMETRY, or None
    key: str
    fields: tuple[Field, ...]
    refs: tuple[Ref, ...] = ()
    key_from_geometry: bool = False  # files without the key get one derived from the geometry
    conflict: tuple[str, ...] = ()  # table columns of the unique key, when not just `key`
    geometry_required: bool = True

    @property
    def conflict_columns(self) -> tuple[str, ...]:
        """The unique columns an upsert matches on."""
        return self.conflict or (self.key,)

    @property
    def file_key(self) -> tuple[str, ...]:
        """The file fields that identify a row (duplicates inside one file are refused)."""
        sources = {ref.column: ref.source for ref in self.refs}
        return tuple(sources.get(column, column) for column in self.conflict_columns)

    def all_fields(self) -> tuple[Field, ...]:
        """Attribute fields and parent-key fields, in export order."""
        return (*self.fields, *(ref.as_field() for ref in self.refs))


def _f(name: str, kind: Kind = "text", label: str = "", *aliases: str, **kw: object) -> Field:
    return Field(name, kind, label, aliases=aliases, **kw)  # type: ignore[arg-type]


NAME = _f("name", "text", "名称", "名字", "title", required=True, max_len=200)
CODE = _f("code", "text", "编码", "编号", "代码", "id_code", required=True, max_len=40)


def _code(digits: str, label: str) -> Field:
    return _f("code", "text", label, "编码", "代码", "编号", required=True, max_len=int(digits))


LAYERS: dict[str, LayerSpec] = {}


def _register(*specs: LayerSpec) -> None:
    for spec in specs:
        LAYERS[spec.name] = spec


_register(
    LayerSpec(
        "park", "园区", "MULTIPOLYGON", "code",
        (_code("12", "园区编码"), NAME, _f("party_org", "text", "党组织", max_len=200),
         _f("leader", "text", "负责人", max_len=100)),
    ),
    LayerSpec(
        "community", "企业社区", "MULTIPOLYGON", "code",
        (_code("12", "社区编码"), NAME, _f("party_org", "text", "党组织", max_len=200),
         _f("leader", "text", "负责人", max_len=100)),
        (Ref("park_id", "park_code", "park", label="园区编码", by_location=True),),
    ),
    LayerSpec(
        "grid", "网格", "MULTIPOLYGON", "code",
        (_code("15", "网格编码"), NAME,
         _f("kind", "vocab", "网格类型", "类型", "type", vocabulary=vocab.GRID_KINDS)),
        (Ref("community_id", "community_code", "community", label="社区编码",
             aliases=("comm_code",), by_location=True),),
    ),
    LayerSpec(
        "microgrid", "微网格", "MULTIPOLYGON", "code",
        (_code("18", "微网格编码"), NAME,
         _f("kind", "vocab", "微网格类型", "类型", "type", vocabulary=vocab.MICROGRID_KINDS,
            required=True)),
        (Ref("grid_id", "grid_code", "grid", label="网格编码", by_location=True),),
    ),
    LayerSpec(
        "enterprise", "企业", "POINT", "uscc",
        (
            _f("uscc", "text", "统一社会信用代码", "信用代码", "社会信用代码", "credit_code",
               required=True, max_len=18),
            _f("name", "text", "企业名称", "名称", "单位名称", "company", required=True,
               max_len=200),
            _f("industry", "vocab", "行业门类", "行业", "所属行业", vocabulary=vocab.INDUSTRIES),
            _f("industry_detail", "text", "行业明细", "行业代码", short="ind_detail",
               max_len=200),
            _f("size_class", "vocab", "企业规模", "规模", "size", vocabulary=vocab.SIZE_CLASSES),
            _f("employees_day", "int", "日间从业人数", "从业人数", "员工数", "职工人数",
               "employees", "staff_count", short="emp_day"),
            _f("employees_night", "int", "夜间人数", "夜间从业人数", short="emp_night"),
            _f("address", "text", "地址", "注册地址", "经营地址", max_len=300),
            _f("contact_name", "text", "联系人", "contact", short="contact", max_len=100),
            _f("contact_phone", "text", "联系电话", "电话", "phone", short="phone",
               max_len=40),
            _f("status", "vocab", "经营状态", "状态", vocabulary=vocab.ENTERPRISE_STATUS),
            _f("compound", "wkt", "企业用地范围", "用地范围", "compound_wkt", short="compound"),
        ),
    ),
    LayerSpec(
        "staff", "网格工作人员", "POINT", "staff_no",
        (
            _f("staff_no", "text", "人员编号", "工号", "编号", required=True, max_len=40),
            _f("name", "text", "姓名", "名字", required=True, max_len=100),
            _f("role", "vocab", "岗位", "角色", "职务", vocabulary=vocab.STAFF_ROLES,
               required=True),
            _f("phone", "text", "联系电话", "电话", "手机", max_len=40),
            _f("employer", "text", "所在单位", "单位", max_len=200),
            _f("active", "bool", "在岗", "status_active"),
        ),
        (Ref("community_id", "community_code", "community", label="社区编码",
             aliases=("comm_code",)),),
        geometry_required=False,
    ),
    LayerSpec(
        "key_site", "重点场所", "GEOMETRY", "code",
        (CODE, NAME,
         _f("category", "vocab", "场所类别", "类别", vocabulary=vocab.KEY_SITE_CATEGORIES,
            required=True),
         _f("hazard_class", "vocab", "危险等级", "风险等级", short="hazard",
            vocabulary=vocab.HAZARD_CLASSES),
         _f("responsible", "text", "责任人", max_len=100),
         _f("last_inspected", "date", "最近检查日期", short="last_insp"),
         _f("inspection_interval_days", "int", "检查周期（天）", short="insp_days",
            minimum=1)),
        (Ref("enterprise_id", "enterprise_uscc", "enterprise", key="uscc",
             label="统一社会信用代码", aliases=("uscc",), ),),
        key_from_geometry=True,
    ),
    LayerSpec(
        "network", "基础设施管网", "LINESTRING", "code",
        (CODE, _f("name", "text", "名称", max_len=200),
         _f("kind", "vocab", "管网类型", "类型", vocabulary=vocab.NETWORK_KINDS, required=True),
         _f("operator", "text", "权属单位", "运营单位", max_len=200),
         _f("attributes", "json", "属性", "attrs")),
        key_from_geometry=True,
    ),
    LayerSpec(
        "road", "道路", "LINESTRING", "code",
        (CODE, _f("name", "text", "道路名称", "名称", max_len=200),
         _f("road_class", "vocab", "道路等级", "等级", "class", "fclass", short="class",
            vocabulary=vocab.ROAD_CLASSES, required=True),
         _f("lanes", "int", "车道数", minimum=1),
         _f("width_m", "float", "路宽（米）", "宽度", "width", minimum=0.5),
         _f("speed_kmh", "float", "设计速度（公里/小时）", "限速", "maxspeed", short="speed",
            minimum=1),
         _f("oneway", "bool", "单行", "单向")),
        key_from_geometry=True,
    ),
    LayerSpec(
        "parking_zone", "停车区域", "MULTIPOLYGON", "code",
        (CODE, _f("name", "text", "名称", max_len=200),
         _f("kind", "vocab", "停车类型", "类型", vocabulary=vocab.PARKING_KINDS, required=True),
         _f("capacity", "int", "泊位数", "车位数", "容量")),
        key_from_geometry=True,
    ),
    LayerSpec(
        "shelter", "应急避难场所", "POINT", "code",
        (CODE, NAME,
         _f("kind", "vocab", "场所类型", "类型", vocabulary=vocab.SHELTER_KINDS, required=True),
         _f("capacity", "int", "容纳人数", "容量"),
         _f("effective_area_m2", "float", "有效面积（平方米）", "有效面积", short="eff_area",
            minimum=0.01),
         _f("address", "text", "地址", max_len=300),
         _f("area", "wkt", "场所范围", "范围", "area_wkt", short="area")),
        key_from_geometry=True,
    ),
    LayerSpec(
        "staff_assignment", "网格人员配置", None, "",
        (_f("role", "vocab", "岗位", "角色", vocabulary=vocab.STAFF_ROLES, required=True),
         _f("since", "date", "起始日期", "开始日期"), _f("until", "date", "结束日期")),
        (Ref("staff_id", "staff_no", "staff", key="staff_no", required=True, label="人员编号"),
         Ref("grid_id", "grid_code", "grid", required=True, label="网格编码")),
        conflict=("staff_id", "grid_id", "role"), geometry_required=False,
    ),
    LayerSpec(
        "visit", "走访记录", "POINT", "",
        (_f("visited_at", "datetime", "走访时间", "时间", "visit_time", required=True,
            short="visited"),
         _f("notes", "text", "走访情况", "备注", "notes")),
        (Ref("enterprise_id", "enterprise_uscc", "enterprise", key="uscc", required=True,
             label="统一社会信用代码", aliases=("uscc",)),
         Ref("staff_id", "staff_no", "staff", key="staff_no", label="人员编号")),
        conflict=("enterprise_id", "visited_at"), geometry_required=False,
    ),
    LayerSpec(
        "problem", "企业问题", "POINT", "code",
        (CODE, _f("title", "text", "问题标题", "标题", "问题", required=True, max_len=200),
         _f("category", "vocab", "问题类别", "类别", vocabulary=vocab.PROBLEM_CATEGORIES,
            required=True),
         _f("description", "text", "问题描述", "描述", short="descr"),
         _f("status", "vocab", "办理状态", "状态", vocabulary=vocab.PROBLEM_STATUS),
         _f("handler_level", "vocab", "办理层级", short="handler",
            vocabulary=vocab.HANDLER_LEVELS),
         _f("reported_at", "datetime", "上报时间", short="reported"),
         _f("due_date", "date", "办结时限", "期限"),
         _f("resolved_at", "datetime", "办结时间", short="resolved")),
        (Ref("enterprise_id", "enterprise_uscc", "enterprise", key="uscc", required=True,
             label="统一社会信用代码", aliases=("uscc",)),),
        geometry_required=False,
    ),
)  # fmt: skip

# Header names of coordinate and WKT columns in CSV/XLSX files.
LON_HEADERS = ("lon", "lng", "longitude", "经度", "x", "东经", "long")
LAT_HEADERS = ("lat", "latitude", "纬度", "y", "北纬")
WKT_HEADERS = ("wkt", "geometry", "geom", "几何", "the_geom", "shape")


def layer(name: str) -> LayerSpec:
    """The spec of layer `name`; raises InvalidInput naming the known layers."""
    from geo.errors import InvalidInput

    try:
        return LAYERS[name]
    except KeyError:
        known = ", ".join(LAYERS)
        raise InvalidInput(
            both(
                f"未知的图层 '{name}'（可选：{known}）",
                f"unknown layer '{name}': choose one of {known}",
            )
        ) from None
