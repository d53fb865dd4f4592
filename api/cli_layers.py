"""`gridmap import`, `gridmap export` and `gridmap demo`: layers in and out of the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from api.cli_common import err, explained, load_settings, open_session, out
from geo.demo import demo_accounts, demo_files, load_demo
from geo.layers.columns import parse_mapping
from geo.layers.export import export_layer
from geo.layers.importer import import_layer
from geo.layers.report import ImportReport
from geo.layers.spec import LAYERS
from geo.vocab import USER_ROLES

MAX_PROBLEMS_SHOWN = 30
LayerArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(LAYERS)}")]


def rejected_path(path: Path) -> Path:
    """Where the refused rows of `path` are written: beside it, as NAME.rejected.csv."""
    return path.with_name(path.name + ".rejected.csv")


def print_report(report: ImportReport) -> None:
    """The import summary, then the problems row by row (at most 30 shown)."""
    table = Table(title=f"{report.layer} ← {report.source} ({report.format}, {report.crs or '-'})")
    headers = ("读取 read", "新增 inserted", "更新 updated", "未变 unchanged", "修复 repaired",
               "拒绝 rejected")  # fmt: skip
    for name in headers:
        table.add_column(name, justify="right")
    rejected = report.rejected_rows
    table.add_row(
        str(report.rows_read), str(report.inserted), str(report.updated), str(report.unchanged),
        str(report.repaired_count), str(len(rejected)),
    )  # fmt: skip
    out.print(table)
    for note in report.notes:
        out.print(f"  · {note}", highlight=False)
    for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
        kind = "修复 repaired" if problem.repaired else "拒绝 rejected"
        out.print(
            f"  第 {problem.row} 行 row {problem.row} [{kind}]: {problem.reason}", highlight=False
        )
    if len(report.problems) > MAX_PROBLEMS_SHOWN:
        out.print(f"  … {len(report.problems) - MAX_PROBLEMS_SHOWN} more")
    if report.rejected_file:
        out.print(f"  rejected rows written to {report.rejected_file}", highlight=False)


def _run_import(
    session: Session, layer: str, path: Path, dry_run: bool, **options: object
) -> ImportReport:
    stages = {"read": "读取 reading", "validate": "校验 validating", "write": "写入 writing"}
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"{path.name} → {layer}", total=len(stages))

        def step(stage: str) -> None:
            done = list(stages).index(stage)
            bar.update(task, completed=done, description=f"{path.name}: {stages[stage]}")

        report = import_layer(
            session, layer, path, rejected_path=rejected_path(path), progress=step,
            **options,  # type: ignore[arg-type]
        )  # fmt: skip
        bar.update(task, completed=len(stages))
    report.dry_run = dry_run
    if report.written and not dry_run:
        session.commit()
    else:
        session.rollback()
        report.written = False
    return report


DEMO_FOLDER = Path(__file__).resolve().parents[1] / "data" / "layers"


def _load_demo(folder: Path) -> tuple[list[ImportReport], list[tuple[str, str, str]]]:
    """Import the demo layers with a progress bar and make one account per role; commits only
    when every layer loaded. Returns the reports and the (user, role, password) made."""
    settings = load_settings()
    files = demo_files(folder)
    with open_session(settings) as session, Progress(console=err, transient=True) as bar:
        task = bar.add_task("loading the demo park", total=len(files))

        def advance(layer: str, report: ImportReport) -> None:
            bar.update(task, advance=1, description=f"{layer}: {report.rows_read} rows")

        reports = load_demo(session, folder, progress=advance)
        if all(r.written for r in reports) and len(reports) == len(files):
            logins = demo_accounts(session)
            session.commit()
        else:
            session.rollback()
            logins = []
    return reports, logins


def register(app: typer.Typer) -> None:
    """Add the layer commands to the main CLI."""

    @app.command("export")
    @explained
    def export_command(
        layer: LayerArg,
        path: Annotated[
            Path, typer.Argument(help=".geojson, .gpkg, .zip (Shapefile), .csv or .xlsx")
        ],
        crs: Annotated[str, typer.Option(help="wgs84, cgcs2000, gcj02, bd09 or EPSG:n")] = "wgs84",
        where: Annotated[
            list[str] | None, typer.Option("--where", help="field=value filter (repeatable)")
        ] = None,
    ) -> None:
        """Export a layer (live grids only) with Chinese headers in CSV/XLSX."""
        filters = parse_mapping(where or [], option="--where")
        with open_session(load_settings()) as session, err.status(f"exporting {layer}…"):
            count = export_layer(session, layer, path, crs=crs, where=filters)
        out.print(f"{count} feature(s) written to {path}", highlight=False)

    @app.command("demo")
    @explained
    def demo(
        folder: Annotated[Path, typer.Option(help="Folder with the demo layers")] = DEMO_FOLDER,
    ) -> None:
        """Load the demo park (Suzhou Industrial Park) from data/layers; a rerun updates it."""
        reports, logins = _load_demo(folder)
        for report in reports:
            out.print(
                f"{report.layer:<17} {report.rows_read:>6} rows: {report.inserted} inserted, "
                f"{report.updated} updated", highlight=False,
            )  # fmt: skip
        failed = next((r for r in reports if not r.written), None)
        if failed is not None:
            print_report(failed)
            err.print(f"[red]gridmap: demo layer {failed.layer} was refused; nothing loaded[/red]")
            raise typer.Exit(1)
        out.print("示范园区已加载 / demo park loaded")
        table = Table(title="示范账号（密码每次运行 gridmap demo 时重置）/ demo accounts")
        for column in ("用户名 user", "角色 role", "密码 password"):
            table.add_column(column)
        for username, role, password in logins:
            table.add_row(username, f"{USER_ROLES[role][0]} {role}", password)
        out.print(table)

    @app.command("import")
    @explained
    def import_command(
        layer: LayerArg,
        path: Annotated[
            Path, typer.Argument(help="GeoJSON, GeoPackage, Shapefile (.shp/.zip), CSV or XLSX")
        ],
        crs: Annotated[
            str | None, typer.Option(help="Source CRS: wgs84, cgcs2000, gcj02, bd09 or EPSG:n")
        ] = None,
        encoding: Annotated[
            str | None, typer.Option(help="Text encoding (CSV, Shapefile), e.g. GBK")
        ] = None,
        sheet: Annotated[
            str | None, typer.Option(help="XLSX sheet name (default: the first)")
        ] = None,
        source_layer: Annotated[
            str | None, typer.Option("--layer", help="Layer inside a GeoPackage or zip")
        ] = None,
        mapping: Annotated[
            list[str] | None, typer.Option("--map", help="Column mapping 表头=field (repeatable)")
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Check and report, write nothing")
        ] = False,
        skip_invalid: Annotated[
            bool,
            typer.Option("--skip-invalid", help="Write the valid rows even if some are refused"),
        ] = False,
    ) -> None:
        """Import a layer file; re-importing the same file updates rows by their natural key."""
        settings = load_settings()
        with open_session(settings) as session:
            report = _run_import(
                session, layer, path, dry_run, crs=crs, encoding=encoding, sheet=sheet,
                source_layer=source_layer, mapping=parse_mapping(mapping or []),
                skip_invalid=skip_invalid,
            )  # fmt: skip
        print_report(report)
        if report.rejected_rows and not skip_invalid:
            err.print(
                f"[red]gridmap: {len(report.rejected_rows)} row(s) refused, nothing written; fix "
                "them or use --skip-invalid[/red]", highlight=False,
            )  # fmt: skip
            raise typer.Exit(1)
        verb = "would be written (dry run)" if dry_run else "written"
        unchanged = f", {report.unchanged} unchanged (left alone)" if report.unchanged else ""
        out.print(f"{report.inserted + report.updated} row(s) {verb}{unchanged}")
