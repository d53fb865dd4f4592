"""Build geo/data/china_outline.geojson, the outline geo.crs.in_china tests points against.

Source: Natural Earth 1:10m Admin 0 countries (public domain), as repackaged in the npm
package ``world-atlas`` (ISC licence, TopoJSON). The outline is mainland China's land
(ISO 3166 numeric 156; Hong Kong 344, Macau 446 and Taiwan 158 are separate features and stay
outside) plus a seaward margin, so that reclaimed land newer than the Natural Earth coastline
and ports still count as China. The margin is cut back from every other country's land.

Run (needs npm on PATH unless --topojson is given)::

    .venv/bin/python scripts/make_china_outline.py
    .venv/bin/python scripts/make_china_outline.py --topojson /tmp/x/countries-10m.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

WORLD_ATLAS = "world-atlas@2.0.2"
TOPO_FILE = "countries-10m.json"
CHINA_ID = "156"
# Seaward margin (degrees, ~30 km): roughly the territorial sea drawn from China's straight
# baselines. It covers land reclaimed since Natural Earth 4.1 (Caofeidian, Xiang'an airport) and
# offshore ports on islets too small for 1:10m (Yangshan, 28 km off the mapped coast).
SEA_MARGIN = 0.3
# Water within ~2 km of another country's land (Kinmen off Xiamen, Hong Kong harbour) is theirs.
FOREIGN_MARGIN = 0.02
# Land borders kept within ~100 m, below world-atlas's 0.0036 x 0.0017 degree quantisation step.
LAND_TOLERANCE = 0.001
SEA_TOLERANCE = 0.02
GRID = 1e-4
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "geo" / "data" / "china_outline.geojson"


def fetch_topology(workdir: Path) -> Path:
    """Install world-atlas from the npm registry into workdir and return its 1:10m file."""
    subprocess.run(
        ["npm", "install", "--no-save", "--prefix", str(workdir), WORLD_ATLAS],
        check=True,
        capture_output=True,
    )
    return workdir / "node_modules" / "world-atlas" / TOPO_FILE


def decode_arcs(topo: dict[str, Any]) -> list[np.ndarray]:
    """Undo TopoJSON's delta encoding and quantisation: one (n, 2) lon/lat array per arc."""
    scale = np.asarray(topo["transform"]["scale"], dtype=float)
    translate = np.asarray(topo["transform"]["translate"], dtype=float)
    return [
        np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate for arc in topo["arcs"]
    ]


def ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Join arcs into one ring; a negative index ~i means arc i walked backwards."""
    parts = []
    for k, idx in enumerate(indices):
        arc = arcs[idx] if idx >= 0 else arcs[~idx][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts)


def to_shape(geometry: dict[str, Any], arcs: list[np.ndarray]) -> shapely.Geometry:
    """Turn one TopoJSON Polygon or MultiPolygon into a valid shapely (multi)polygon."""
    polys = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    rings = [[ring(r, arcs) for r in p] for p in polys]
    # Quantisation collapses some islets to fewer than 4 points: they are dropped.
    shapes = [Polygon(r[0], [h for h in r[1:] if len(h) > 3]) for r in rings if len(r[0]) > 3]
    parts = shapely.get_parts(shapely.make_valid(MultiPolygon(shapes)))
    return shapely.unary_union([p for p in parts if p.geom_type.endswith("Polygon")])


def load_countries(path: Path) -> dict[str, shapely.Geometry]:
    """Every country of the topology by id (a running number where Natural Earth has none)."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    out: dict[str, shapely.Geometry] = {}
    for n, geom in enumerate(topo["objects"]["countries"]["geometries"]):
        if geom["type"] in ("Polygon", "MultiPolygon"):
            out[str(geom.get("id", f"none-{n}"))] = to_shape(geom, arcs)
    return out


def build_outline(countries: dict[str, shapely.Geometry]) -> shapely.Geometry:
    """China's land, plus a sea margin that stops short of every other country's land."""
    china = countries[CHINA_ID]
    reach = shapely.box(*china.buffer(1.0).bounds)
    near = [g for cid, g in countries.items() if cid != CHINA_ID and g.intersects(reach)]
    foreign = shapely.unary_union(near).buffer(FOREIGN_MARGIN)
    sea = china.buffer(SEA_MARGIN).difference(foreign).simplify(SEA_TOLERANCE)
    land = china.simplify(LAND_TOLERANCE, preserve_topology=True)
    outline = shapely.set_precision(shapely.unary_union([land, sea]), GRID)
    return shapely.make_valid(outline)


def rounded(coords: Any) -> Any:
    """Round nested coordinate lists to the 1e-4 degree grid the outline was snapped to."""
    if isinstance(coords, (int, float)):
        return round(float(coords), 4)
    return [rounded(c) for c in coords]


def write_geojson(outline: shapely.Geometry, out: Path) -> int:
    """Write the outline as a one-feature GeoJSON with its provenance; return its vertex count."""
    geom = mapping(outline)
    vertices = int(shapely.get_num_coordinates(outline))
    feature = {
        "type": "Feature",
        "properties": {
            "name": "China (mainland), GCJ-02 domain",
            "iso_n3": CHINA_ID,
            "source": f"Natural Earth 1:10m Admin 0 countries v4.1.0, via npm {WORLD_ATLAS} "
            f"({TOPO_FILE})",
            "license": "Natural Earth data: public domain; world-atlas packaging: ISC",
            "excludes": "Hong Kong (344), Macau (446), Taiwan (158) and their near waters",
            "method": f"land simplified {LAND_TOLERANCE} deg; sea margin {SEA_MARGIN} deg "
            f"minus other countries' land buffered {FOREIGN_MARGIN} deg; grid {GRID} deg",
            "purpose": "decides where GCJ-02/BD-09 offsets apply; not a statement on borders",
            "generator": "scripts/make_china_outline.py",
            "vertices": vertices,
        },
        "geometry": {"type": geom["type"], "coordinates": rounded(geom["coordinates"])},
    }
    doc = {"type": "FeatureCollection", "features": [feature]}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    return vertices


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, build the outline and report its size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topojson", type=Path, help=f"a local world-atlas {TOPO_FILE}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.topojson or fetch_topology(Path(tmp))
        outline = build_outline(load_countries(source))
    vertices = write_geojson(outline, args.out)
    size_kb = args.out.stat().st_size / 1024
    print(f"wrote {args.out} ({size_kb:.0f} KB, {vertices} vertices, valid={outline.is_valid})")


if __name__ == "__main__":
    main()
