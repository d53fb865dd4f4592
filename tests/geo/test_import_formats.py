"""Importing every supported format and coordinate system into a real PostGIS."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import func, select, update

from geo import crs as chinese_crs
from geo.layers import readers, shapes
from geo.layers.importer import import_layer
from geo.models import BoundaryVersion, Enterprise, Grid
from tests.geo.layer_fixtures import ENTERPRISES, add_community, enterprise_frame


def _points(db) -> dict[str, tuple[float, float, str]]:
    rows = db.execute(
        select(
            Enterprise.uscc, func.ST_X(Enterprise.geom), func.ST_Y(Enterprise.geom), Enterprise.name
        )
    ).all()
    return {uscc: (x, y, name) for uscc, x, y, name in rows}


def _touched(report) -> int:
    """Rows a re-import found: updated, or left alone as the file gives them as stored."""
    assert report.inserted == 0, report.as_dict()
    return report.updated + report.unchanged


def test_csv_with_chinese_headers_inserts_then_reimport_updates(db, tmp_path):
    path = tmp_path / "企业名录.csv"
    enterprise_frame().to_csv(path, index=False, encoding="utf-8-sig")
    first = import_layer(db, "enterprise", path)
    assert (first.inserted, first.updated, first.rejected_rows) == (3, 0, {})
    again = import_layer(db, "enterprise", path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)  # left alone
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    db.execute(update(Enterprise).values(updated_at=long_ago))
    changed = enterprise_frame()
    changed.loc[1, "从业人数"] = 77
    changed.to_csv(path, index=False, encoding="utf-8-sig")
    third = import_layer(db, "enterprise", path)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 2)
    db.expire_all()
    stamps = dict(db.execute(select(Enterprise.uscc, Enterprise.updated_at)).all())
    moved = {uscc for uscc, stamp in stamps.items() if stamp != long_ago}
    assert moved == {ENTERPRISES[1]["uscc"]}  # only the changed row's updated_at moved
    enterprise_frame().to_csv(path, index=False, encoding="utf-8-sig")
    import_layer(db, "enterprise", path)
    points = _points(db)
    assert points[ENTERPRISES[0]["uscc"]][2] == ENTERPRISES[0]["name"]
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 3


def test_gbk_csv_is_decoded(db, tmp_path):
    path = tmp_path / "gbk.csv"
    enterprise_frame().to_csv(path, index=False, encoding="gbk")
    report = import_layer(db, "enterprise", path)
    assert report.inserted == 3 and readers.encoding_note("gb18030") in report.notes
    assert ENTERPRISES[1]["name"] in {n for *_, n in _points(db).values()}


def test_xlsx_with_chinese_headers_and_sheet_choice(db, tmp_path):
    path = tmp_path / "名录.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"说明": ["封面"]}).to_excel(writer, sheet_name="封面", index=False)
        enterprise_frame().to_excel(writer, sheet_name="企业", index=False)
    report = import_layer(db, "enterprise", path, sheet="企业")
    assert report.inserted == 3, report.problems


def test_geojson_geopackage_and_zipped_gbk_shapefile(db, tmp_path):
    frame = enterprise_frame()
    gdf = gpd.GeoDataFrame(
        frame.drop(columns=["经度", "纬度"]),
        geometry=gpd.points_from_xy(frame["经度"], frame["纬度"]),
        crs=4326,
    ).rename(columns={"统一社会信用代码": "uscc", "企业名称": "name", "从业人数": "employees"})
    gdf.to_file(tmp_path / "e.geojson", driver="GeoJSON")
    assert import_layer(db, "enterprise", tmp_path / "e.geojson").inserted == 3
    pyogrio.write_dataframe(gdf, tmp_path / "e.gpkg", layer="enterprises")
    pyogrio.write_dataframe(gdf.iloc[:1], tmp_path / "e.gpkg", layer="other", append=False)
    assert (
        _touched(import_layer(db, "enterprise", tmp_path / "e.gpkg", source_layer="enterprises"))
        == 3
    )
    pyogrio.write_dataframe(gdf, tmp_path / "e.shp", encoding="GBK")
    (tmp_path / "e.cpg").unlink()  # a Chinese shapefile without .cpg: GBK must be detected
    with zipfile.ZipFile(tmp_path / "e.zip", "w") as archive:
        for suffix in ("shp", "shx", "dbf", "prj"):
            archive.write(tmp_path / f"e.{suffix}", f"e.{suffix}")
    zipped = import_layer(db, "enterprise", tmp_path / "e.zip")
    assert _touched(zipped) == 3 and zipped.rejected_rows == {}
    assert ENTERPRISES[2]["name"] in {n for *_, n in _points(db).values()}
    plain = import_layer(db, "enterprise", tmp_path / "e.shp")
    assert _touched(plain) == 3


@pytest.mark.parametrize(
    ("crs", "forward"),
    [("gcj02", chinese_crs.wgs84_to_gcj02), ("bd09", chinese_crs.wgs84_to_bd09)],
)
def test_chinese_coordinates_are_converted_and_raw_kept(db, tmp_path, crs, forward):
    frame = enterprise_frame()
    true_lon, true_lat = frame["经度"].to_numpy(), frame["纬度"].to_numpy()
    shifted_lon, shifted_lat = forward(true_lon, true_lat)
    frame["经度"], frame["纬度"] = shifted_lon, shifted_lat
    path = tmp_path / f"{crs}.csv"
    frame.to_csv(path, index=False)
    report = import_layer(db, "enterprise", path, crs=crs)
    assert report.inserted == 3
    for i, row in enumerate(ENTERPRISES):
        ent = db.scalar(select(Enterprise).where(Enterprise.uscc == row["uscc"]))
        x, y = db.execute(
            select(func.ST_X(Enterprise.geom), func.ST_Y(Enterprise.geom)).where(
                Enterprise.id == ent.id
            )
        ).one()
        assert abs(x - true_lon[i]) < 5e-6 and abs(y - true_lat[i]) < 5e-6  # < 0.5 m
        assert ent.coord_source == crs and ent.raw_crs == crs
        assert ent.raw_x == pytest.approx(shifted_lon[i]) and ent.raw_y == pytest.approx(
            shifted_lat[i]
        )


def test_projected_cgcs2000_gauss_kruger_is_reprojected(db, tmp_path):
    import pyproj

    to_gk = pyproj.Transformer.from_crs(4326, 4549, always_xy=True)  # CGCS2000 3° GK CM 120E
    frame = enterprise_frame()
    x, y = to_gk.transform(frame["经度"].to_numpy(), frame["纬度"].to_numpy())
    frame["经度"], frame["纬度"] = x, y
    path = tmp_path / "gk.csv"
    frame.to_csv(path, index=False)
    report = import_layer(db, "enterprise", path, crs="EPSG:4549")
    assert report.inserted == 3
    lon = db.scalar(
        select(func.ST_X(Enterprise.geom)).where(Enterprise.uscc == ENTERPRISES[0]["uscc"])
    )
    assert lon == pytest.approx(ENTERPRISES[0]["lon"], abs=1e-7)


def test_grids_from_wkt_link_to_community_and_keep_history_on_reimport(db, tmp_path):
    add_community(db)
    west, east = box(120.70, 31.30, 120.72, 31.32), box(120.72, 31.30, 120.74, 31.32)
    frame = pd.DataFrame(
        {
            "网格编码": ["320571001001001", "320571001001002"],
            "名称": ["星海社区第1网格", "星海社区第2网格"],
            "网格类型": ["基础网格", "专属网格"],
            "社区编码": ["320571001001", "320571001001"],
            "wkt": [west.wkt, MultiPolygon([east]).wkt],
        }
    )
    path = tmp_path / "grids.csv"
    frame.to_csv(path, index=False)
    assert import_layer(db, "grid", path).inserted == 2
    grids = {g.code: g for g in db.scalars(select(Grid))}
    assert grids["320571001001002"].kind == "dedicated"
    frame.loc[0, "名称"] = "星海社区第1网格（更名）"
    frame.to_csv(path, index=False)
    renamed = import_layer(db, "grid", path)
    assert (renamed.updated, renamed.unchanged) == (1, 1)  # the renamed grid only
    frame.loc[0, "wkt"] = box(120.70, 31.30, 120.721, 31.32).wkt
    frame.loc[1, "wkt"] = box(120.721, 31.30, 120.74, 31.32).wkt
    frame.to_csv(path, index=False)
    report = import_layer(db, "grid", path)
    assert report.updated == 2
    db.expire_all()
    grids = {g.code: g for g in db.scalars(select(Grid))}
    assert {code: g.version for code, g in grids.items()} == {
        "320571001001001": 2,
        "320571001001002": 2,
    }
    assert grids["320571001001001"].name == "星海社区第1网格（更名）"
    history = db.scalars(select(BoundaryVersion).order_by(BoundaryVersion.feature_id)).all()
    assert [(h.code, h.version) for h in history] == [
        ("320571001001001", 1),
        ("320571001001002", 1),
    ]


def test_point_outside_the_park_is_kept_without_grid(db, tmp_path):
    frame = enterprise_frame().iloc[:1]
    path = tmp_path / "one.csv"
    frame.to_csv(path, index=False)
    import_layer(db, "enterprise", path)
    ent = db.scalar(select(Enterprise))
    assert ent is not None and ent.grid_id is None


def test_geometry_type_point_accepts_single_multipoint(db, tmp_path):
    frame = enterprise_frame().drop(columns=["经度", "纬度"])
    frame["wkt"] = [f"MULTIPOINT ({r['lon']} {r['lat']})" for r in ENTERPRISES]
    path = tmp_path / "mp.csv"
    frame.to_csv(path, index=False)
    assert import_layer(db, "enterprise", path).inserted == 3
    assert (
        Point(ENTERPRISES[0]["lon"], ENTERPRISES[0]["lat"]).x
        == _points(db)[ENTERPRISES[0]["uscc"]][0]
    )


def test_enterprise_compound_and_shelter_area_come_as_wkt(db, tmp_path):
    frame = enterprise_frame()
    frame["用地范围"] = [
        box(e["lon"] - 0.001, e["lat"] - 0.001, e["lon"] + 0.001, e["lat"] + 0.001).wkt
        for e in ENTERPRISES
    ]
    frame.loc[2, "用地范围"] = None
    path = tmp_path / "compound.csv"
    frame.to_csv(path, index=False)
    assert import_layer(db, "enterprise", path).inserted == 3
    areas = db.execute(
        select(Enterprise.uscc, func.ST_Area(func.Geography(Enterprise.compound)))
    ).all()
    measured = dict(areas)
    assert measured[ENTERPRISES[0]["uscc"]] == pytest.approx(190.0 * 222.0, rel=0.02)
    assert measured[ENTERPRISES[2]["uscc"]] is None
    shelters = pd.DataFrame(
        {
            "名称": ["星海小学"],
            "场所类型": ["学校"],
            "容纳人数": [1200],
            "wkt": ["POINT (120.71 31.31)"],
            "场所范围": [
                "POLYGON ((120.709 31.309, 120.711 31.309, 120.711 31.311, 120.709 31.309))"
            ],
        }
    )
    shelters.to_csv(tmp_path / "shelter.csv", index=False)
    report = import_layer(db, "shelter", tmp_path / "shelter.csv")
    assert report.inserted == 1, report.problems


@pytest.mark.parametrize(
    ("lons", "kept"),
    [
        (["120.10000000000000001", "+120.7", "0120.5"], True),  # plain decimals, as written
        (["1.201e2", "120.7", "120.5"], False),  # an exponent: the parsed numbers
    ],
)
def test_raw_coordinates_are_the_files_numbers_exactly(db, tmp_path, lons, kept):
    frame = enterprise_frame()
    frame["经度"] = lons
    path = tmp_path / "e.csv"
    frame.to_csv(path, index=False)
    assert (shapes.coordinate_texts(readers.read_source(path)) is not None) == kept
    assert import_layer(db, "enterprise", path, crs="wgs84").inserted == 3
    rows = db.execute(select(Enterprise.uscc, Enterprise.raw_x, func.ST_X(Enterprise.geom))).all()
    by_uscc = {uscc: (raw, x) for uscc, raw, x in rows}
    for entry, lon in zip(ENTERPRISES, lons, strict=True):
        assert by_uscc[entry["uscc"]] == (float(lon), float(lon))
