"""Database access: URLs, engines and sessions, and the checks that the server suits gridmap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import URL, Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from geo import cluster
from geo.errors import DatabaseUnavailable
from geo.settings import Settings

REQUIRED_EXTENSIONS = ("postgis", "pgrouting")
MIN_POSTGIS = (3, 3)


def database_url(settings: Settings, *, database: str | None = None) -> URL:
    """The SQLAlchemy URL of gridmap's database (or of `database` on the same server)."""
    if settings.database_url is not None:
        url = make_url(settings.database_url.get_secret_value())
        url = url.set(drivername="postgresql+psycopg2")
    else:
        paths = cluster.cluster_paths(settings)
        url = URL.create(
            "postgresql+psycopg2",
            username=cluster.SERVER_USER,
            password=cluster.password(paths),
            host="127.0.0.1",
            port=settings.pg_port,
            database=settings.db_name,
        )
    return url.set(database=database) if database else url


def make_engine(url: URL, **kwargs: Any) -> Engine:
    """An engine with gridmap's connection options (short connect timeout, app name)."""
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5, "application_name": "gridmap"},
        **kwargs,
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that do not expire objects on commit (pages read them after the write)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def local_setting(session: Session, name: str, value: str) -> Iterator[None]:
    """Run the block with the server setting `name` at `value`, then put it back. Set for the
    transaction only (`set_config(..., true)`): if the block fails, the rollback undoes it."""
    before = session.scalar(text("SELECT current_setting(:name)"), {"name": name})
    change = text("SELECT set_config(:name, :value, true)")
    session.execute(change, {"name": name, "value": value})
    yield
    session.execute(change, {"name": name, "value": before})


@contextmanager
def unavailable_as_error(url: URL) -> Iterator[None]:
    """Translate a failed connection into one sentence naming the server."""
    try:
        yield
    except OperationalError as exc:
        where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {where}: {reason}; check GRIDMAP_DATABASE_URL "
            "or run `gridmap db up`"
        ) from exc


def ensure_database(url: URL) -> bool:
    """Create the database of `url` if it is missing; True when it was created."""
    admin = make_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with unavailable_as_error(url), admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).scalar()
            if exists:
                return False
            quoted = conn.dialect.identifier_preparer.quote(str(url.database))
            conn.execute(text(f"CREATE DATABASE {quoted} TEMPLATE template0 ENCODING 'UTF8'"))
            return True
    finally:
        admin.dispose()


def drop_database(url: URL) -> None:
    """Drop the database of `url`, closing other sessions on it first."""
    admin = make_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with unavailable_as_error(url), admin.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(str(url.database))
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
    finally:
        admin.dispose()


def rename_database(url: URL, new_name: str) -> None:
    """Rename the database of `url` (no session may be connected to it)."""
    admin = make_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with unavailable_as_error(url), admin.connect() as conn:
            quote = conn.dialect.identifier_preparer.quote
            conn.execute(
                text(f"ALTER DATABASE {quote(str(url.database))} RENAME TO {quote(new_name)}")
            )
    finally:
        admin.dispose()


def check_extensions_available(engine: Engine) -> None:
    """Refuse, in one sentence, a server that lacks PostGIS >= 3.3 or pgRouting."""
    with unavailable_as_error(engine.url), engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT name, default_version FROM pg_available_extensions WHERE name = ANY(:names)"
            ),
            {"names": list(REQUIRED_EXTENSIONS)},
        ).all()
        server = conn.execute(text("SHOW server_version_num")).scalar_one()
    available = {name: version for name, version in rows}
    major = int(server) // 10000
    for name, package in (("postgis", "postgis-3"), ("pgrouting", "pgrouting")):
        if name not in available:
            raise DatabaseUnavailable(
                f"the PostgreSQL server at {engine.url.host}:{engine.url.port} has no {name} "
                f"extension: install postgresql-{major}-{package} there (scripts/bootstrap does "
                "it for the embedded cluster)"
            )
    postgis = tuple(int(p) for p in available["postgis"].split(".")[:2])
    if postgis < MIN_POSTGIS:
        raise DatabaseUnavailable(
            f"PostGIS {available['postgis']} is too old: gridmap needs PostGIS 3.3 or newer"
        )


@dataclass(frozen=True)
class ServerVersions:
    """Versions reported by `gridmap db status` and `/healthz`."""

    postgresql: str
    postgis: str | None
    pgrouting: str | None


def server_versions(session: Session) -> ServerVersions:
    """PostgreSQL, PostGIS and pgRouting versions of the connected database."""
    installed: dict[str, str] = dict(
        session.execute(
            text("SELECT extname, extversion FROM pg_extension WHERE extname = ANY(:n)"),
            {"n": list(REQUIRED_EXTENSIONS)},
        ).all()
    )
    postgis = None
    if "postgis" in installed:
        postgis = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
    return ServerVersions(
        postgresql=session.execute(text("SHOW server_version")).scalar_one().split()[0],
        postgis=postgis,
        pgrouting=installed.get("pgrouting"),
    )


def ping(engine: Engine) -> ServerVersions:
    """Connect once and report versions; raises DatabaseUnavailable when unreachable."""
    try:
        with unavailable_as_error(engine.url), Session(engine) as session:
            return server_versions(session)
    except SQLAlchemyError as exc:  # connected, but the server refused the query
        raise DatabaseUnavailable(f"the database answered with an error: {exc}") from exc
