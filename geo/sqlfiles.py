"""Long PostGIS statements live in geo/sql/*.sql; this loads them by name.

A file may take in another one where it writes `{sql:NAME}` (a fragment stated once, such as
the assignment rule, used by several statements).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from sqlalchemy import TextClause, text

INCLUDE = re.compile(r"\{sql:(\w+)\}")


@cache
def sql_text(name: str) -> str:
    """The text of geo/sql/<name>.sql, for a DB-API cursor (a statement without parameters)."""
    body = resources.files("geo").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")
    return INCLUDE.sub(lambda m: sql_text(m.group(1)).strip(), body)


@cache
def sql(name: str) -> TextClause:
    """The statement in geo/sql/<name>.sql, with its :named parameters."""
    return text(sql_text(name))
