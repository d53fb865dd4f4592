"""Chinese coordinate systems: WGS-84/CGCS2000, GCJ-02 and BD-09, and any EPSG code to WGS-84.

GCJ-02 (国测局, used by AMap and Tencent) is WGS-84 plus a deliberate, smoothly varying offset
of a few hundred metres; BD-09 (Baidu) adds a second offset on top of GCJ-02. Chinese map
providers apply both only in mainland China: Hong Kong, Macau and Taiwan, like the rest of the
world, keep WGS-84. So every conversion here moves a point only where `in_china` holds on its
less-shifted side (the input of a forward conversion, the result of an inverse one) and leaves
it unchanged elsewhere; every point in China therefore survives a round trip.

`in_china` tests against a committed outline of mainland China (``geo/data``, built by
``scripts/make_china_outline.py`` from Natural Earth 1:10m, public domain): its land plus a
~30 km sea margin, minus other countries' land and its nearest 2 km of water. Borders follow
Natural Earth's de-facto lines to ~0.4 km, so points that close to a land border (the Shenzhen
river, Gongbei, Dongxing) may fall either side, and within ~1 km of a land border a GCJ-02 or
BD-09 position can be read both ways: the inverses resolve that for China. The Matsu islands,
missing from Natural Earth, count as China. The outline only decides where the offsets apply;
it states no border.

CGCS2000 (EPSG:4490) is taken as equal to WGS-84: they differ by centimetres.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from pyproj.exceptions import CRSError

from geo.errors import CrsUnknown

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Kernel = Callable[[Floats, Floats], tuple[Floats, Floats]]

# GCJ-02's published formula works on the Krasovsky 1940 ellipsoid.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_E2 = 0.00669342162296594323
# BD-09 perturbs GCJ-02 in polar form with waves of period 0.12 degree.
_BD_K = np.pi * 3000.0 / 180.0
_BD_SHIFT = (0.0065, 0.006)
# 1e-7 degree is ~1 cm, far below the 0.5 m the inverse must reach.
_INVERSE_TOL = 1e-7
_INVERSE_MAX_ITER = 30

_ALIASES: dict[str, tuple[str, ...]] = {
    "wgs84": ("wgs84", "wgs1984", "epsg:4326", "gps"),
    "cgcs2000": ("cgcs2000", "epsg:4490", "cgcs", "国家2000", "2000国家大地坐标系"),
    "gcj02": ("gcj02", "gcj", "amap", "gaode", "autonavi", "tencent", "高德", "腾讯", "火星坐标系"),
    "bd09": ("bd09", "bd09ll", "baidu", "百度"),
}
_CANONICAL = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_EPSG = re.compile(r"epsg:*(\d+)")
_HELP = (
    "可用：WGS84、CGCS2000、GCJ-02（高德/腾讯）、BD-09（百度）或 EPSG:代码 / "
    "use one of: wgs84, cgcs2000, gcj02 (AMap, Tencent), bd09 (Baidu) or EPSG:<code>, "
    "e.g. EPSG:4549 for CGCS2000 / 3-degree Gauss-Kruger CM 120E"
)


def check_lonlat(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Bools:
    """True where (lon, lat) is finite and within [-180, 180] x [-90, 90].

    >>> check_lonlat([120.7, 200.0, float("nan")], [31.3, 31.3, 31.3]).tolist()
    [True, False, False]
    """
    x, y = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
    with np.errstate(invalid="ignore"):
        valid: Bools = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0)
    return valid


@cache
def _outline() -> shapely.Geometry:
    """Mainland China's outline, loaded once and prepared for fast point tests."""
    source = resources.files("geo").joinpath("data", "china_outline.geojson")
    parts = shapely.get_parts(shapely.from_geojson(source.read_text(encoding="utf-8")))
    outline = shapely.union_all(parts)
    shapely.prepare(outline)
    return outline


def in_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Bools:
    """True where the point lies in mainland China, the domain of the GCJ-02 and BD-09 offsets.

    >>> in_china([116.397, 114.169, 121.565], [39.909, 22.319, 25.033]).tolist()
    [True, False, False]
    """
    x, y = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
    inside: Bools = np.asarray(shapely.contains_xy(_outline(), x, y), dtype=np.bool_)
    return inside


def _gcj_offset_metres(x: Floats, y: Floats) -> tuple[Floats, Floats]:
    """GCJ-02's east and north offsets in metres, at x, y degrees from 105E 35N."""
    waves = (20.0 * np.sin(6.0 * np.pi * x) + 20.0 * np.sin(2.0 * np.pi * x)) * 2.0 / 3.0
    north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    north += waves + (20.0 * np.sin(np.pi * y) + 40.0 * np.sin(np.pi * y / 3.0)) * 2.0 / 3.0
    north += (160.0 * np.sin(np.pi * y / 12.0) + 320.0 * np.sin(np.pi * y / 30.0)) * 2.0 / 3.0
    east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    east += waves + (20.0 * np.sin(np.pi * x) + 40.0 * np.sin(np.pi * x / 3.0)) * 2.0 / 3.0
    east += (150.0 * np.sin(np.pi * x / 12.0) + 300.0 * np.sin(np.pi * x / 30.0)) * 2.0 / 3.0
    return east, north


def _gcj_offset(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """GCJ-02 minus WGS-84, in degrees, at a WGS-84 position."""
    east, north = _gcj_offset_metres(lon - 105.0, lat - 35.0)
    # Metres to degrees with the Krasovsky radii of curvature at this latitude:
    # meridional for north, prime vertical times cos(lat) for east.
    phi = np.radians(lat)
    w2 = 1.0 - _KRASOVSKY_E2 * np.sin(phi) ** 2
    meridional = _KRASOVSKY_A * (1.0 - _KRASOVSKY_E2) / (w2 * np.sqrt(w2))
    parallel = _KRASOVSKY_A / np.sqrt(w2) * np.cos(phi)
    return np.degrees(east / parallel), np.degrees(north / meridional)


def _gcj_forward(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _invert(
    forward: Kernel, lon: Floats, lat: Floats, start: tuple[Floats, Floats]
) -> tuple[Floats, Floats]:
    """Solve forward(w) = (lon, lat) for w by fixed-point iteration from start.

    Both offsets vary slowly with position (GCJ-02's by under 0.01 degree per degree, BD-09's
    by ~0.02), so each step w <- w - (forward(w) - target) shrinks the error ~50-fold: 2-4
    steps reach 1e-7 degree (1 cm). The cap of 30 steps is only a safeguard.
    """
    wlon, wlat = start
    for _ in range(_INVERSE_MAX_ITER):
        flon, flat = forward(wlon, wlat)
        elon, elat = flon - lon, flat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if max(np.abs(elon).max(initial=0.0), np.abs(elat).max(initial=0.0)) < _INVERSE_TOL:
            break
    return wlon, wlat


def _gcj_inverse(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """WGS-84 from GCJ-02, iterating from the GCJ-02 point itself.

    The offset is a sum of sines and square roots of the unknown *WGS-84* position, so it has
    no closed-form inverse.
    """
    return _invert(_gcj_forward, lon, lat, (lon, lat))


def _bd_forward(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """BD-09 from GCJ-02: perturb radius and angle, then shift by (0.0065, 0.006)."""
    radius = np.hypot(lon, lat) + 2e-5 * np.sin(lat * _BD_K)
    theta = np.arctan2(lat, lon) + 3e-6 * np.cos(lon * _BD_K)
    return radius * np.cos(theta) + _BD_SHIFT[0], radius * np.sin(theta) + _BD_SHIFT[1]


def _bd_closed_form(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """The usual closed-form BD-09 inverse, good to ~0.2 m only.

    It evaluates the perturbation at the BD-09 point, which is up to ~4e-4 degree from the
    unknown GCJ-02 one (the angle term acts on a ~124 degree radius).
    """
    x, y = lon - _BD_SHIFT[0], lat - _BD_SHIFT[1]
    radius = np.hypot(x, y) - 2e-5 * np.sin(y * _BD_K)
    theta = np.arctan2(y, x) - 3e-6 * np.cos(x * _BD_K)
    return radius * np.cos(theta), radius * np.sin(theta)


def _bd_inverse(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """GCJ-02 from BD-09: the closed form, refined to ~1 cm by a couple of iterations."""
    return _invert(_bd_forward, lon, lat, _bd_closed_form(lon, lat))


def _flat_copies(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Floats, Floats, tuple[int, ...]]:
    """Broadcast lon and lat, and return 1-D float copies (never views of the caller's data)."""
    bx, by = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
    return bx.astype(np.float64).ravel(), by.astype(np.float64).ravel(), bx.shape


def _shift_from_china(
    lon: npt.ArrayLike, lat: npt.ArrayLike, kernel: Kernel
) -> tuple[Floats, Floats]:
    """Apply a forward kernel to the points that lie in China; copy the others unchanged."""
    x, y, shape = _flat_copies(lon, lat)
    inside = in_china(x, y)
    x[inside], y[inside] = kernel(x[inside], y[inside])
    return x.reshape(shape), y.reshape(shape)


def _unshift_into_china(
    lon: npt.ArrayLike, lat: npt.ArrayLike, kernel: Kernel
) -> tuple[Floats, Floats]:
    """Apply an inverse kernel where its result lies in China; copy the others unchanged.

    Judging the result, not the input, makes every Chinese point survive a round trip, even
    one whose shifted image crossed the outline (a Shenzhen point near the Hong Kong border).
    Within ~1 km of a land border a shifted position can also be a foreign, unshifted one;
    that ambiguity is resolved in favour of China, where gridmap's data lives.
    """
    x, y, shape = _flat_copies(lon, lat)
    west, south, east, north = shapely.bounds(_outline())
    near = (x > west - 0.1) & (x < east + 0.1) & (y > south - 0.1) & (y < north + 0.1)
    candidates = np.flatnonzero(near)
    ux, uy = kernel(x[candidates], y[candidates])
    keep = in_china(ux, uy)
    x[candidates[keep]], y[candidates[keep]] = ux[keep], uy[keep]
    return x.reshape(shape), y.reshape(shape)


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Floats, Floats]:
    """GCJ-02 (AMap, Tencent) from WGS-84; points outside mainland China are returned unchanged.

    >>> lon, lat = wgs84_to_gcj02(116.391, 39.907)  # Tiananmen: ~600 m east, ~150 m north
    >>> round(float(lon), 6), round(float(lat), 6)
    (116.397241, 39.908401)
    """
    return _shift_from_china(lon, lat, _gcj_forward)


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Floats, Floats]:
    """WGS-84 from GCJ-02 to ~1 cm (iterative); unchanged unless the result lies in China.

    >>> lon, lat = gcj02_to_wgs84(116.397241, 39.908401)
    >>> round(float(lon), 6), round(float(lat), 6)
    (116.391, 39.907)
    """
    return _unshift_into_china(lon, lat, _gcj_inverse)


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Floats, Floats]:
    """BD-09 (Baidu) from GCJ-02; points outside mainland China are returned unchanged.

    >>> lon, lat = gcj02_to_bd09(116.42703, 39.90245)  # Beijing railway station
    >>> round(float(lon), 6), round(float(lat), 6)
    (116.433509, 39.908503)
    """
    return _shift_from_china(lon, lat, _bd_forward)


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Floats, Floats]:
    """GCJ-02 from BD-09 to ~1 cm; unchanged unless the result lies in mainland China.

    >>> lon, lat = bd09_to_gcj02(*gcj02_to_bd09(116.42703, 39.90245))
    >>> round(float(lon), 7), round(float(lat), 7)
    (116.42703, 39.90245)
    """
    return _unshift_into_china(lon, lat, _bd_inverse)


def _wgs_to_bd(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    return _bd_forward(*_gcj_forward(lon, lat))


def _bd_to_wgs(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    return _gcj_inverse(*_bd_inverse(lon, lat))


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Floats, Floats]:
    """BD-09 from WGS-84 through GCJ-02, deciding 'in China' once, on the WGS-84 input.

    >>> lon, lat = wgs84_to_bd09(139.6917, 35.6895)  # Tokyo: outside China, unchanged
    >>> float(lon), float(lat)
    (139.6917, 35.6895)
    """
    return _shift_from_china(lon, lat, _wgs_to_bd)


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Floats, Floats]:
    """WGS-84 from BD-09 through GCJ-02, deciding 'in China' once, on the WGS-84 result.

    >>> lon, lat = bd09_to_wgs84(*wgs84_to_bd09(120.7, 31.32))
    >>> round(float(lon), 6), round(float(lat), 6)
    (120.7, 31.32)
    """
    return _unshift_into_china(lon, lat, _bd_to_wgs)


def _epsg(code: str, text: str) -> str:
    """'EPSG:n' once pyproj knows the code as a horizontal CRS, or the built-in name it equals."""
    for name in ("wgs84", "cgcs2000"):
        if f"epsg:{code}" in _ALIASES[name]:
            return name
    try:
        crs = pyproj.CRS.from_epsg(int(code))
    except CRSError as exc:
        raise CrsUnknown(
            f"未知的 EPSG 代码 {code} / unknown EPSG code {code} in '{text}'; {_HELP}",
            detail={"crs": text},
        ) from exc
    if not (crs.is_geographic or crs.is_projected):
        raise CrsUnknown(
            f"EPSG:{code} 不是水平坐标系 / EPSG:{code} ({crs.name}) is not a horizontal "
            f"coordinate system; {_HELP}",
            detail={"crs": text},
        )
    return f"EPSG:{code}"


def parse_crs(text: str) -> str:
    """Normalise a user's CRS spelling to 'wgs84', 'cgcs2000', 'gcj02', 'bd09' or 'EPSG:n'.

    >>> [parse_crs(s) for s in ("WGS-84", "EPSG:4490", "高德", "Baidu", "epsg:3857")]
    ['wgs84', 'cgcs2000', 'gcj02', 'bd09', 'EPSG:3857']
    """
    key = re.sub(r"[\s_\-]", "", str(text).casefold())
    if key in _CANONICAL:
        return _CANONICAL[key]
    match = _EPSG.fullmatch(key)
    if match:
        return _epsg(match.group(1), text)
    raise CrsUnknown(
        f"未知坐标系 '{text}' / unknown coordinate system '{text}'; {_HELP}",
        detail={"crs": text, "accepted": [*_ALIASES, "EPSG:<code>"]},
    )


@lru_cache(maxsize=32)
def _transformer(crs: str) -> pyproj.Transformer:
    """A cached EPSG-to-WGS-84 transformer in lon/lat order (thread-safe since pyproj 3.1)."""
    return pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def to_wgs84(x: npt.ArrayLike, y: npt.ArrayLike, source: str) -> tuple[Floats, Floats]:
    """WGS-84 lon/lat from coordinates in `source` (any spelling `parse_crs` accepts).

    Rows that cannot be converted come back non-finite or out of range: find them with
    `check_lonlat` on the result.

    >>> lon, lat = to_wgs84([500000.0], [3466000.0], "EPSG:4549")  # CGCS2000 GK zone CM 120E
    >>> round(float(lon[0]), 4), round(float(lat[0]), 4)
    (120.0, 31.3159)
    """
    crs = parse_crs(source)
    if crs in ("wgs84", "cgcs2000"):
        bx, by = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        return bx.astype(np.float64), by.astype(np.float64)
    if crs == "gcj02":
        return gcj02_to_wgs84(x, y)
    if crs == "bd09":
        return bd09_to_wgs84(x, y)
    lon, lat = _transformer(crs).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
