"""Vector files read through Arrow (readers._read_gdal, pyogrio's use_arrow) give exactly what
GDAL's feature-by-feature read gives: the same cells, types, geometries and CRS."""

from __future__ import annotations

import contextlib

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geo.errors import InvalidInput
from geo.layers import readers


def _write(path, frame, layer="places", driver="GPKG", **options):
    pyogrio.write_dataframe(frame, path, layer=layer, driver=driver, **options)
    return path


def _same_both_ways(path, layer="places", encoding=None):
    attrs, geoms, crs, used = readers._read_gdal(str(path), layer, encoding)
    slow, slow_geoms, slow_crs, slow_used = readers._read_gdal(str(path), layer, encoding, False)
    assert (crs, used) == (slow_crs, slow_used)
    assert list(attrs.columns) == list(slow.columns)
    for name in attrs.columns:
        ours, theirs = attrs[name].tolist(), slow[name].tolist()
        assert ours == theirs, name  # 5 == 5.0: GDAL gives a column with gaps as floats
        assert list(map(type, ours)) == list(map(type, theirs)), name
    assert len(geoms) == len(slow_geoms)
    for ours, theirs in zip(geoms, slow_geoms, strict=True):
        if theirs is None:
            assert ours is None
        else:
            assert shapely.equals_exact(ours, theirs, 0) or (ours.is_empty and theirs.is_empty)
    return attrs, geoms


def _places() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "名称": ["苏州星海精密机械有限公司", "金鸡湖 'quoted' \"name\"", None, "唯亭\t电子"],
            "employees": [12, None, 7, 0],
            "area": [1.5, 2.25, None, 1e-9],
            "active": [True, False, True, True],
            "count": [1, 2, 3, 4],
        },
        geometry=[
            shapely.Point(120.7, 31.3),
            shapely.Point(120.123456789012345, 31.98765432109876),
            None,
            shapely.Point(-0.0, 89.9),
        ],
        crs="EPSG:4326",
    )


def test_points_with_every_plain_type_read_the_same(tmp_path):
    attrs, geoms = _same_both_ways(_write(tmp_path / "p.gpkg", _places()))
    assert attrs["名称"][1] == "金鸡湖 'quoted' \"name\"" and geoms[2] is None
    assert attrs["名称"][2] is None and attrs["active"][0] is True


def test_many_points_exactly(tmp_path):
    rng = np.random.default_rng(7)
    xs, ys = 120 + rng.random(500), 31 + rng.random(500)
    frame = gpd.GeoDataFrame(
        {"n": range(500)}, geometry=list(shapely.points(xs, ys)), crs="EPSG:4490"
    )
    _, geoms = _same_both_ways(_write(tmp_path / "many.gpkg", frame))
    assert np.array_equal(shapely.get_x(geoms), xs) and np.array_equal(shapely.get_y(geoms), ys)


def test_polygons_empty_and_missing_geometries(tmp_path):
    square = shapely.box(120.0, 31.0, 120.1, 31.1).difference(
        shapely.box(120.02, 31.02, 120.03, 31.03)
    )
    frame = gpd.GeoDataFrame(
        {"code": ["a", "b", "c"]},
        geometry=[
            shapely.MultiPolygon([square]),
            shapely.MultiPolygon([square, shapely.box(121, 31, 121.1, 31.1)]),
            None,
        ],
        crs="EPSG:4490",
    )
    _same_both_ways(_write(tmp_path / "poly.gpkg", frame))
    points = gpd.GeoDataFrame(
        {"code": ["a", "b"]}, geometry=[shapely.Point(120, 31), shapely.Point()], crs="EPSG:4326"
    )
    _same_both_ways(_write(tmp_path / "empty.gpkg", points))


def test_one_layer_of_several_is_read(tmp_path):
    path = tmp_path / "two.gpkg"
    one = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(120, 31)], crs="EPSG:4326")
    two = gpd.GeoDataFrame(
        {"b": ["x", "y"]}, geometry=[shapely.Point(121, 32)] * 2, crs="EPSG:4326"
    )
    _write(path, one, layer="one")
    _write(path, two, layer="two")
    attrs, _ = _same_both_ways(path, "two")
    assert attrs["b"].tolist() == ["x", "y"]
    assert readers.read_source(path, layer="two").frame["b"].tolist() == ["x", "y"]


@pytest.mark.parametrize("case", ["dates", "no crs", "projected crs"])
def test_dates_and_other_crss(tmp_path, case):
    frame = gpd.GeoDataFrame(
        {"a": [1, 2]}, geometry=[shapely.Point(120, 31), shapely.Point(120.5, 31.5)],
        crs="EPSG:4326",
    )  # fmt: skip
    if case == "dates":
        frame["day"] = np.array(["2026-05-01", "2026-06-30"], dtype="datetime64[ns]")
    elif case == "no crs":
        frame = frame.set_crs(None, allow_override=True)
    else:
        frame = frame.to_crs("EPSG:32651")
    path = tmp_path / "other.gpkg"
    with pytest.warns(UserWarning) if case == "no crs" else contextlib.nullcontext():
        _write(path, frame)
    _same_both_ways(path)
    source = readers.read_source(path)
    assert source.frame["a"].tolist() == [1, 2]
    assert source.crs == {"dates": "EPSG:4326", "no crs": None, "projected crs": "EPSG:32651"}[case]


@pytest.mark.parametrize("cpg", [True, False], ids=["with .cpg", "GBK sniffed"])
def test_a_gbk_shapefile_reads_the_same(tmp_path, cpg):
    path = _write(tmp_path / "e.shp", _places(), driver="ESRI Shapefile", encoding="GBK")
    if not cpg:
        (tmp_path / "e.cpg").unlink()
    attrs, _ = _same_both_ways(path, "e", readers._shapefile_encoding(str(path)))
    assert attrs["名称"][0] == "苏州星海精密机械有限公司"


def test_geojson_date_times_stay_text_both_ways(tmp_path):
    path = tmp_path / "v.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"at": "2026-05-01T09:30:15.123456+08:00", "名称": "走访"}, '
        '"geometry": {"type": "Point", "coordinates": [120.7, 31.3]}}]}',
        encoding="utf-8",
    )
    attrs, _ = _same_both_ways(path, "v")
    assert attrs["at"][0] == "2026-05-01T09:30:15.123456+08:00"


def test_a_damaged_geopackage_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(InvalidInput, match=r"broken\.gpkg"):
        readers.read_source(path)
