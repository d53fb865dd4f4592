"""What an import did, row by row: inserted, updated, repaired, rejected with reasons."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RowProblem:
    """One row's problem: rejected rows are not written, repaired rows are (and are reported)."""

    row: int
    reason: str
    repaired: bool = False


@dataclass
class ImportReport:
    """The summary printed after an import (and returned by the API)."""

    layer: str
    source: str
    format: str
    crs: str = ""
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0  # rows the file gives exactly as stored: left alone
    dry_run: bool = False
    written: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejected_file: str | None = None

    def reject(self, row: int, reason: str) -> None:
        self.problems.append(RowProblem(row, reason))

    def repaired(self, row: int, reason: str) -> None:
        self.problems.append(RowProblem(row, reason, repaired=True))

    @property
    def rejected_rows(self) -> dict[int, str]:
        """Row number → reasons (joined) for every rejected row."""
        out: dict[int, list[str]] = {}
        for problem in self.problems:
            if not problem.repaired:
                out.setdefault(problem.row, []).append(problem.reason)
        return {row: "; ".join(reasons) for row, reasons in sorted(out.items())}

    @property
    def repaired_count(self) -> int:
        return len({p.row for p in self.problems if p.repaired})

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the API."""
        return {
            "layer": self.layer,
            "source": self.source,
            "format": self.format,
            "crs": self.crs,
            "rows_read": self.rows_read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "repaired": self.repaired_count,
            "rejected": len(self.rejected_rows),
            "dry_run": self.dry_run,
            "written": self.written,
            "problems": [
                {"row": p.row, "reason": p.reason, "repaired": p.repaired} for p in self.problems
            ],
            "notes": self.notes,
        }


def both(zh: str, en: str) -> str:
    """A row's reason as the report words it: Chinese first, then English."""
    return f"{zh} / {en}"


NO_ROWS = both("文件没有数据行", "the file has no rows")


def write_rejected(path: Path, rows: list[dict[str, Any]]) -> None:
    """The rejected rows with their reasons, as UTF-8 CSV (with BOM, so Excel reads Chinese)."""
    if not rows:
        return
    headers = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
