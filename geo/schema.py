"""The database schema's life: apply the Alembic migrations and tell where a database stands."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine

from geo.db import unavailable_as_error


def alembic_config(url: URL) -> Config:
    """Alembic configured in code for `url`, with gridmap's migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(Path(str(resources.files("migrations")))))
    # '%' is Alembic's interpolation character; passwords may contain it
    rendered = url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", rendered)
    return config


def head_revision() -> str:
    """The newest revision in the migrations folder."""
    script = ScriptDirectory.from_config(alembic_config(URL.create("postgresql")))
    head = script.get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with unavailable_as_error(engine.url), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: URL, revision: str = "head") -> None:
    """Migrate the database of `url` up to `revision`."""
    command.upgrade(alembic_config(url), revision)
