"""A picture of the demo park for the README (needs matplotlib; a CJK font for the labels)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from demo_park.generate import Demo

COMMUNITY_COLOURS = ["#f6d7a7", "#c8e3c1", "#cfd9f2", "#f2cdd6"]
ROAD_WIDTHS = {"arterial": 2.4, "secondary": 1.5, "local": 0.8}
WATER = "#a9d3ea"
CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei"]


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    assert isinstance(geom, Polygon)
    return [geom]


def _fill(ax: Any, geom: BaseGeometry, **style: Any) -> None:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    for poly in _polygons(geom):
        rings = [poly.exterior, *poly.interiors]
        vertices = [pt for ring in rings for pt in ring.coords]
        codes = []
        for ring in rings:
            codes += (
                [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring.coords) - 2) + [MplPath.CLOSEPOLY]
            )
        ax.add_patch(PathPatch(MplPath(vertices, codes), **style))


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _water(ax: Any, d: Demo, cjk: bool) -> None:
    park = d.h.park.geom
    minx, miny, _, maxy = park.bounds
    lake = box(minx - 0.012, miny - 0.003, minx + 0.006, maxy + 0.003).difference(park)
    _fill(ax, lake, facecolor=WATER, edgecolor="none", zorder=0)
    for poly in _polygons(park):
        for hole in poly.interiors:
            _fill(ax, Polygon(hole), facecolor=WATER, edgecolor="none", zorder=3)
    ax.text(
        minx - 0.002,
        (miny + maxy) / 2,
        "金鸡湖" if cjk else "Jinji Lake",
        rotation=90,
        ha="center",
        va="center",
        fontsize=13,
        color="#2a6f97",
        zorder=9,
    )


def _areas(ax: Any, d: Demo, cjk: bool) -> None:
    for colour, community in zip(COMMUNITY_COLOURS, d.h.communities, strict=True):
        _fill(ax, community.geom, facecolor=colour, edgecolor="none", zorder=1)
        c = community.geom.centroid
        label = community.name if cjk else community.code
        ax.text(c.x, c.y, label, ha="center", fontsize=15, alpha=0.7, zorder=9)
    for grid in d.h.grids:
        hatch = "///" if grid.kind == "dedicated" else None
        _fill(
            ax,
            grid.geom,
            facecolor="none",
            edgecolor="#333333",
            linewidth=1.1,
            hatch=hatch,
            zorder=6,
        )
    for m in d.micros:
        _fill(
            ax, m.geom, facecolor="#ffffff", edgecolor="#999999", linewidth=0.3, alpha=0.7, zorder=2
        )


def _lines(ax: Any, d: Demo) -> None:
    for seg in d.roads:
        xs, ys = zip(*(d.h.graph.ll[n] for n in seg.nodes), strict=True)
        width = ROAD_WIDTHS[seg.road.road_class]
        ax.plot(xs, ys, color="#8a8a8a", linewidth=width + 0.8, zorder=4, solid_capstyle="round")
        ax.plot(xs, ys, color="#ffffff", linewidth=width, zorder=5, solid_capstyle="round")


def _points(ax: Any, d: Demo) -> None:
    placed = [f.ll for f in d.firms if f.grid_code]
    orphans = [f.ll for f in d.firms if not f.grid_code]
    ax.scatter(*zip(*placed, strict=True), s=1.2, color="#1f3b73", zorder=7, label="enterprise")
    ax.scatter(
        *zip(*orphans, strict=True),
        s=30,
        marker="x",
        color="#d62728",
        zorder=8,
        label="orphan (outside every grid)",
    )
    shelters = [(s.geom.x, s.geom.y) for s in d.shelters]
    ax.scatter(
        *zip(*shelters, strict=True),
        s=70,
        marker="^",
        color="#2ca02c",
        edgecolor="black",
        zorder=8,
        label="shelter",
    )
    hazards = [s.geom.centroid for s in d.key_sites if s.category == "hazardous_chemicals"]
    ax.scatter(
        [p.x for p in hazards],
        [p.y for p in hazards],
        s=45,
        marker="D",
        color="#ff7f0e",
        edgecolor="black",
        zorder=8,
        label="hazardous chemicals",
    )


def _title(d: Demo, cjk: bool) -> str:
    counts = (len(d.h.communities), len(d.h.grids), len(d.micros), len(d.firms), len(d.shelters))
    if cjk:
        text = "苏州工业园区示范园（演示数据）：{} 个企业社区、{} 个网格（斜线为专属网格）、"
        return (text + "{} 个微网格、{} 家企业、{} 处避难场所").format(*counts)
    text = "Demo park (synthetic): {} communities, {} grids (hatched: dedicated), "
    return (text + "{} micro-grids, {} enterprises, {} shelters").format(*counts)


def draw_park(d: Demo, path: Path) -> str:
    """Render the park to `path` (PNG); returns what was done."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed: no picture"
    font = _cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(12, 9.2), dpi=120)
    _water(ax, d, font is not None)
    _areas(ax, d, font is not None)
    _lines(ax, d)
    _points(ax, d)
    minx, miny, maxx, maxy = d.h.park.geom.bounds
    ax.set_xlim(minx - 0.004, maxx + 0.002)
    ax.set_ylim(miny - 0.002, maxy + 0.002)
    ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)))
    ax.set_title(_title(d, font is not None), fontsize=12)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), ncol=4, fontsize=9)
    ax.ticklabel_format(useOffset=False)
    ax.tick_params(labelsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return f"picture: {path}"
