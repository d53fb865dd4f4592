"""Exporting layers: every format imports back to the same rows, updating them in place."""

from __future__ import annotations

import random
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from sqlalchemy import select

from geo import models as orm
from geo import uscc
from geo.crs import wgs84_to_gcj02
from geo.errors import InvalidInput
from geo.layers.columns import resolve_columns
from geo.layers.export import export_layer
from geo.layers.importer import import_layer
from geo.layers.report import ImportReport
from geo.layers.spec import LAYERS

FORMATS = [".geojson", ".gpkg", ".zip", ".csv", ".xlsx"]
MODELS = {m.class_.__tablename__: m.class_ for m in orm.Base.registry.mappers}
BEIJING = timezone(timedelta(hours=8))
SUZHOU = (120.55, 31.25, 120.80, 31.40)


def _geom(shape: Any) -> Any:
    return from_shape(shape, srid=4326)


# -- rows to export ----------------------------------------------------------------------------

# names with markup, quotes, commas, semicolons, a newline, and a would-be Excel formula
ENTERPRISES = [
    dict(name="苏州星海精密机械有限公司", industry="C", industry_detail="C3670",
         size_class="large", employees_day=1200, employees_night=300,
         address="苏州工业园区星湖街328号", contact_name="张伟", contact_phone="0512-62345678"),
    dict(name="苏州<b>加粗</b>科技有限公司", industry="I", size_class="small", employees_day=35,
         contact_name="李娜", contact_phone="13800000000", status="suspended"),
    dict(name='他说"你好", 然后走了, 公司', address="金鸡湖大道1355号, 3楼"),
    dict(name="=SUM(1,2) 表格公式公司", industry="F", size_class="micro", employees_day=8,
         employees_night=1, contact_name="王芳", contact_phone="+86 512 6666", status="closed"),
    dict(name="多行\n名称；分号;逗号,有限公司", industry="M", size_class="medium",
         employees_day=240, employees_night=12, address="x", contact_name="Ann O'Neil",
         contact_phone="007", status="relocated"),
]  # fmt: skip


def seed_enterprise(db) -> None:
    rng = random.Random(7)
    for values in ENTERPRISES:
        lon = SUZHOU[0] + rng.random() * (SUZHOU[2] - SUZHOU[0])
        lat = SUZHOU[1] + rng.random() * (SUZHOU[3] - SUZHOU[1])
        db.add(orm.Enterprise(uscc=uscc.generate(rng), geom=_geom(Point(lon, lat)), **values))
    db.flush()


SHELL = [(120.6012345678901, 31.3000000000001), (120.6212345678901, 31.3000000000001),
         (120.6212345678901, 31.3198765432109), (120.6012345678901, 31.3198765432109)]  # fmt: skip
HOLE = [(120.6050000000003, 31.3050000000007), (120.6100000000003, 31.3050000000007),
        (120.6100000000003, 31.3100000000007), (120.6050000000003, 31.3100000000007)]  # fmt: skip
ISLAND = box(120.63, 31.30, 120.64, 31.31)
# grids partition their community (the importer checks it): the hole is the second grid
GRIDS = {
    "320594001001001": ("星海一网格", "base", MultiPolygon([Polygon(SHELL, [HOLE]), ISLAND])),
    "320594001001002": ("金鸡湖专属网格", "dedicated", MultiPolygon([Polygon(HOLE)])),
    "320594001001009": ("已撤销网格", "base", MultiPolygon([Polygon(SHELL)])),  # retired
}  # fmt: skip


def seed_grid(db) -> None:
    park = orm.Park(code="320594", name="苏州工业园区", geom=_geom(MultiPolygon([box(*SUZHOU)])))
    db.add(park)
    db.flush()
    outline = _geom(MultiPolygon([Polygon(SHELL), ISLAND]))
    community = orm.Community(park_id=park.id, code="320594001001", name="星海社区", geom=outline)
    db.add(community)
    db.flush()
    for code, (name, kind, shape) in GRIDS.items():
        retired = code.endswith("9")
        until = datetime(2021, 1, 1, tzinfo=BEIJING) if retired else None
        db.add(orm.Grid(community_id=community.id, code=code, name=name, kind=kind,
                        geom=_geom(shape), valid_from=datetime(2020, 1, 1, tzinfo=BEIJING),
                        valid_to=until))  # fmt: skip
    db.flush()


def seed_road(db) -> None:
    db.add_all([
        orm.Road(code="R-星湖街-01", name="星湖街", road_class="arterial", lanes=6, width_m=32.5,
                 speed_kmh=60.0, oneway=False,
                 geom=_geom(LineString([(120.6712345678901, 31.3012345678901),
                                        (120.6723456789012, 31.3123456789012),
                                        (120.6734567890123, 31.3234567890123)]))),
        orm.Road(code="R-无名-02", name=None, road_class="service", lanes=1, width_m=3.75,
                 speed_kmh=15.0, oneway=True,
                 geom=_geom(LineString([(120.68, 31.30), (120.6812345, 31.3012345)]))),
    ])  # fmt: skip
    db.flush()


NETWORK_ATTRIBUTES = {"管径_mm": 300, "材质": "PE100", "埋深_m": 1.25, "阀门": [1, 2],
                      "检修": {"日期": "2023-05-01", "合格": True}, "备注": None}  # fmt: skip


def seed_network(db) -> None:
    db.add_all([
        orm.Network(code="N-给水-001", kind="water", name="星湖街给水干管", operator="园区水务",
                    attributes=NETWORK_ATTRIBUTES,
                    geom=_geom(LineString([(120.61, 31.31), (120.6123456789, 31.3187654321)]))),
        orm.Network(code="N-燃气-002", kind="gas", name=None, operator=None, attributes={},
                    geom=_geom(LineString([(120.62, 31.31), (120.63, 31.32)]))),
    ])  # fmt: skip
    db.flush()


def seed_visit(db, *, microseconds: int = 0) -> None:
    seed_enterprise(db)
    firms = db.scalars(select(orm.Enterprise).order_by(orm.Enterprise.id)).all()
    staff = orm.Staff(staff_no="S0001", name="陈静", role="full_time", geom=None)
    db.add(staff)
    db.flush()
    at = datetime(2024, 3, 5, 9, 30, 15, microseconds, tzinfo=BEIJING)
    db.add_all([
        orm.Visit(enterprise_id=firms[0].id, staff_id=staff.id, visited_at=at,
                  notes='走访, 了解"用工"情况',
                  geom=_geom(Point(120.6011111111111, 31.3022222222222))),
        orm.Visit(enterprise_id=firms[1].id, staff_id=None, visited_at=at + timedelta(days=1),
                  notes=None, geom=None),
    ])  # fmt: skip
    db.flush()


def seed_key_site(db, *, interval: int | None = 7) -> None:
    seed_enterprise(db)
    firm = db.scalars(select(orm.Enterprise).order_by(orm.Enterprise.id)).first()
    db.add_all([
        orm.KeySite(code="KS-001", name="危化品仓库", category="hazardous_chemicals",
                    hazard_class="major", enterprise_id=firm.id, responsible="赵磊",
                    last_inspected=date(2024, 2, 29), inspection_interval_days=30,
                    geom=_geom(box(120.601, 31.301, 120.602, 31.302))),
        orm.KeySite(code="KS-002", name="星海广场", category="crowded_place", hazard_class="low",
                    inspection_interval_days=interval, geom=_geom(Point(120.61, 31.31))),
    ])  # fmt: skip
    db.flush()


def seed_staff_assignment(db) -> None:
    seed_grid(db)
    live = select(orm.Grid).where(orm.Grid.valid_to.is_(None)).order_by(orm.Grid.code)
    grids = db.scalars(live).all()
    staff = orm.Staff(staff_no="S0002", name="周敏", role="grid_leader", geom=None)
    db.add(staff)
    db.flush()
    db.add_all([
        orm.StaffAssignment(staff_id=staff.id, grid_id=grids[0].id, role="grid_leader",
                            since=date(2024, 1, 1)),
        orm.StaffAssignment(staff_id=staff.id, grid_id=grids[1].id, role="part_time",
                            since=date(2023, 6, 1), until=date(2023, 12, 31)),
    ])  # fmt: skip
    db.flush()


SEEDS = {name.removeprefix("seed_"): f for name, f in globals().items() if name.startswith("seed_")}


def snapshot(db, layer: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Fields, parent keys and geometry of every live row, by the layer's file key."""
    spec, model = LAYERS[layer], MODELS[layer]
    query = select(model)
    if hasattr(model, "valid_to"):
        query = query.where(model.valid_to.is_(None))
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for obj in db.scalars(query).all():
        record = {f.name: getattr(obj, f.name) for f in spec.fields}
        for ref in spec.refs:
            parent = db.get(MODELS[ref.table], getattr(obj, ref.column) or -1)
            record[ref.source] = getattr(parent, ref.key) if parent else None
        geom = getattr(obj, "geom", None)
        record["geom"] = None if geom is None else to_shape(geom)
        rows[tuple(record[k] for k in spec.file_key)] = record
    return rows


def assert_same(after: dict, before: dict, tolerance: float = 1e-9) -> None:
    """Equal attributes; geometries of the same type, parts and vertex count with every vertex
    within `tolerance` (ring starts and orientation may differ: shapefiles reorder rings)."""
    assert after.keys() == before.keys()
    for key, old in before.items():
        new = dict(after[key])
        a, b = new.pop("geom"), old["geom"]
        assert new == {k: v for k, v in old.items() if k != "geom"}, key
        assert (a is None) == (b is None), key
        if a is not None:
            assert _form(a) == _form(b), key
            assert shapely.hausdorff_distance(a, b) <= tolerance, (key, a.wkt, b.wkt)


def _form(g: Any) -> tuple[str, int, int]:
    return g.geom_type, shapely.get_num_geometries(g), shapely.get_num_coordinates(g)


def round_trip(
    db, layer: str, path: Path, *, crs: str = "wgs84", stated: bool = False, tolerance: float = 1e-9
) -> ImportReport:
    """Export, re-import (with --crs when `stated`): every row found again (updated, or left
    alone as given exactly as stored), none inserted, and the table unchanged."""
    before = snapshot(db, layer)
    count = export_layer(db, layer, path, crs=crs)
    assert count == len(before) > 0
    report = import_layer(db, layer, path, crs=crs if stated else None)
    assert report.rejected_rows == {}, report.problems
    assert (report.inserted, report.updated + report.unchanged) == (0, count), report.as_dict()
    db.expire_all()
    assert_same(snapshot(db, layer), before, tolerance)
    return report


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("layer", ["enterprise", "grid", "road", "network", "visit"])
def test_export_then_import_updates_the_same_rows_unchanged(db, tmp_path, layer, suffix):
    SEEDS[layer](db)
    round_trip(db, layer, tmp_path / f"{layer}{suffix}")


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".csv", ".xlsx"])
@pytest.mark.parametrize("layer", ["key_site", "staff_assignment"])
def test_dates_mixed_geometries_and_tables_without_geometry_round_trip(db, tmp_path, layer, suffix):
    SEEDS[layer](db)
    round_trip(db, layer, tmp_path / f"{layer}{suffix}")


def test_a_missing_integer_beside_a_present_one_round_trips(db, tmp_path):
    seed_key_site(db, interval=None)
    round_trip(db, "key_site", tmp_path / "key_site.csv")


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".zip", ".csv", ".xlsx"])
def test_visit_times_keep_their_microseconds(db, tmp_path, suffix):
    seed_visit(db, microseconds=123456)
    round_trip(db, "visit", tmp_path / f"visit{suffix}")


def test_round_trip_keeps_grid_versions_and_skips_retired_grids(db, tmp_path):
    seed_grid(db)
    report = round_trip(db, "grid", tmp_path / "grid.zip")
    assert report.updated + report.unchanged == 2
    versions = db.execute(select(orm.Grid.code, orm.Grid.version).order_by(orm.Grid.code)).all()
    assert [v for _, v in versions] == [1, 1, 1]


def test_files_carry_the_headers_parts_and_layer_names_the_importer_expects(db, tmp_path):
    seed_grid(db)
    seed_enterprise(db)
    for name in ("企业.csv", "e.zip", "e.gpkg"):
        export_layer(db, "enterprise", tmp_path / name)
    export_layer(db, "grid", tmp_path / "grid.csv")
    raw = (tmp_path / "企业.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    header = raw[3:].decode("utf-8").splitlines()[0].split(",")
    assert header[:2] == ["统一社会信用代码", "企业名称"] and header[-2:] == ["经度", "纬度"]
    header = (tmp_path / "grid.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "网格编码,名称,网格类型,社区编码,wkt"
    with zipfile.ZipFile(tmp_path / "e.zip") as archive:
        parts = sorted(archive.namelist())
        assert archive.read("enterprise.cpg").decode().strip() == "UTF-8"
    assert parts == [f"enterprise.{x}" for x in ("cpg", "dbf", "prj", "shp", "shx")]
    fields = pyogrio.read_info(f"/vsizip/{tmp_path}/e.zip/enterprise.shp")["fields"].tolist()
    assert fields == [f.shp_name for f in LAYERS["enterprise"].all_fields()]
    assert [str(name) for name, _ in pyogrio.list_layers(tmp_path / "e.gpkg")] == ["enterprise"]


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_every_export_header_names_its_own_field(layer):
    spec = LAYERS[layer]
    fields = spec.all_fields()
    for style in ("name", "label", "shp_name"):  # GeoJSON/GPKG, CSV/XLSX, Shapefile
        headers = [getattr(f, style) or f.name for f in fields]
        wanted = {f.name: h for f, h in zip(fields, headers, strict=True)}
        assert resolve_columns(spec, headers, {}) == wanted
    short = [f.shp_name for f in fields]
    assert len(set(short)) == len(short) and max(map(len, short)) <= 10


# -- coordinate systems ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize(("layer", "crs"), [("enterprise", "gcj02"), ("enterprise", "bd09"),
                                            ("grid", "gcj02")])  # fmt: skip
def test_shifted_export_imports_back_within_a_centimetre(db, tmp_path, layer, crs, suffix):
    SEEDS[layer](db)  # points, and polygons with holes
    round_trip(db, layer, tmp_path / f"{layer}{suffix}", crs=crs, stated=True, tolerance=1e-7)


def test_gcj02_file_holds_shifted_coordinates_and_declares_no_crs(db, tmp_path):
    seed_enterprise(db)
    points = {e.uscc: to_shape(e.geom) for e in db.scalars(select(orm.Enterprise))}
    export_layer(db, "enterprise", tmp_path / "gcj.gpkg", crs="gcj02")
    frame = pyogrio.read_dataframe(tmp_path / "gcj.gpkg")
    assert frame.crs is None
    lon, lat = wgs84_to_gcj02(points[frame["uscc"][0]].x, points[frame["uscc"][0]].y)
    assert (frame.geometry[0].x, frame.geometry[0].y) == (float(lon), float(lat))


def test_cgcs2000_gpkg_declares_epsg_4490_and_keeps_coordinates(db, tmp_path):
    seed_grid(db)
    report = round_trip(db, "grid", tmp_path / "grid.gpkg", crs="EPSG:4490")  # exact
    assert pyogrio.read_info(tmp_path / "grid.gpkg")["crs"] == "EPSG:4490"
    assert report.crs == "cgcs2000"  # read from the file


@pytest.mark.parametrize("suffix", [".gpkg", ".zip", ".csv"])
def test_projected_export_reprojects_and_imports_back(db, tmp_path, suffix):
    seed_enterprise(db)
    path = tmp_path / f"e{suffix}"
    # CGCS2000 / 3° GK CM 120E; the GeoPackage and the Shapefile declare it
    round_trip(db, "enterprise", path, crs="EPSG:4549", stated=suffix == ".csv")
    if suffix == ".csv":
        assert path.read_text(encoding="utf-8-sig").splitlines()[0].endswith(",x,y")
    else:
        info = pyogrio.read_info(f"/vsizip/{path}/enterprise.shp" if suffix == ".zip" else path)
        assert info["crs"] == "EPSG:4549" and 450_000 < info["total_bounds"][0] < 600_000


def test_where_keeps_rows_equal_to_a_field_or_parent_key(db, tmp_path):
    seed_enterprise(db)
    seed_grid(db)
    path = tmp_path / "c.csv"
    assert export_layer(db, "enterprise", path, where={"industry": "C"}) == 1
    assert "苏州星海精密机械有限公司" in path.read_text(encoding="utf-8-sig")
    assert export_layer(db, "enterprise", path, where={"industry": "制造业"}) == 1
    assert export_layer(db, "enterprise", path, where={"status": "operating"}) == 2
    assert export_layer(db, "enterprise", path, where={"employees_day": "35"}) == 1
    assert export_layer(db, "enterprise", path, where={"industry": ""}) == 1  # NULL
    assert export_layer(db, "grid", path, where={"community_code": "320594001001001"}) == 0
    assert export_layer(db, "grid", path, where={"community_code": "320594001001"}) == 2
    assert export_layer(db, "grid", path, where={"kind": "专属网格"}) == 1


@pytest.mark.parametrize(
    ("layer", "name", "options", "message"),
    [
        ("parcels", "p.gpkg", {}, "unknown layer 'parcels'"),
        ("enterprise", "e.shp", {}, "unknown file type '.shp'"),
        ("enterprise", "e.kml", {}, "unknown file type '.kml'"),
        ("enterprise", "e", {}, "unknown file type ''"),
        ("enterprise", "e.csv", {"crs": "mars"}, "unknown coordinate system 'mars'"),
        ("enterprise", "e.csv", {"where": {"colour": "red"}}, "known fields are uscc, name, "),
        ("enterprise", "e.csv", {"where": {"employees_day": "many"}}, "not a whole number"),
        ("staff_assignment", "s.zip", {}, "has no geometry"),
        ("key_site", "k.zip", {}, "one geometry type"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(db, tmp_path, layer, name, options, message):
    seed_key_site(db)
    with pytest.raises(InvalidInput, match=message):
        export_layer(db, layer, tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_the_old_file_and_a_good_one_replaces_it(db, tmp_path):
    seed_enterprise(db)
    db.execute(orm.Enterprise.__table__.update().values(address="长" * 100))  # 300 bytes in UTF-8
    path = tmp_path / "e.zip"
    path.write_bytes(b"old export")
    with pytest.raises(InvalidInput, match="254 bytes"):  # a Shapefile would truncate it
        export_layer(db, "enterprise", path)
    assert path.read_bytes() == b"old export"
    assert [p.name for p in tmp_path.iterdir()] == ["e.zip"]  # no half-written debris
    path = path.rename(tmp_path / "e.gpkg")
    assert export_layer(db, "enterprise", path) == len(ENTERPRISES)
    assert pyogrio.read_info(path)["features"] == len(ENTERPRISES)
