"""What every CLI command shares: consoles, settings, error reporting, database sessions."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.orm import Session

from geo.audit import Actor, acting_as
from geo.db import database_url, make_engine, make_sessionmaker, unavailable_as_error
from geo.errors import GridmapError
from geo.settings import Settings

out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def explained(func: F) -> F:
    """Turn gridmap's own errors into one line on stderr and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GridmapError as exc:
            err.print(f"[red]gridmap: {exc.message}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def load_settings() -> Settings:
    """Settings from the environment, with a one-line reason when they are wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "GRIDMAP_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        err.print(f"[red]gridmap: {field}: {first['msg']}[/red]", highlight=False)
        raise typer.Exit(2) from None


def cli_actor() -> Actor:
    """Who the audit log names for a command: the operating-system user, as `cli:NAME`."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(None, f"cli:{name}")


@contextmanager
def open_session(settings: Settings) -> Iterator[Session]:
    """A session on gridmap's database; the command commits or rolls back itself.

    Its writes are audited as the command line's user (`cli:NAME`)."""
    url = database_url(settings)
    engine = make_engine(url)
    try:
        with (
            acting_as(cli_actor()),
            unavailable_as_error(url),
            make_sessionmaker(engine)() as session,
        ):
            yield session
    finally:
        engine.dispose()
