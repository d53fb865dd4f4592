"""图层导入导出: planners upload layer files and see the report; everyone downloads layers.

The same import as `POST /api/layers/{layer}/import` (`api.routes.layers.import_upload`),
from an HTML form: 检查 runs it as a dry run, 导入 writes it; the report is shown with every
refused or repaired row. The download form leads to `GET /api/layers/{layer}/export`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.policy import ROUTES
from api.routes.account import PrincipalDep
from api.routes.layers import EXPORT_FORMATS, UploadOptions, import_upload
from geo import crs as chinese_crs
from geo.errors import GridmapError, InvalidInput
from geo.layers.readers import TABLE_SUFFIXES, VECTOR_SUFFIXES
from geo.layers.report import ImportReport
from geo.layers.spec import LAYERS
from web.i18n import LangDep, Translator
from web.render import content_page

router = APIRouter(include_in_schema=False)
SHOWN_PROBLEMS = 500  # rows of the report's problem table; the count says how many more
CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02", "bd09")
ENCODINGS = ("UTF-8", "GBK", "GB18030")
FORMAT_LABELS = {
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "shp": "Shapefile (zip)",
    "csv": "CSV",
    "xlsx": "Excel (XLSX)",
}


def _layer_choices(t: Translator) -> list[tuple[str, str]]:
    if t.lang == "zh-CN":
        return [(name, f"{spec.label}（{name}）") for name, spec in LAYERS.items()]
    return [(name, f"{name} ({spec.label})") for name, spec in LAYERS.items()]


def _fields(t: Translator) -> list[dict[str, Any]]:
    """Each layer's fields for the help under the form: name, label, required."""
    return [
        {
            "label": label,
            "key": " + ".join(LAYERS[name].file_key),
            "fields": [(f.name, f.label, f.required) for f in LAYERS[name].all_fields()],
        }
        for name, label in _layer_choices(t)
    ]


def _page(
    t: Translator,
    principal: Any,
    *,
    report: ImportReport | None = None,
    error: str | None = None,
    chosen: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    problems = report.problems[:SHOWN_PROBLEMS] if report else []
    return content_page(
        "layers.html",
        t,
        title=t("layers.title"),
        active="layers",
        status_code=status_code,
        can_import=ROUTES["POST /layers/import"].allows(principal.role),
        csrf=principal.csrf_token or "",
        layers=_layer_choices(t),
        layer_names=dict(_layer_choices(t)),
        crs_names={c: t(f"layers.crs_{c}") for c in CRS_CHOICES},
        help=_fields(t),
        crs_choices=[(c, t(f"layers.crs_{c}")) for c in CRS_CHOICES],
        encodings=ENCODINGS,
        formats=list(FORMAT_LABELS.items()),
        accept=",".join(sorted(VECTOR_SUFFIXES | TABLE_SUFFIXES)),
        report=report,
        problems=problems,
        hidden=len(report.problems) - len(problems) if report else 0,
        error=error,
        chosen=chosen or {},
    )


@router.get("/layers", response_class=HTMLResponse)
def layers_page(principal: PrincipalDep, t: LangDep) -> HTMLResponse:
    """图层导入导出: the import form (planners, admins) and the download form (everyone)."""
    return _page(t, principal)


def _crs(text: str) -> str | None:
    """The form's CRS: blank for 'as the file says', else any spelling parse_crs knows."""
    return chinese_crs.parse_crs(text) if text.strip() else None


@router.post("/layers/import", response_class=HTMLResponse)
def import_form(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    t: LangDep,
    file: Annotated[UploadFile, File()],
    layer: Annotated[str, Form(max_length=40)] = "",
    crs: Annotated[str, Form(max_length=40)] = "",
    epsg: Annotated[str, Form(max_length=40)] = "",
    encoding: Annotated[str, Form(max_length=20)] = "",
    sheet: Annotated[str, Form(max_length=100)] = "",
    source_layer: Annotated[str, Form(max_length=100)] = "",
    mapping: Annotated[str, Form(max_length=4000)] = "",
    action: Annotated[str, Form(max_length=10)] = "check",
    skip_invalid: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Check (dry run) or import the uploaded file; the page again, with the report."""
    chosen = {
        "layer": layer, "crs": crs, "epsg": epsg, "encoding": encoding, "sheet": sheet,
        "source_layer": source_layer, "mapping": mapping, "skip_invalid": skip_invalid,
    }  # fmt: skip
    try:
        if not file.filename:
            raise InvalidInput(t("layers.no_file"))
        options = UploadOptions(
            crs=_crs(epsg or crs), encoding=encoding or None, sheet=sheet.strip() or None,
            source_layer=source_layer.strip() or None,
            mapping=[line.strip() for line in mapping.splitlines() if line.strip()],
            dry_run=action != "import", skip_invalid=skip_invalid,
        )  # fmt: skip
        report = import_upload(session, settings, layer, file, options)
    except GridmapError as exc:
        session.rollback()
        return _page(t, principal, error=exc.message, chosen=chosen, status_code=422)
    refused = bool(report.rejected_rows) and not skip_invalid
    return _page(t, principal, report=report, chosen=chosen, status_code=422 if refused else 200)


@router.get("/layers/export", response_class=HTMLResponse)
def export_form(
    principal: PrincipalDep,
    t: LangDep,
    layer: Annotated[str, Query(max_length=40)] = "",
    format: Annotated[str, Query(max_length=10)] = "geojson",
    crs: Annotated[str, Query(max_length=40)] = "wgs84",
) -> Response:
    """Check the download form's choices, then hand over to the API's download."""
    try:
        if layer not in LAYERS:
            raise InvalidInput(t("layers.unknown_layer").format(layer=layer))
        if format not in EXPORT_FORMATS:
            raise InvalidInput(t("layers.unknown_format").format(format=format))
        target = _crs(crs) or "wgs84"
    except GridmapError as exc:
        return _page(t, principal, error=exc.message, status_code=422)
    query = urlencode({"format": format, "crs": target})
    return RedirectResponse(f"/api/layers/{layer}/export?{query}", status_code=303)
