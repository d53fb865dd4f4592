"""Loading the demo park (data/layers) into the database, in dependency order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from geo.errors import NotFound
from geo.layers.importer import import_layer
from geo.layers.report import ImportReport

# parents before children: every natural-key link resolves against what is already loaded
ORDER = (
    "park", "community", "grid", "microgrid", "enterprise", "staff", "staff_assignment",
    "key_site", "network", "road", "parking_zone", "shelter", "visit", "problem",
)  # fmt: skip
SUFFIXES = (".geojson", ".gpkg", ".csv", ".xlsx")


def demo_files(folder: Path) -> list[tuple[str, Path]]:
    """(layer, file) pairs of the demo folder, in loading order."""
    found = []
    for layer in ORDER:
        for suffix in SUFFIXES:
            path = folder / f"{layer}{suffix}"
            if path.is_file():
                found.append((layer, path))
                break
    if not found:
        raise NotFound(f"no demo layers in {folder}: expected files such as {folder}/park.geojson")
    return found


def load_demo(
    session: Session,
    folder: Path,
    *,
    progress: Callable[[str, ImportReport], None] | None = None,
) -> list[ImportReport]:
    """Import every demo layer in one transaction (the caller commits); stops at a refusal."""
    reports = []
    for layer, path in demo_files(folder):
        report = import_layer(session, layer, path, crs="wgs84")
        reports.append(report)
        if progress is not None:
            progress(layer, report)
        if not report.written:
            break
    return reports
