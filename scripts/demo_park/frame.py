"""The local metric frame of the demo park and its conversion to rounded WGS84 lon/lat.

All geometry is drawn in metres east/north of an origin near Suzhou Industrial Park and
converted once, by an equirectangular mapping scaled at the park's mid latitude (error below
0.3 % over the 8 km x 6 km extent). Pure float arithmetic keeps the output byte-identical
across machines, which a PROJ version change might not.
"""

from __future__ import annotations

import math
import random

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

SEED = 20261031
ORIGIN_LON = 120.705
ORIGIN_LAT = 31.288
MID_LAT = 31.315
DECIMALS = 7
SCALE = 10.0**DECIMALS
WGS84_A = 6378137.0
WGS84_E2 = 0.00669437999014


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and latitude on the WGS84 ellipsoid at `lat`."""
    phi = math.radians(lat)
    w = 1.0 - WGS84_E2 * math.sin(phi) ** 2
    per_lat = math.pi / 180.0 * WGS84_A * (1.0 - WGS84_E2) / w**1.5
    per_lon = math.pi / 180.0 * WGS84_A * math.cos(phi) / math.sqrt(w)
    return per_lon, per_lat


M_PER_LON, M_PER_LAT = metres_per_degree(MID_LAT)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """The rounded lon/lat of the metric point (x, y)."""
    return _round(ORIGIN_LON + x / M_PER_LON), _round(ORIGIN_LAT + y / M_PER_LAT)


def _round(value: float) -> float:
    # the same arithmetic as numpy.round(value, 7), so scalar and array paths agree bit for bit
    return round(value * SCALE) / SCALE


def metric(lon: float, lat: float) -> tuple[float, float]:
    """The metric point of lon/lat (inverse of `lonlat`, without rounding)."""
    return (lon - ORIGIN_LON) * M_PER_LON, (lat - ORIGIN_LAT) * M_PER_LAT


def _to_lonlat_array(coords: np.ndarray) -> np.ndarray:
    out = np.empty_like(coords)
    out[:, 0] = np.round(ORIGIN_LON + coords[:, 0] / M_PER_LON, DECIMALS)
    out[:, 1] = np.round(ORIGIN_LAT + coords[:, 1] / M_PER_LAT, DECIMALS)
    return out


def _to_metric_array(coords: np.ndarray) -> np.ndarray:
    out = np.empty_like(coords)
    out[:, 0] = (coords[:, 0] - ORIGIN_LON) * M_PER_LON
    out[:, 1] = (coords[:, 1] - ORIGIN_LAT) * M_PER_LAT
    return out


def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """`geom` (metric) in rounded lon/lat."""
    return shapely.transform(geom, _to_lonlat_array)


def to_metric(geom: BaseGeometry) -> BaseGeometry:
    """`geom` (lon/lat) in the metric frame."""
    return shapely.transform(geom, _to_metric_array)


def rng(stream: str) -> random.Random:
    """A generator for one named stream, so that layers do not disturb each other's draws."""
    return random.Random(f"{SEED}:{stream}")  # noqa: S311 - demo data, not secrets
