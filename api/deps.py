"""Request plumbing shared by API routes and pages: settings and database sessions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from geo.errors import DatabaseUnavailable
from geo.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request; routes that write commit it themselves."""
    factory: sessionmaker[Session] | None = request.app.state.sessionmaker
    if factory is None:
        raise DatabaseUnavailable(request.app.state.database_problem)
    with factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
