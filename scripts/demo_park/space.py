"""Free ground inside blocks: where sites, car parks and shelters can go without overlapping."""

from __future__ import annotations

import random

from shapely import STRtree
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from demo_park.hierarchy import Hierarchy
from demo_park.microgrids import Micro, inset


class Space:
    """Tracks what each block already holds, and finds free rectangles."""

    def __init__(self, h: Hierarchy, micros: list[Micro]) -> None:
        self.h = h
        self.taken: dict[int, list[BaseGeometry]] = {f.index: [] for f in h.faces}
        for m in micros:
            self.taken[m.face].append(m.metric.buffer(8))
        self._grid_tree = STRtree([g.metric for g in h.grids])

    def free(self, face: int, margin: float = 30.0) -> BaseGeometry:
        """The block's buildable ground not yet taken."""
        area: BaseGeometry = inset(self.h.faces[face], margin)
        for used in self.taken[face]:
            area = area.difference(used)
        return area

    def place(
        self,
        face: int,
        size: tuple[float, float],
        rnd: random.Random,
        near: BaseGeometry | None = None,
    ) -> Polygon | None:
        """A free w x h rectangle in a block (optionally within `near`), marked taken."""
        area = self.free(face)
        if near is not None:
            area = area.intersection(near)
        if area.is_empty:
            return None
        minx, miny, maxx, maxy = area.bounds
        w, h = size
        for _ in range(60):
            x, y = rnd.uniform(minx, maxx), rnd.uniform(miny, maxy)
            rect = box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if area.contains(rect):
                self.taken[face].append(rect.buffer(5))
                return rect
        return None

    def grid_at(self, geom: BaseGeometry) -> str:
        """Code of the grid covering a metric geometry (its representative point)."""
        spot = geom.representative_point() if not isinstance(geom, Point) else geom
        hits = self._grid_tree.query(spot, predicate="within")
        assert len(hits) == 1, f"{spot} lies in {len(hits)} grids"
        return self.h.grids[int(hits[0])].code

    def face_at(self, xy: tuple[float, float]) -> int:
        """The block containing a metric point."""
        spot = Point(xy)
        return next(f.index for f in self.h.faces if f.metric.contains(spot))
