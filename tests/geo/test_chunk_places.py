"""A chunk's points placed through the tree (geo/layers/chunk_places.py) get exactly the
decisions of the full assignment pass's per-polygon sweep (geo/assign_compute.py)."""

from __future__ import annotations

import itertools

import numpy as np
import shapely

from geo import assign_compute
from geo.layers import chunk_places


def _layer(polygons, ids):
    polygons = np.asarray(polygons, dtype=object)
    rings = assign_compute.rings(polygons)
    return chunk_places.Layer(np.asarray(ids), polygons, rings, shapely.STRtree(rings))


def test_the_tree_decides_as_the_sweep_does_on_and_near_every_kind_of_boundary():
    rng = np.random.default_rng(11)
    boxes = [shapely.box(120 + i / 100, 31 + j / 100, 120 + (i + 1) / 100, 31 + (j + 1) / 100)
             for i in range(6) for j in range(4)]  # fmt: skip
    slanted = [
        shapely.Polygon([(120.013, 31.011), (120.047, 31.017), (120.021, 31.033)]),
        shapely.Polygon([(120.031, 31.002), (120.058, 31.029), (120.029, 31.038)]),
    ]  # overlapping the boxes and each other: the smallest id must win
    polygons = boxes + slanted
    ids = np.arange(10, 10 + 3 * len(polygons), 3)  # ascending, not positions
    layer = _layer(polygons, ids)
    xs = list(120 + rng.random(3000) * 0.07)
    ys = list(31 + rng.random(3000) * 0.05)
    for polygon in polygons:  # its vertices, points on its edges, and a hair either side
        coords = shapely.get_coordinates(polygon)
        for (x0, y0), (x1, y1) in itertools.pairwise(coords):
            for t in (0.0, 0.25, 0.5):
                x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                for dx in (0.0, 1e-12, -1e-12, 3e-9):
                    xs.append(x + dx)
                    ys.append(y)
    xs, ys = np.array(xs), np.array(ys)
    points = shapely.points(xs, ys)
    ours, our_unsure = chunk_places.cover(points, layer)
    order = np.argsort(xs, kind="stable")
    theirs, their_unsure = np.zeros_like(ours), np.zeros_like(our_unsure)
    theirs[order], their_unsure[order] = assign_compute.cover(
        xs[order], ys[order], layer.polygons, layer.ids, layer.rings
    )
    assert np.array_equal(ours, theirs) and np.array_equal(our_unsure, their_unsure)
    assert our_unsure.sum() > 50 and (ours > 0).sum() > 2000  # both kinds were met
    assert set(ours[~our_unsure]) <= {0, *ids}


def test_no_polygons_place_nothing():
    layer = _layer([], np.array([], dtype=np.int64))
    best, unsure = chunk_places.cover(shapely.points([120.0], [31.0]), layer)
    assert best.tolist() == [0] and unsure.tolist() == [False]
