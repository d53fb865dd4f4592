"""The `gridmap` command line: database lifecycle, serving, and (later) layers and users."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from api import cli_coverage, cli_grids, cli_layers, cli_users
from api.cli_common import err, explained, load_settings, out
from geo import backup, cluster, lifecycle
from geo.db import database_url

app = typer.Typer(
    help="gridmap — 企业社区网格化管理 map server. Run `gridmap db up`, then `gridmap serve`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database: start, stop, status, migrate, backup, restore.")
app.add_typer(db_app, name="db")
cli_layers.register(app)
cli_grids.register(app)
cli_users.register(app)
cli_coverage.register(app)


@db_app.command("up")
@explained
def db_up() -> None:
    """Create (first time) and start the database, then apply the migrations. Idempotent."""
    settings = load_settings()
    with err.status("starting the database…"):
        report = lifecycle.up(settings)
    where = "embedded cluster" if settings.uses_embedded else "GRIDMAP_DATABASE_URL"
    started = "started" if report.started else "already running"
    if not settings.uses_embedded:
        started = "reachable"
    migrated = (
        f"migrated {report.revision_before or 'empty'} → {report.revision_after}"
        if report.revision_before != report.revision_after
        else f"schema at {report.revision_after}"
    )
    created = ", database created" if report.created_database else ""
    out.print(f"database up ({where}, {started}{created}, {migrated})")


@db_app.command("down")
@explained
def db_down() -> None:
    """Stop the embedded cluster (nothing to do with GRIDMAP_DATABASE_URL)."""
    settings = load_settings()
    if not settings.uses_embedded:
        out.print("GRIDMAP_DATABASE_URL is set: gridmap does not run that server, nothing stopped")
        return
    stopped = cluster.stop(settings)
    out.print("database stopped" if stopped else "database was not running")


@db_app.command("status")
@explained
def db_status() -> None:
    """Whether the database runs, where, its versions and its migration revision."""
    settings = load_settings()
    state = lifecycle.status(settings)
    if state.embedded is not None:
        emb = state.embedded
        out.print(f"cluster:    embedded at {emb.paths.root}")
        running = f"running (pid {emb.pid}, port {emb.port})" if emb.running else "stopped"
        out.print(f"state:      {running if emb.initialized else 'not created yet'}")
    else:
        out.print("cluster:    external (GRIDMAP_DATABASE_URL)")
    if state.versions is not None:
        v = state.versions
        out.print(f"postgresql: {v.postgresql}")
        out.print(f"postgis:    {v.postgis or 'not installed in this database'}")
        out.print(f"pgrouting:  {v.pgrouting or 'not installed in this database'}")
        current = state.revision or "none"
        behind = "" if state.revision == state.head else f" (head is {state.head}: run db migrate)"
        out.print(f"migration:  {current}{behind}")
    if not state.reachable:
        out.print(f"database:   unreachable — {state.problem}")
        raise typer.Exit(3)


@db_app.command("migrate")
@explained
def db_migrate() -> None:
    """Apply pending migrations to the running database."""
    settings = load_settings()
    before, after = lifecycle.migrate(settings)
    out.print(f"schema at {after}" + (f" (was {before or 'empty'})" if before != after else ""))


@db_app.command("backup")
@explained
def db_backup(file: Annotated[Path, typer.Argument(help="Backup file to write")]) -> None:
    """Write a pg_dump custom-format backup of the database to FILE."""
    settings = load_settings()
    with err.status("backing up…"):
        size = backup.backup(settings, database_url(settings), file)
    out.print(f"backup written to {file} ({size / 1024:.0f} KiB)")


@db_app.command("restore")
@explained
def db_restore(
    file: Annotated[Path, typer.Argument(help="Backup file made by `gridmap db backup`")],
    force: Annotated[bool, typer.Option(help="Replace a database that holds data")] = False,
) -> None:
    """Restore FILE into the database; refuses a database holding data unless --force."""
    settings = load_settings()
    with err.status("restoring…"):
        backup.restore(settings, database_url(settings), file, force=force)
    out.print(f"database restored from {file}")


@app.command("serve")
@explained
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (one per core); each keeps its caches")
    ] = 1,
) -> None:
    """Serve the map pages, tiles and APIs (uvicorn)."""
    import uvicorn

    from api.app import create_app

    settings = load_settings()
    host = host or settings.host
    port = port or settings.port
    out.print(
        f"gridmap serving at http://{host}:{port}/"
        + (f" ({workers} workers)" if workers > 1 else "")
    )
    logs = _log_config()
    if workers > 1:
        # each worker builds its app from the same environment; their tile caches follow
        # layer_change on their own, so a write reaches every worker within a second
        uvicorn.run("api.app:create_app", factory=True, workers=workers, host=host, port=port,
                    log_level="info", log_config=logs, proxy_headers=False)  # fmt: skip
        return
    application = create_app(settings)
    uvicorn.run(application, host=host, port=port, log_level="info", log_config=logs,
                proxy_headers=False)  # fmt: skip


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus gridmap's own loggers at INFO on the same handler (the background
    closing of coverage months says what it closed and how long it took)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["gridmap"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def main() -> None:
    """Entry point of the `gridmap` console script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
