"""Page assets served by gridmap itself from the npm packages (no CDN: intranets)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from geo.errors import GridmapError

VENDOR_PREFIX = "/static/vendor"
APP_STATIC_PREFIX = "/static/app"
NODE_MODULES = Path(__file__).parent / "node_modules"
APP_STATIC = Path(__file__).parent / "static"

# url folder -> folder inside node_modules; only these folders are served
VENDOR_DIRS = {
    "leaflet": "leaflet/dist",
    "jquery": "jquery/dist",
    "geoman": "@geoman-io/leaflet-geoman-free/dist",
    "vectorgrid": "leaflet.vectorgrid/dist",
    "swagger-ui": "swagger-ui-dist",
}

# what folium puts in every page, in load order (replaces folium's CDN defaults)
BASE_JS = [
    ("leaflet", f"{VENDOR_PREFIX}/leaflet/leaflet.js"),
    ("jquery", f"{VENDOR_PREFIX}/jquery/jquery.min.js"),
]
BASE_CSS = [
    ("leaflet_css", f"{VENDOR_PREFIX}/leaflet/leaflet.css"),
    ("gridmap_css", f"{APP_STATIC_PREFIX}/gridmap.css"),
]
GEOMAN_JS = ("leaflet_geoman_js", f"{VENDOR_PREFIX}/geoman/leaflet-geoman.min.js")
GEOMAN_CSS = ("leaflet_geoman_css", f"{VENDOR_PREFIX}/geoman/leaflet-geoman.css")
VECTORGRID_JS = ("vectorgrid_js", f"{VENDOR_PREFIX}/vectorgrid/Leaflet.VectorGrid.bundled.min.js")


class AssetsMissing(GridmapError):
    """The npm packages for the pages are not installed."""

    code = "assets_missing"


def mount_assets(app: FastAPI, node_modules: Path = NODE_MODULES) -> None:
    """Serve the vendor folders and gridmap's own CSS/JS; refuse to start without them."""
    for name, folder in VENDOR_DIRS.items():
        path = node_modules / folder
        if not path.is_dir():
            raise AssetsMissing(
                f"page assets are missing ({path}): run scripts/bootstrap, or "
                "`npm ci --prefix web` to install them"
            )
        app.mount(f"{VENDOR_PREFIX}/{name}", StaticFiles(directory=path), name=f"vendor-{name}")
    app.mount(APP_STATIC_PREFIX, StaticFiles(directory=APP_STATIC), name="app-static")
