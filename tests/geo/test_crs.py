"""geo.crs: GCJ-02/BD-09 conversions against published pairs, round trips, the China outline."""

from __future__ import annotations

import doctest
import json
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import crs
from geo.errors import CrsUnknown, InvalidInput

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres (arrays or scalars)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def china_grid(step: float = 0.5):
    """A regular grid over China's bounding box, kept where in_china holds."""
    lon, lat = np.meshgrid(np.arange(73.5, 135.0, step), np.arange(18.2, 53.5, step))
    lon, lat = lon.ravel(), lat.ravel()
    inside = crs.in_china(lon, lat)
    return lon[inside], lat[inside]


# Published examples. Values are rounded to ~1e-5 degree, so allow a few metres.
# Beijing railway station, from the R package geoChina's manual (cran/geoChina, man/wgs2gcj.Rd,
# gcj2wgs.Rd, gcj2bd.Rd, bd2gcj.Rd; Jun Cai, Tsinghua University): lon, lat.
BEIJING_STATION = {
    "wgs84": (116.42079, 39.90105),
    "gcj02": (116.42703, 39.90245),
    "bd09": (116.43351, 39.90851),
}
# Hangzhou, the example response of Alibaba Cloud's address-purification "TransferCoord" API
# (help.aliyun.com/zh/address-purification/addrpapi/developer-reference/
# coordinate-system-conversion).
HANGZHOU = {
    "wgs84": (120.021519, 30.281543),
    "gcj02": (120.026268, 30.279164),
    "bd09": (120.032768, 30.285238),
}
CONVERT = {
    ("wgs84", "gcj02"): crs.wgs84_to_gcj02,
    ("gcj02", "wgs84"): crs.gcj02_to_wgs84,
    ("gcj02", "bd09"): crs.gcj02_to_bd09,
    ("bd09", "gcj02"): crs.bd09_to_gcj02,
    ("wgs84", "bd09"): crs.wgs84_to_bd09,
    ("bd09", "wgs84"): crs.bd09_to_wgs84,
}
OUTSIDE = {
    "Tokyo": (139.6917, 35.6895),
    "Seoul": (126.9780, 37.5665),
    "Hong Kong, Kowloon": (114.1694, 22.3193),
    "Macau": (113.5439, 22.1987),
    "Taipei": (121.5654, 25.0330),
    "Kinmen (Taiwan, off Xiamen)": (118.3186, 24.4321),
    "Zamyn-Uud, Mongolia (3 km from the border)": (111.8993, 43.7139),
    "Sinuiju, North Korea (across from Dandong)": (124.4000, 40.1000),
    "Blagoveshchensk, Russia (across from Heihe)": (127.5300, 50.2700),
    "Hanoi": (105.8500, 21.0300),
}
INSIDE = {
    "Urumqi": (87.6168, 43.8256),
    "Harbin": (126.5350, 45.8038),
    "Sanya": (109.5119, 18.2528),
    "Lhasa": (91.1409, 29.6456),
    "Kashgar": (75.9897, 39.4704),
    "Shenzhen Futian": (114.0579, 22.5431),
    "Zhuhai": (113.5767, 22.2707),
    "Hengqin": (113.5100, 22.1200),
    "Erenhot": (111.9770, 43.6530),
    "Heihe": (127.4900, 50.2450),
    "Dandong": (124.3800, 40.1300),
    "Suzhou Industrial Park": (120.7000, 31.3200),
    "Yangshan deep-water port (islet off the mapped coast)": (122.0600, 30.6200),
    "Caofeidian (reclaimed land)": (118.4700, 38.9500),
}


@pytest.mark.parametrize("example", [BEIJING_STATION, HANGZHOU], ids=["beijing", "hangzhou"])
@pytest.mark.parametrize("pair", list(CONVERT), ids=lambda p: f"{p[0]}->{p[1]}")
def test_conversion_matches_published_coordinates(example, pair):
    source, target = pair
    lon, lat = CONVERT[pair](*example[source])
    assert haversine_m(lon, lat, *example[target]) < 3.0


def test_gcj02_shift_is_hundreds_of_metres_in_china():
    lon, lat = china_grid(1.0)
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    shift = haversine_m(lon, lat, glon, glat)
    assert shift.min() > 10 and shift.max() < 1000


def test_gcj02_round_trip_within_half_a_metre_over_china():
    lon, lat = china_grid()
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert lon.size > 3000
    assert haversine_m(lon, lat, *back).max() < 0.5


def test_bd09_round_trip_within_half_a_metre_over_china():
    lon, lat = china_grid()
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert haversine_m(lon, lat, *back).max() < 0.5
    gcj_back = crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lon, lat))
    assert haversine_m(lon, lat, *gcj_back).max() < 0.5


@pytest.mark.parametrize(
    ("inverse", "forward"),
    [(crs.gcj02_to_wgs84, crs.wgs84_to_gcj02), (crs.bd09_to_gcj02, crs.gcj02_to_bd09)],
)
def test_inverses_converge_to_a_centimetre(inverse, forward):
    lon, lat = china_grid(0.25)
    ilon, ilat = inverse(lon, lat)
    moved = (ilon != lon) | (ilat != lat)
    assert moved.mean() > 0.99
    flon, flat = forward(ilon[moved], ilat[moved])
    assert np.abs(np.subtract((flon, flat), (lon[moved], lat[moved]))).max() < 2e-7


@settings(max_examples=200, deadline=None)
@given(st.floats(73.5, 135.0), st.floats(18.0, 53.5))
def test_round_trips_hold_for_any_point(lon, lat):
    for forward, inverse in [
        (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
        (crs.wgs84_to_bd09, crs.bd09_to_wgs84),
    ]:
        back = inverse(*forward(lon, lat))
        # Within ~1 km of the outline the shifted point may cross it: exact or 0.5 m.
        assert haversine_m(lon, lat, *back) < 0.5 or not crs.in_china(lon, lat)


@pytest.mark.parametrize("name", OUTSIDE)
def test_points_outside_mainland_china_are_not_shifted(name):
    lon, lat = OUTSIDE[name]
    assert not crs.in_china(lon, lat)
    for convert in CONVERT.values():
        assert tuple(map(float, convert(lon, lat))) == (lon, lat)


def test_border_band_is_resolved_in_favour_of_china():
    # Futian, Shenzhen, ~300 m from the Hong Kong border: its shifted images lie beyond the
    # outline, yet the inverses bring them home because they judge the result, not the input.
    futian = (114.076, 22.527)
    assert crs.in_china(*futian)
    for forward, inverse in [
        (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
        (crs.wgs84_to_bd09, crs.bd09_to_wgs84),
    ]:
        shifted = forward(*futian)
        assert not crs.in_china(*shifted)
        assert haversine_m(*futian, *inverse(*shifted)) < 0.5
    # Lok Ma Chau, Hong Kong, 0.8 km from Shenzhen: never shifted by the forward conversions.
    lok_ma_chau = (114.065, 22.512)
    assert not crs.in_china(*lok_ma_chau)
    for forward in (crs.wgs84_to_gcj02, crs.wgs84_to_bd09, crs.gcj02_to_bd09):
        assert tuple(map(float, forward(*lok_ma_chau))) == lok_ma_chau


@pytest.mark.parametrize("name", INSIDE)
def test_points_inside_china_near_its_edges_are_shifted(name):
    lon, lat = INSIDE[name]
    assert crs.in_china(lon, lat)
    assert haversine_m(lon, lat, *crs.wgs84_to_gcj02(lon, lat)) > 10
    assert haversine_m(lon, lat, *crs.wgs84_to_bd09(lon, lat)) > 10


def test_conversions_keep_shape_and_leave_inputs_alone():
    lon = np.array([[116.4, 139.7], [120.7, 114.17]])
    lat = np.array([[39.9, 35.7], [31.3, 22.32]])
    before = lon.copy()
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    assert glon.shape == glat.shape == (2, 2)
    assert np.array_equal(lon, before)
    assert crs.in_china(lon, lat).tolist() == [[True, False], [True, False]]


def test_non_finite_points_pass_through_unshifted():
    lon, lat = crs.gcj02_to_wgs84([np.nan, np.inf, 116.4], [39.9, 39.9, np.nan])
    assert np.isnan(lon[0]) and np.isinf(lon[1]) and np.isnan(lat[2])


def test_outline_is_a_small_committed_file_with_its_provenance():
    source = resources.files("geo").joinpath("data", "china_outline.geojson")
    text = source.read_text(encoding="utf-8")
    props = json.loads(text)["features"][0]["properties"]
    assert len(text) < 400_000
    assert "Natural Earth" in props["source"] and "public domain" in props["license"]


def test_in_china_is_fast_enough_for_a_large_import():
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(73, 135, 100_000), rng.uniform(18, 54, 100_000)
    inside = crs.in_china(lon, lat)
    assert 0.3 < inside.mean() < 0.7  # not a rectangle: much of the box is not China


def test_check_lonlat_flags_out_of_range_and_non_finite_rows():
    lon = [120.0, 180.0, -180.5, 120.0, np.nan, np.inf]
    lat = [30.0, -90.0, 30.0, 90.5, 30.0, 30.0]
    assert crs.check_lonlat(lon, lat).tolist() == [True, True, False, False, False, False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WGS84", "wgs84"),
        ("wgs-84", "wgs84"),
        ("EPSG:4326", "wgs84"),
        ("CGCS2000", "cgcs2000"),
        ("EPSG:4490", "cgcs2000"),
        ("GCJ-02", "gcj02"),
        ("gcj02", "gcj02"),
        ("amap", "gcj02"),
        ("Tencent", "gcj02"),
        ("高德", "gcj02"),
        ("BD-09", "bd09"),
        ("bd09", "bd09"),
        ("baidu", "bd09"),
        ("百度", "bd09"),
        ("EPSG:3857", "EPSG:3857"),
        ("epsg:4549", "EPSG:4549"),
        (" EPSG : 32650 ", "EPSG:32650"),
        ("EPSG 4549", "EPSG:4549"),
    ],
)
def test_parse_crs_accepts_common_spellings(text, expected):
    assert crs.parse_crs(text) == expected


@pytest.mark.parametrize("text", ["Mars", "EPSG:999999", "EPSG:5773", "", "4326x"])
def test_parse_crs_rejects_unknown_systems_with_the_accepted_spellings(text):
    with pytest.raises(CrsUnknown) as caught:
        crs.parse_crs(text)
    assert isinstance(caught.value, InvalidInput)
    assert "EPSG:<code>" in caught.value.message and "gcj02" in caught.value.message


def test_to_wgs84_reprojects_web_mercator():
    # Spherical Mercator on R = 6378137 m: lon = x / R, lat = 2 atan(exp(y / R)) - pi / 2.
    x, y = np.array([12_958_399.0, 13_437_758.0]), np.array([4_825_923.0, 3_657_500.0])
    radius = 6_378_137.0
    expected_lat = np.degrees(2 * np.arctan(np.exp(y / radius)) - np.pi / 2)
    lon, lat = crs.to_wgs84(x, y, "EPSG:3857")
    assert np.allclose(lon, np.degrees(x / radius), atol=1e-9)
    assert np.allclose(lat, expected_lat, atol=1e-9)
    assert 116.40 < lon[0] < 116.41 and 39.72 < lat[0] < 39.73


def test_to_wgs84_reprojects_cgcs2000_gauss_kruger_zone():
    # EPSG:4549: CGCS2000 / 3-degree Gauss-Kruger CM 120E, false easting 500 km, no zone prefix.
    lon, lat = crs.to_wgs84([500_000.0, 567_000.0], [3_466_000.0, 3_466_000.0], "EPSG:4549")
    assert lon[0] == pytest.approx(120.0, abs=1e-9)
    assert 120.69 < lon[1] < 120.72 and 31.30 < lat[1] < 31.32


def test_to_wgs84_handles_every_builtin_source():
    lon, lat = HANGZHOU["wgs84"]
    assert tuple(map(float, crs.to_wgs84(lon, lat, "cgcs2000"))) == (lon, lat)
    for source in ("gcj02", "高德", "bd09"):
        name = crs.parse_crs(source)
        assert haversine_m(lon, lat, *crs.to_wgs84(*HANGZHOU[name], source)) < 3.0


def test_to_wgs84_marks_unconvertible_rows_for_check_lonlat():
    lon, lat = crs.to_wgs84([1e30, 500_000.0], [1e30, 3_466_000.0], "EPSG:4549")
    assert crs.check_lonlat(lon, lat).tolist() == [False, True]


def test_docstring_examples_run():
    assert doctest.testmod(crs).failed == 0
