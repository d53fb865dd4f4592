"""The spatial hierarchy: park › community › grid › micro-grid, with boundary history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, Timestamped, Versioned, geometry, one_of
from geo.vocab import GRID_KINDS, LINEAGE_REASONS, MICROGRID_KINDS


class Park(Timestamped, Base):
    """An industrial park (园区), the top of the hierarchy."""

    __tablename__ = "park"
    __table_args__ = (CheckConstraint("code ~ '^[0-9]{6,12}$'", name="code_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    party_org: Mapped[str | None] = mapped_column(String(200))
    leader: Mapped[str | None] = mapped_column(String(100))
    geom: Mapped[Any] = geometry("MULTIPOLYGON")


class Community(Timestamped, Base):
    """An enterprise community (企业社区); code = district 6 + street 3 + community 3."""

    __tablename__ = "community"
    __table_args__ = (CheckConstraint("code ~ '^[0-9]{12}$'", name="code_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    party_org: Mapped[str | None] = mapped_column(String(200))
    leader: Mapped[str | None] = mapped_column(String(100))
    geom: Mapped[Any] = geometry("MULTIPOLYGON")


class Grid(Timestamped, Versioned, Base):
    """A grid (网格), base or dedicated; the current version of each, retired ones kept.

    Its leader (网格长) is the staff assignment with the role grid_leader.
    """

    __tablename__ = "grid"
    __table_args__ = (
        one_of("kind", GRID_KINDS),
        CheckConstraint("code ~ '^[0-9]{15}$'", name="code_digits"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_interval"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), server_default="base")
    code: Mapped[str] = mapped_column(String(15), unique=True)  # never reused, even retired
    name: Mapped[str] = mapped_column(String(200))
    geom: Mapped[Any] = geometry("MULTIPOLYGON")


class Microgrid(Timestamped, Versioned, Base):
    """A micro-grid (微网格) inside a grid: enterprise, park or building kind."""

    __tablename__ = "microgrid"
    __table_args__ = (
        one_of("kind", MICROGRID_KINDS),
        CheckConstraint("code ~ '^[0-9]{18}$'", name="code_digits"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_interval"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    geom: Mapped[Any] = geometry("MULTIPOLYGON")


class BoundaryVersion(Base):
    """A past version of a grid or micro-grid boundary, for history, `?at=` and undo."""

    __tablename__ = "boundary_version"
    __table_args__ = (
        CheckConstraint("layer IN ('grid', 'microgrid')", name="layer_known"),
        CheckConstraint("valid_to > valid_from", name="valid_interval"),
        Index("ix_boundary_version_feature", "layer", "feature_id", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    layer: Mapped[str] = mapped_column(String(16))
    feature_id: Mapped[int]
    version: Mapped[int]
    code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int]
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    geom: Mapped[Any] = geometry("MULTIPOLYGON")


class CodeLineage(Base):
    """A code retired by a split, merge or renumbering, and the code(s) that replaced it."""

    __tablename__ = "code_lineage"
    __table_args__ = (
        one_of("reason", LINEAGE_REASONS),
        CheckConstraint("layer IN ('grid', 'microgrid')", name="layer_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    layer: Mapped[str] = mapped_column(String(16))
    old_code: Mapped[str] = mapped_column(String(18), index=True)
    new_code: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# Only live (not retired) grids take part in partition checks and assignment.
Index(
    "ix_grid_live_community",
    Grid.community_id,
    postgresql_where=text("valid_to IS NULL"),
)
