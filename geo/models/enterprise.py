"""Enterprises, their visits by grid members, and their problems (the lists of S7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, Timestamped, geometry, natural_key, non_negative, one_of
from geo.vocab import (
    COORD_SOURCES,
    ENTERPRISE_STATUS,
    HANDLER_LEVELS,
    INDUSTRIES,
    PROBLEM_CATEGORIES,
    PROBLEM_STATUS,
    SIZE_CLASSES,
    VISIT_CHECKS,
)

# GB 32100-2015: registration authority, kind, 6-digit division code, 9-char org code, check
# char: 18 characters of its alphabet, digits in places 3–8 (as `^[…]{2}[0-9]{6}[…]{10}$`,
# without the regex engine: migration 0014)
USCC_ALPHABET = "0-9A-HJ-NPQRTUWXY"
USCC_CHECK = (
    f"octet_length(uscc) = 18 AND uscc !~ '[^{USCC_ALPHABET}]' AND substr(uscc, 3, 6) !~ '[^0-9]'"
)


class Enterprise(Timestamped, Base):
    """An enterprise (企业) at a point, optionally with its compound polygon."""

    __tablename__ = "enterprise"
    __table_args__ = (
        CheckConstraint(USCC_CHECK, name="uscc_format"),
        one_of("industry", INDUSTRIES),
        one_of("size_class", SIZE_CLASSES),
        one_of("status", ENTERPRISE_STATUS),
        one_of("coord_source", COORD_SOURCES),
        *non_negative("employees_day", "employees_night"),
        # partial (migration 0013): every query asks for a value, and NULL is common
        *(
            Index(
                name, column, postgresql_using=using, postgresql_where=text(f"{column} IS NOT NULL")
            )
            for name, column, using in (
                ("ix_enterprise_grid_id", "grid_id", "btree"),
                ("ix_enterprise_microgrid_id", "microgrid_id", "btree"),
                ("idx_enterprise_compound", "compound", "gist"),
            )
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    industry: Mapped[str | None] = mapped_column(String(1))
    industry_detail: Mapped[str | None] = mapped_column(String(200))
    size_class: Mapped[str | None] = mapped_column(String(8))
    employees_day: Mapped[int] = mapped_column(server_default="0")
    employees_night: Mapped[int] = mapped_column(server_default="0")
    address: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), server_default="operating")
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id", ondelete="SET NULL"))
    microgrid_id: Mapped[int | None] = mapped_column(
        ForeignKey("microgrid.id", ondelete="SET NULL")
    )
    coord_source: Mapped[str] = mapped_column(String(16), server_default="wgs84")
    raw_x: Mapped[float | None] = mapped_column(Float)
    raw_y: Mapped[float | None] = mapped_column(Float)
    raw_crs: Mapped[str | None] = mapped_column(String(40))
    geom: Mapped[Any] = geometry("POINT")
    compound: Mapped[Any] = geometry("MULTIPOLYGON", nullable=True, spatial_index=False)


class Visit(Base):
    """A grid member's visit to an enterprise, with where it was recorded."""

    __tablename__ = "visit"
    __table_args__ = (
        one_of("check_result", VISIT_CHECKS),
        CheckConstraint("distance_m IS NULL OR distance_m >= 0", name="distance_non_negative"),
        # the same enterprise at the same instant is one visit: re-imports update it
        UniqueConstraint("enterprise_id", "visited_at", name="uq_visit_enterprise_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    check_result: Mapped[str] = mapped_column(String(16), server_default="no_location")
    distance_m: Mapped[float | None] = mapped_column(Float)
    photo_path: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    geom: Mapped[Any] = geometry("POINT", nullable=True)


class Problem(Timestamped, Base):
    """An enterprise problem (企业问题): a service need or a demand, tracked to its end."""

    __tablename__ = "problem"
    __table_args__ = (
        one_of("category", PROBLEM_CATEGORIES),
        one_of("status", PROBLEM_STATUS),
        one_of("handler_level", HANDLER_LEVELS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = natural_key()
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="open", index=True)
    handler_level: Mapped[str] = mapped_column(String(16), server_default="grid")
    reported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    due_date: Mapped[date | None] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    geom: Mapped[Any] = geometry("POINT", nullable=True)
