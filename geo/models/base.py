"""The declarative base, naming conventions and column helpers shared by every table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, DateTime, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from geo.vocab import Vocabulary

SRID = 4326

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of all gridmap tables; constraint names follow NAMING so migrations stay stable."""

    metadata = MetaData(naming_convention=NAMING)


def geometry(kind: str, *, nullable: bool = False, spatial_index: bool = True) -> Any:
    """A typed EPSG:4326 geometry column with a GiST index (unless the table declares its own)."""
    return mapped_column(Geometry(kind, srid=SRID, spatial_index=spatial_index), nullable=nullable)


def natural_key(length: int = 40) -> Any:
    """The unique code by which an import recognises a row again (it updates, never duplicates)."""
    return mapped_column(String(length), unique=True)


def one_of(column: str, vocabulary: Vocabulary, *, name: str | None = None) -> CheckConstraint:
    """A check constraint limiting `column` to the values of `vocabulary`."""
    values = ", ".join(f"'{value}'" for value in vocabulary)
    return CheckConstraint(f"{column} IN ({values})", name=name or f"{column}_known")


def non_negative(*columns: str) -> list[CheckConstraint]:
    """Check constraints refusing negative counts."""
    return [CheckConstraint(f"{c} >= 0", name=f"{c}_non_negative") for c in columns]


class Timestamped:
    """Creation and last-update times, set by the database."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Versioned:
    """Boundary versioning (DESIGN §4): the current version and its validity interval."""

    version: Mapped[int] = mapped_column(server_default="1")
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
