"""data/layers/README.md, written from the generated data so its numbers never go stale."""

from __future__ import annotations

from collections import Counter

from demo_park.activity import MONTHS
from demo_park.frame import MID_LAT, ORIGIN_LAT, ORIGIN_LON, SEED
from demo_park.generate import Demo
from demo_park.hierarchy import DISTRICT, PARK_CODE
from geo import vocab

FILES = {
    "park.geojson": (
        "园区 the park (MultiPolygon)",
        "code, name, party_org, leader",
    ),
    "community.geojson": (
        "企业社区 enterprise communities; they tile the park",
        "code, name, park_code, party_org, leader",
    ),
    "grid.geojson": (
        "网格 grids (base/dedicated); they tile their community",
        "code, name, kind, community_code, valid_from, version",
    ),
    "microgrid.geojson": (
        "微网格 micro-grids (enterprise/park/building), inside one grid, never overlapping",
        "code, name, kind, grid_code, valid_from, version",
    ),
    "enterprise.geojson": (
        "企业 enterprises (Point); compound polygon as WKT",
        "uscc, name, industry, industry_detail, size_class, employees_day, employees_night, "
        "address, contact_name, contact_phone, status, coord_source, grid_code, "
        "microgrid_code, compound_wkt",
    ),
    "staff.geojson": (
        "网格工作人员 staff (Point: office, grid post or employer)",
        "staff_no, name, phone, role, community_code, employer, active",
    ),
    "staff_assignment.csv": (
        "网格人员配置 duties per grid (no geometry)",
        "staff_no, grid_code, role, since, until",
    ),
    "visit.geojson": (
        "走访记录 visits (Point, or null when recorded without location)",
        "uscc, staff_no, visited_at, notes, check_result, distance_m",
    ),
    "problem.geojson": (
        "企业问题 enterprise problems (Point at the enterprise)",
        "code, uscc, category, title, description, status, handler_level, reported_at, "
        "due_date, resolved_at, history",
    ),
    "key_site.geojson": (
        "重点场所 key sites (Point or Polygon)",
        "code, name, category, hazard_class, uscc, grid_code, responsible, last_inspected, "
        "inspection_interval_days",
    ),
    "network.geojson": (
        "基础设施管网 utility lines under the roads (LineString)",
        "code, kind, name, operator, attributes (JSON object)",
    ),
    "road.geojson": (
        "道路 routable road segments, split at every junction (LineString)",
        "code, name, road_class, lanes, width_m, speed_kmh, oneway",
    ),
    "parking_zone.geojson": (
        "停车区域 parking zones (MultiPolygon)",
        "code, name, kind, capacity, grid_code",
    ),
    "shelter.geojson": (
        "应急避难场所 shelters (Point); area polygon as WKT",
        "code, name, kind, capacity, effective_area_m2, address, area_wkt",
    ),
}
IMPORT_ORDER = [name.split(".")[0] for name in FILES]


def _table(texts: dict[str, str], counts: dict[str, int]) -> str:
    rows = ["| file | rows | KiB | what | fields |", "|---|---:|---:|---|---|"]
    for name, (what, fields) in FILES.items():
        kib = len(texts[name].encode("utf-8")) / 1024
        rows.append(f"| `{name}` | {counts[name]:,} | {kib:,.0f} | {what} | {fields} |")
    return "\n".join(rows)


def _mix(values: list[str], labels: vocab.Vocabulary) -> str:
    counts = Counter(values).most_common()
    return ", ".join(f"{k} {vocab.label(labels, k)} {n}" for k, n in counts)


def _coverage(d: Demo) -> list[tuple[float, str]]:
    """(mean monthly share of enterprises visited, grid code), lowest first."""
    grid_of = {f.uscc: f.grid_code for f in d.firms if f.grid_code}
    seen = {(grid_of[v.uscc], v.visited_at.month, v.uscc) for v in d.visits}
    visited = Counter(g for g, _, _ in seen)
    sizes = Counter(grid_of.values())
    return sorted((visited[g] / (n * len(MONTHS)), g) for g, n in sizes.items())


def _edge_cases(d: Demo) -> str:
    orphans = [f.uscc for f in d.firms if "orphan" in f.tags]
    edges = [f"`{f.uscc}` (grid `{f.grid_code}`)" for f in d.firms if "on_grid_edge" in f.tags]
    html = next(f.uscc for f in d.firms if "html_name" in f.tags)
    holed = next(g.code for g in d.h.grids if any(p.interiors for p in g.geom.geoms))
    shares = _coverage(d)
    lagging = ", ".join(f"`{g}` ({s:.0%})" for s, g in shares[:4])
    full = ", ".join(f"`{g}`" for s, g in shares if s == 1.0) or "none"
    former = [p for p in d.staff if not p.active]
    lines = [
        f"- **Orphans** (no grid; inside the park's bounding box, outside the park: three in "
        f"Jinji Lake, one in the pond): {', '.join(f'`{u}`' for u in orphans)}. "
        "`grid_code` is null.",
        f"- **On a shared grid edge**, exactly on a vertex of two grids (one on the fence of a "
        f"dedicated grid, one on a community border): {', '.join(edges)}; `grid_code` is the "
        "smaller of the two codes (DESIGN §4: smallest id, ids given in code order).",
        f"- **HTML in a name**: `{html}` is named `测试<b>粗体</b>科技有限公司`.",
        f"- **A grid with a hole** (the pond, no enterprise): `{holed}`; the park and its "
        "community have the same hole. The lakeside park's shelter area has a hole too.",
        f"- **Lagging grids** (lowest mean monthly visit coverage): {lagging}. "
        f"Every enterprise visited every month: {full}.",
        f"- **Former staff**: {', '.join(p.staff_no for p in former)} left on 2026-06-30 "
        "(`active` false, duty with `until`); their successors' duties start 2026-07-01.",
        "- **Visits without location** (`check_result` no_location, null geometry) and "
        "**far visits** (160-400 m from the enterprise, `flagged`): counts under Mix.",
    ]
    return "\n".join(lines)


def _facts(d: Demo) -> str:
    overdue = sum(
        1
        for p in d.problems
        if p.status in ("open", "in_progress") and str(p.due_date) < "2026-10-31"
    )
    visited = {v.uscc for v in d.visits}
    unvisited = sum(
        1 for f in d.firms if f.grid_code and f.status == "operating" and f.uscc not in visited
    )
    industries = _mix([f.industry for f in d.firms], vocab.INDUSTRIES)
    lines = [
        f"- Industries (GB/T 4754 sections): {industries}.",
        f"- Sizes: {_mix([f.size_class for f in d.firms], vocab.SIZE_CLASSES)}; "
        f"status: {_mix([f.status for f in d.firms], vocab.ENTERPRISE_STATUS)}.",
        f"- Employees: {sum(f.employees_day for f in d.firms):,} by day, "
        f"{sum(f.employees_night for f in d.firms):,} at night (24-hour plants keep 25-45 %).",
        f"- Visits: {_mix([v.check_result for v in d.visits], vocab.VISIT_CHECKS)}; "
        f"{unvisited} operating enterprises never visited in the six months.",
        f"- Problems: {_mix([p.status for p in d.problems], vocab.PROBLEM_STATUS)}; "
        f"{overdue} open or in progress past their due date on 2026-10-31.",
        f"- Staff: {_mix([p.role for p in d.staff], vocab.STAFF_ROLES)}.",
        f"- Shelters: {_mix([s.kind for s in d.shelters], vocab.SHELTER_KINDS)}; "
        f"total capacity {sum(s.capacity for s in d.shelters):,} people.",
    ]
    return "\n".join(lines)


def readme(d: Demo, texts: dict[str, str], counts: dict[str, int]) -> str:
    """The README text."""
    minx, miny, maxx, maxy = d.h.park.geom.bounds
    return TEMPLATE.format(
        table=_table(texts, counts),
        edge_cases=_edge_cases(d),
        facts=_facts(d),
        seed=SEED,
        bbox=f"{minx:.4f}, {miny:.4f}, {maxx:.4f}, {maxy:.4f}",
        origin=f"{ORIGIN_LON}°E {ORIGIN_LAT}°N",
        mid_lat=MID_LAT,
        district=DISTRICT,
        park=PARK_CODE,
        grids=len(d.h.grids),
        dedicated=sum(g.kind == "dedicated" for g in d.h.grids),
        micros=len(d.micros),
        firms=len(d.firms),
        order=" → ".join(IMPORT_ORDER),
    )


TEMPLATE = """\
# Demo park layers — 苏州工业园区示范园 (synthetic)

![the demo park](../../docs/img/demo-park.png)

A fictional industrial park east of Jinji Lake (金鸡湖) in Suzhou Industrial Park: 4 enterprise
communities (企业社区), {grids} grids ({dedicated} dedicated), {micros} micro-grids, {firms:,}
enterprises with six months of visits (2026-05 … 2026-10), problems, staff, key sites, roads,
utility networks, parking and shelters. Everything here is invented: names, people, phone
numbers (all `1xx-0000-xxxx`) and credit codes (checksum-valid, random) describe no real
company or person. Bounding box (lon/lat): {bbox}.

**Do not edit these files by hand.** They and this README are written by

```
.venv/bin/python scripts/make_demo_park.py          # ~10 s; also draws docs/img/demo-park.png
.venv/bin/python scripts/make_demo_park.py --picture ''   # without the picture
```

Seed `{seed}` (`scripts/demo_park/frame.py`); each layer family draws from its own named
random stream, so two runs give byte-identical files. The picture needs matplotlib (not a
project dependency; skipped when missing). The script reads geo/vocab.py and geo/codes.py,
so run it from the project's venv.

## Format

- GeoJSON (RFC 7946), UTF-8, one feature per line (diffable), EPSG:4326 lon/lat rounded to 7
  decimals (about 1 cm); polygons counter-clockwise, holes clockwise. `staff_assignment.csv`
  is plain CSV (UTF-8, `\\n`), empty cell for null.
- Property names are the model's column names; links use natural keys: `park_code`,
  `community_code`, `grid_code`, `microgrid_code`, `uscc`, `staff_no`. Every row has its
  own key (`code`, `uscc`, `staff_no`; a visit's is `uscc` + `visited_at`); facility and problem
  codes start with the park code `{park}-`.
- A second polygon of a row is WKT in a property: `compound_wkt` (enterprise compound, the
  polygon of its enterprise micro-grid) and `area_wkt` (shelter area).
- Some properties state what the server should find rather than what it imports:
  `grid_code`, `microgrid_code` of enterprises (the expected assignment), `grid_code` of key
  sites and parking zones, `check_result` and `distance_m` of visits (verified ≤ 50 m,
  flagged 160-400 m), `history` of problems, `coord_source`, `valid_from`, `version`.
  `gridmap import` ignores them.
- Import order (parents first): {order}; e.g.
  `gridmap import grid data/layers/grid.geojson`, `gridmap import staff_assignment
  data/layers/staff_assignment.csv`.

{table}

## Codes

District `{district}` (苏州工业园区, GB/T 2260) + street `001` = park `{park}` (9 digits);
community = park + 3 digits (12); grid = community + 3 (15); micro-grid = grid + 3 (18).
Children are numbered by the application's own reading order (`geo.codes.reading_order`:
rows as tall as the median sibling, counted down from the northernmost; west→east in a row;
DB11/T 2157-2023), computed on the stored lon/lat polygons, so `gridmap codes` finds nothing to
renumber. Base grids are named `<社区>第<n>网格`, dedicated grids after their enterprise or
small park (`<名称>专属网格`).

## How the partition is exact

Everything is drawn in metres in a local frame (origin {origin}, equirectangular at
{mid_lat}°N, pure float arithmetic so the output does not depend on a PROJ version) and
converted once. Street centrelines and fences form one planar graph; its nodes are rounded
to 7 decimals once. Blocks are the faces of that graph; grids, communities and the park are
unions of faces whose boundaries are traced on the graph itself (not overlaid), so
neighbours share the very same vertices: no T-junctions, no slivers, and PostGIS finds
`ST_Union(grids) = community` exactly. Grid boundaries run on road centrelines except the
two fences of carved dedicated grids.

The layout: 17 north-south streets (街) x 13 east-west roads (路), every fourth/third an
arterial; the western street follows the lake shore; a pond sits in one block. Communities
are quadrants split along arterials; base grids are rectangles of 2-3 x 2-3 blocks; a few
blocks are dedicated grids (whole blocks, or carved by a fence); some blocks of one grid
merge (a local road removed) and some are split by a short local road. Micro-grids sit in
slots of each block, inset 26 m from the centreline.

## Checks the generator runs (it fails on any)

Every geometry valid; vocabulary values from geo/vocab.py; code lengths and nesting,
uniqueness and numbering order; USCC check characters (GB 32100 and the GB 11714
organisation code; `91350100M000100Y43` as a known valid one); all natural-key links resolve;
communities tile the park and grids tile each community (symmetric difference < 1e-12 deg²,
interiors disjoint by DE-9IM, shared vertices identical); micro-grids within their grid and
disjoint; each enterprise covered by exactly the grid and micro-grid it names (orphans by
none, the two edge cases by two grids); compounds contain their enterprise; road segments
meet only at shared end points and the network, one-ways included, is strongly connected;
every grid has one grid leader and a full-time member; visits on working days 09:00-17:30;
problem dates consistent; shelter capacity = floor(effective area / 1.5 m², GB 21734);
every key-site category present; the folder under 20 MB.

## Edge cases for tests

{edge_cases}

## Mix

{facts}
- Parking capacity: 25 m² per space in car parks, 15 m² per kerb-side space.
"""
