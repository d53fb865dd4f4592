"""gridmap's domain errors: each carries a message the user can act on."""

from __future__ import annotations

from typing import Any


class GridmapError(Exception):
    """Base of every error gridmap explains to its user."""

    code = "error"

    def __init__(self, message: str, *, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


class NotFound(GridmapError):
    """The named thing does not exist."""

    code = "not_found"


class Conflict(GridmapError):
    """The write clashes with the current state (stale version, duplicate key)."""

    code = "conflict"


class InvalidInput(GridmapError):
    """A value, file or option is malformed or out of range."""

    code = "invalid_input"


class TooLarge(InvalidInput):
    """An upload is larger than its limit."""

    code = "too_large"


class InvalidGeometry(InvalidInput):
    """A geometry is broken, of the wrong type, or outside its valid range."""

    code = "invalid_geometry"


class CrsUnknown(InvalidInput):
    """A coordinate reference system that gridmap cannot use."""

    code = "crs_unknown"


class PartitionBroken(GridmapError):
    """A write would leave grids overlapping or with gaps."""

    code = "partition_broken"


class DatabaseUnavailable(GridmapError):
    """The database cannot be reached or lacks what gridmap needs."""

    code = "database_unavailable"


class ClusterError(GridmapError):
    """The embedded PostgreSQL cluster cannot be created, started or stopped."""

    code = "cluster_error"


class NotSignedIn(GridmapError):
    """The request carries no valid session or token."""

    code = "not_authenticated"


class Forbidden(GridmapError):
    """The signed-in account may not do this (role, scope or CSRF)."""

    code = "forbidden"


class TooManyAttempts(GridmapError):
    """Too many failed logins for this account or address; try again later."""

    code = "too_many_attempts"
