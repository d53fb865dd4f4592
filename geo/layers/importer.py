"""Importing a layer file: read, validate, write — one transaction, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from geo.layers import load, readers, stream, validate
from geo.layers.columns import as_text
from geo.layers.report import NO_ROWS, ImportReport, write_rejected
from geo.layers.spec import layer as layer_spec


def import_layer(
    session: Session,
    layer: str,
    path: Path,
    *,
    crs: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    source_layer: str | None = None,
    mapping: dict[str, str] | None = None,
    skip_invalid: bool = False,
    rejected_path: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import `path` into `layer` inside the caller's transaction.

    With any row refused, nothing is written unless `skip_invalid`; the caller commits
    only when `report.written` is true (and it is not a dry run). `progress` is told each
    stage as it starts: "read", "validate", "write".
    """
    step = progress or (lambda _: None)
    spec = layer_spec(layer)
    step("read")
    source = readers.read_source(path, layer=source_layer, sheet=sheet, encoding=encoding)
    report = ImportReport(layer=layer, source=path.name, format=source.format)
    report.rows_read = len(source.frame)
    report.notes.extend(source.notes)
    step("validate")
    if stream.applies(session, spec, len(source.frame)):
        step("write")  # validated and written chunk by chunk, overlapped
        stream.load_in_chunks(
            session, spec, source, report, crs=crs, mapping=mapping, strict=not skip_invalid
        )
    else:
        prepared = validate.prepare(spec, source, report, crs=crs, mapping=mapping)
        if prepared.frame.empty and not report.rejected_rows:
            report.notes.append(NO_ROWS)
            return report
        step("write")
        load.load(session, spec, prepared, report, strict=not skip_invalid)
    if report.rejected_rows and rejected_path is not None:
        _write_rejects(source, report, rejected_path)
        report.rejected_file = str(rejected_path)
    return report


def _write_rejects(source: readers.Source, report: ImportReport, target: Path) -> None:
    reasons = report.rejected_rows
    rows: list[dict[str, Any]] = []
    for position, row in enumerate(source.rows.tolist()):
        if row in reasons:
            record = {"row": row, "reason": reasons[row]}
            record.update(
                {str(k): as_text(v) or "" for k, v in source.frame.iloc[position].items()}
            )
            if source.geometry is not None and source.geometry[position] is not None:
                record["wkt"] = source.geometry[position].wkt
            rows.append(record)
    write_rejected(target, rows)
