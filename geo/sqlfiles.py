"""Long PostGIS statements live in geo/sql/*.sql; this loads them by name."""

from __future__ import annotations

from functools import cache
from importlib import resources

from sqlalchemy import TextClause, text


@cache
def sql_text(name: str) -> str:
    """The text of geo/sql/<name>.sql, for a DB-API cursor (a statement without parameters)."""
    return resources.files("geo").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


@cache
def sql(name: str) -> TextClause:
    """The statement in geo/sql/<name>.sql, with its :named parameters."""
    return text(sql_text(name))
