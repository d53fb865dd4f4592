"""Bringing gridmap's database up and down: cluster, database, extensions, migrations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from geo import cluster, schema
from geo.db import (
    ServerVersions,
    check_extensions_available,
    database_url,
    ensure_database,
    make_engine,
    server_versions,
    unavailable_as_error,
)
from geo.settings import Settings


@dataclass(frozen=True)
class UpReport:
    """What `gridmap db up` did."""

    started: bool
    created_database: bool
    revision_before: str | None
    revision_after: str


def up(settings: Settings) -> UpReport:
    """Start the embedded cluster if used, create the database, and migrate it to head.

    Idempotent; when everything is already up it only checks (one connection).
    """
    started = False
    if settings.uses_embedded:
        started = not cluster.status(settings).running
        cluster.start(settings)
    url = database_url(settings)
    created = ensure_database(url)
    engine = make_engine(url)
    try:
        before = schema.current_revision(engine)
        head = schema.head_revision()
        if before != head:
            check_extensions_available(engine)
            schema.upgrade(url)
    finally:
        engine.dispose()
    return UpReport(started, created, before, head)


def migrate(settings: Settings) -> tuple[str | None, str]:
    """Apply pending migrations; (revision before, revision after)."""
    url = database_url(settings)
    engine = make_engine(url)
    try:
        before = schema.current_revision(engine)
        check_extensions_available(engine)
        schema.upgrade(url)
        return before, schema.head_revision()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class DatabaseStatus:
    """What `gridmap db status` reports."""

    embedded: cluster.ClusterStatus | None
    reachable: bool
    versions: ServerVersions | None
    revision: str | None
    head: str
    problem: str | None


def status(settings: Settings) -> DatabaseStatus:
    """Cluster state (embedded), reachability, server versions and migration revision."""
    embedded = cluster.status(settings) if settings.uses_embedded else None
    head = schema.head_revision()
    if embedded is not None and not embedded.running:
        return DatabaseStatus(embedded, False, None, None, head, "the cluster is not running")
    url = database_url(settings)
    engine = make_engine(url)
    try:
        with unavailable_as_error(url), Session(engine) as session:
            versions = server_versions(session)
        revision = schema.current_revision(engine)
    except Exception as exc:  # reported, not raised: status must always answer
        message = getattr(exc, "message", str(exc))
        return DatabaseStatus(embedded, False, None, None, head, message)
    finally:
        engine.dispose()
    return DatabaseStatus(embedded, True, versions, revision, head, None)
