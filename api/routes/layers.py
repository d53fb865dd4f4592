"""Layer files through the API: list the layers, upload (import) and download (export)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from api.deps import SessionDep, SettingsDep
from api.errors import error_body
from geo.errors import InvalidInput, NotFound
from geo.layers.columns import parse_mapping
from geo.layers.export import export_layer
from geo.layers.importer import import_layer
from geo.layers.readers import TABLE_SUFFIXES, VECTOR_SUFFIXES
from geo.layers.report import ImportReport
from geo.layers.spec import LAYERS
from geo.settings import Settings

router = APIRouter(prefix="/api/layers", tags=["layers"])
CHUNK = 1024 * 1024


@router.get("")
def list_layers() -> list[dict[str, Any]]:
    """Every importable layer with its geometry type, natural key and fields."""
    return [
        {
            "name": spec.name,
            "label": spec.label,
            "geometry": spec.geometry,
            "key": list(spec.file_key),
            "fields": [
                {"name": f.name, "label": f.label, "type": f.kind, "required": f.required}
                for f in spec.all_fields()
            ],
        }
        for spec in LAYERS.values()
    ]


def _save_upload(upload: UploadFile, folder: Path, limit_mb: int) -> Path:
    """Stream the upload to disk, refusing it past the size limit (HTTP 413)."""
    name = Path(upload.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in VECTOR_SUFFIXES | TABLE_SUFFIXES:
        known = ", ".join(sorted(VECTOR_SUFFIXES | TABLE_SUFFIXES))
        raise InvalidInput(f"cannot import '{name}': unknown file type (known: {known})")
    target = folder / name
    written = 0
    with target.open("wb") as fh:
        while chunk := upload.file.read(CHUNK):
            written += len(chunk)
            if written > limit_mb * CHUNK:
                raise HTTPException(413, f"file larger than {limit_mb} MB (GRIDMAP_MAX_UPLOAD_MB)")
            fh.write(chunk)
    return target


@router.post(
    "/{layer}/import",
    responses={413: {"description": "file too large"}, 422: {"description": "rows refused"}},
)
def upload_layer(
    layer: str,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[
        UploadFile, File(description="GeoJSON, GeoPackage, zipped Shapefile, CSV or XLSX")
    ],
    crs: Annotated[str | None, Form(description="wgs84, cgcs2000, gcj02, bd09 or EPSG:n")] = None,
    encoding: Annotated[str | None, Form()] = None,
    sheet: Annotated[str | None, Form()] = None,
    source_layer: Annotated[str | None, Form()] = None,
    mapping: Annotated[list[str] | None, Form(description="表头=field pairs")] = None,
    dry_run: Annotated[bool, Form()] = False,
    skip_invalid: Annotated[bool, Form()] = False,
) -> JSONResponse:
    """Import an uploaded layer file in one transaction; rows refused → 422, nothing written."""
    options = UploadOptions(
        crs, encoding, sheet, source_layer, mapping or [], dry_run, skip_invalid
    )
    report = import_upload(session, settings, layer, file, options)
    if report.rejected_rows and not skip_invalid:
        message = f"{len(report.rejected_rows)} row(s) refused, nothing written"
        return JSONResponse(error_body("rows_refused", message, report.as_dict()), status_code=422)
    return JSONResponse(report.as_dict())


@dataclass(frozen=True)
class UploadOptions:
    """How to read an uploaded layer file (the import form's fields)."""

    crs: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    source_layer: str | None = None
    mapping: list[str] = field(default_factory=list)  # 表头=field pairs
    dry_run: bool = False
    skip_invalid: bool = False


def import_upload(
    session: Session, settings: Settings, layer: str, file: UploadFile, options: UploadOptions
) -> ImportReport:
    """Save the upload, import it in the session's transaction, then commit, or roll back on a
    dry run or refused rows (the API's upload and the layers page both come here)."""
    if layer not in LAYERS:
        raise NotFound(f"unknown layer '{layer}': choose one of {', '.join(LAYERS)}")
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=_upload_dir(settings)))
    try:
        path = _save_upload(file, folder, settings.max_upload_mb)
        report = import_layer(
            session, layer, path, crs=options.crs, encoding=options.encoding,
            sheet=options.sheet, source_layer=options.source_layer,
            mapping=parse_mapping(options.mapping), skip_invalid=options.skip_invalid,
        )  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report.dry_run = options.dry_run
    if report.written and not options.dry_run:
        session.commit()
    else:
        session.rollback()
        report.written = False
    return report


def _upload_dir(settings: Settings) -> Path:
    folder = settings.home_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


EXPORT_FORMATS = {
    "geojson": ".geojson",
    "gpkg": ".gpkg",
    "shp": ".zip",
    "csv": ".csv",
    "xlsx": ".xlsx",
}


@router.get("/{layer}/export", response_class=FileResponse)
def download_layer(
    layer: str,
    session: SessionDep,
    settings: SettingsDep,
    format: Annotated[
        str, Query(description="geojson, gpkg, shp (zipped), csv or xlsx")
    ] = "geojson",
    crs: Annotated[str, Query(description="wgs84, cgcs2000, gcj02, bd09 or EPSG:n")] = "wgs84",
    where: Annotated[list[str] | None, Query(description="field=value filters")] = None,
) -> FileResponse:
    """Download a layer as a file (live grids only; Chinese headers in CSV and XLSX)."""
    if layer not in LAYERS:
        raise NotFound(f"unknown layer '{layer}': choose one of {', '.join(LAYERS)}")
    if format not in EXPORT_FORMATS:
        raise InvalidInput(f"unknown format '{format}': choose one of {', '.join(EXPORT_FORMATS)}")
    folder = Path(tempfile.mkdtemp(prefix="export-", dir=_upload_dir(settings)))
    path = folder / f"{layer}{EXPORT_FORMATS[format]}"
    try:
        export_layer(
            session, layer, path, crs=crs, where=parse_mapping(where or [], option="where")
        )
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True)
    )
