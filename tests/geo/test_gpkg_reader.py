"""The GeoPackage reader (geo/layers/gpkg.py) gives exactly what GDAL gives, or steps aside."""

from __future__ import annotations

import contextlib
import sqlite3

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geo.errors import InvalidInput
from geo.layers import gpkg, readers


def _write(path, frame, layer="places", **options):
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", **options)
    return path


def _same_as_gdal(path, layer):
    fast = gpkg.read(str(path), layer)
    assert fast is not None, "the plain file should not need GDAL"
    attrs, geoms, crs = fast
    slow, slow_geoms, slow_crs, _ = readers._read_gdal(str(path), layer, None)
    assert crs == slow_crs
    assert list(attrs.columns) == list(slow.columns)
    for name in attrs.columns:
        ours, theirs = attrs[name].tolist(), slow[name].tolist()
        assert ours == theirs, name  # 5 == 5.0: GDAL gives a column with gaps as floats
        assert [type(v) for v in ours if isinstance(v, bool)] == [
            type(v) for v in theirs if isinstance(v, bool)
        ]
    assert len(geoms) == len(slow_geoms)
    for ours, theirs in zip(geoms, slow_geoms, strict=True):
        if theirs is None:
            assert ours is None
        else:
            assert shapely.equals_exact(ours, theirs, 0) or (ours.is_empty and theirs.is_empty)
    return attrs, geoms


def test_points_with_every_plain_type_read_as_gdal_reads_them(tmp_path):
    frame = gpd.GeoDataFrame(
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
    attrs, geoms = _same_as_gdal(_write(tmp_path / "p.gpkg", frame), "places")
    assert attrs["名称"][1] == "金鸡湖 'quoted' \"name\"" and geoms[2] is None


def test_the_fast_path_for_points_unpacks_them_at_once_and_exactly(tmp_path):
    rng = np.random.default_rng(7)
    xs, ys = 120 + rng.random(500), 31 + rng.random(500)
    frame = gpd.GeoDataFrame(
        {"n": range(500)}, geometry=list(shapely.points(xs, ys)), crs="EPSG:4490"
    )
    path = _write(tmp_path / "many.gpkg", frame)
    with sqlite3.connect(path) as db:
        blobs = tuple(row[0] for row in db.execute("SELECT geom FROM places ORDER BY fid"))
    points = gpkg._points(blobs)
    assert points is not None  # all alike: unpacked by numpy
    assert np.array_equal(shapely.get_x(points), xs) and np.array_equal(shapely.get_y(points), ys)
    _same_as_gdal(path, "places")


def test_polygons_and_empty_points_go_through_wkb(tmp_path):
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
    _same_as_gdal(_write(tmp_path / "poly.gpkg", frame), "places")
    points = gpd.GeoDataFrame(
        {"code": ["a", "b"]}, geometry=[shapely.Point(120, 31), shapely.Point()], crs="EPSG:4326"
    )
    _same_as_gdal(_write(tmp_path / "empty.gpkg", points), "places")


def test_one_layer_of_several_is_read(tmp_path):
    path = tmp_path / "two.gpkg"
    one = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(120, 31)], crs="EPSG:4326")
    two = gpd.GeoDataFrame(
        {"b": ["x", "y"]}, geometry=[shapely.Point(121, 32)] * 2, crs="EPSG:4326"
    )
    _write(path, one, layer="one")
    _write(path, two, layer="two")
    attrs, _ = _same_as_gdal(path, "two")
    assert attrs["b"].tolist() == ["x", "y"]
    assert readers.read_source(path, layer="two").frame["b"].tolist() == ["x", "y"]


@pytest.mark.parametrize("case", ["dates", "no crs", "projected crs"])
def test_what_it_does_not_read_is_left_to_gdal_with_the_same_result(tmp_path, case):
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
    if case != "projected crs":  # EPSG:32651 is an EPSG system: read here
        assert gpkg.read(str(path), "places") is None
    source = readers.read_source(path)
    assert source.frame["a"].tolist() == [1, 2]
    assert source.crs == {"dates": "EPSG:4326", "no crs": None, "projected crs": "EPSG:32651"}[case]


def test_a_damaged_geopackage_is_refused_by_gdal_with_a_clear_message(tmp_path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    assert gpkg.read(str(path), "places") is None
    with pytest.raises(InvalidInput, match=r"broken\.gpkg"):
        readers.read_source(path)
