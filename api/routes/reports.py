"""Reports for download: the monthly coverage report as XLSX and CSV."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import SessionDep
from api.routes.coverage import MonthQ, open_month
from geo.coverage import reports
from geo.coverage.months import month_name

router = APIRouter(prefix="/api/reports", tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/coverage.xlsx")
def coverage_xlsx(session: SessionDep, month: MonthQ) -> Response:
    """走访覆盖率月报 (XLSX): per grid, per member, unvisited enterprises."""
    first, _closed = open_month(session, month)
    body = reports.xlsx_report(session, first)
    name = f"coverage-{month_name(first)}.xlsx"
    return Response(body, media_type=XLSX, headers=_download(name))


@router.get("/coverage.csv")
def coverage_csv(session: SessionDep, month: MonthQ) -> Response:
    """走访覆盖率月报 (CSV, UTF-8 with BOM for Excel): one table, `层级` per line."""
    first, _closed = open_month(session, month)
    body = "\ufeff" + reports.csv_report(session, first)
    name = f"coverage-{month_name(first)}.csv"
    return Response(body.encode(), media_type="text/csv; charset=utf-8", headers=_download(name))
