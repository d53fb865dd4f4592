"""Backups of gridmap's database with pg_dump's custom format, and restores into an empty one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import URL, text

from geo import cluster
from geo.db import (
    drop_database,
    ensure_database,
    make_engine,
    rename_database,
    unavailable_as_error,
)
from geo.errors import ClusterError, Conflict, InvalidInput
from geo.settings import Settings

# Tables whose rows do not make a database "non-empty": PostGIS' and Alembic's own, and
# bookkeeping derived from the data (layer versions, enterprise clusters for tiles).
SYSTEM_TABLES = ("spatial_ref_sys", "alembic_version", "layer_change", "enterprise_cluster")


def _tool(settings: Settings, name: str) -> str:
    """pg_dump/pg_restore from the server's folder (versions must match) or the PATH."""
    try:
        candidate = cluster.find_bindir(settings) / name
        if candidate.is_file():
            return str(candidate)
    except ClusterError:
        pass
    found = shutil.which(name)
    if found is None:
        raise ClusterError(f"{name} was not found: install postgresql-client-15")
    return found


def _libpq_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PGHOST=url.host or "127.0.0.1",
        PGPORT=str(url.port or 5432),
        PGUSER=url.username or "",
        PGPASSWORD=url.password or "",
        PGDATABASE=str(url.database),
    )
    return env


def _run(args: list[str], url: URL, what: str) -> None:
    result = subprocess.run(args, env=_libpq_env(url), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise ClusterError(f"{what} failed: {lines[-1] if lines else result.returncode}")


def backup(settings: Settings, url: URL, target: Path) -> int:
    """Dump the database to `target` (custom format); returns the file size in bytes."""
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder: give a file name, e.g. {target}/gridmap.dump")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        _run([_tool(settings, "pg_dump"), "-Fc", "-Z", "6", "-f", str(partial)], url, "pg_dump")
        partial.replace(target)  # a killed dump never leaves a truncated file under the name
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def data_rows(url: URL) -> int:
    """How many rows the database's own tables hold (0 for an empty or absent database)."""
    engine = make_engine(url)
    try:
        with unavailable_as_error(url), engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT quote_ident(tablename) FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> ALL(:skip)"
                ),
                {"skip": list(SYSTEM_TABLES)},
            ).scalars()
            return sum(
                # identifiers come from pg_tables, quoted by the server with quote_ident
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
                for table in tables
            )
    finally:
        engine.dispose()


def restore(settings: Settings, url: URL, source: Path, *, force: bool = False) -> None:
    """Restore `source` as the database; refuses a non-empty one unless forced.

    The dump is restored into a scratch database first and swapped in only when complete,
    so a broken file or a killed restore leaves the existing database untouched.
    """
    if not source.is_file():
        raise InvalidInput(f"backup file {source} does not exist")
    with source.open("rb") as fh:
        if fh.read(5) != b"PGDMP":
            raise InvalidInput(f"{source} is not a pg_dump custom-format backup")
    if not ensure_database(url) and not force:
        rows = data_rows(url)
        if rows:
            raise Conflict(
                f"database {url.database} is not empty ({rows} rows): restore replaces it only "
                "with --force"
            )
    scratch = url.set(database=f"{url.database}_restoring")
    drop_database(scratch)
    ensure_database(scratch)
    try:
        _run(
            [_tool(settings, "pg_restore"), "--no-owner", "--exit-on-error",
             "--single-transaction", "-d", str(scratch.database), str(source)],
            scratch,
            "pg_restore",
        )  # fmt: skip
    except ClusterError:
        drop_database(scratch)
        raise
    drop_database(url)
    rename_database(scratch, str(url.database))
