"""Monthly visit coverage (S7.1, DESIGN §5): figures kept current by triggers, and closed months.

`coverage_enterprise_month` and `coverage_member_month` are derived from `visit` by trigger
`gridmap_coverage_visit` (migration 0008) in the transaction of each visit write; they are not
audited. A closed month (`coverage_month`) keeps frozen figures per unit (`coverage_closed`) and
per enterprise with the places it had when the month closed (`coverage_closed_enterprise`).
`coverage_grid_total` and `coverage_grid_month` (migration 0009) hold the same figures
per grid and micro-grid, so that a month's units are read from a few thousand rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base


class CoverageEnterpriseMonth(Base):
    """One enterprise's visits in one month (month = its first day, China Standard Time)."""

    __tablename__ = "coverage_enterprise_month"
    __table_args__ = (Index("ix_coverage_enterprise_month_enterprise", "enterprise_id", "month"),)

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    visits: Mapped[int] = mapped_column(server_default="0")
    verified: Mapped[int] = mapped_column(server_default="0")
    flagged: Mapped[int] = mapped_column(server_default="0")
    last_visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoverageMemberMonth(Base):
    """One visitor's visits to one enterprise in one month.

    `member` is `u:<user id>` for visits recorded by an account, else `s:<staff id>`, else `-`.
    """

    __tablename__ = "coverage_member_month"
    __table_args__ = (Index("ix_coverage_member_month_member", "month", "member"),)

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    member: Mapped[str] = mapped_column(String(24), primary_key=True)
    visits: Mapped[int] = mapped_column(server_default="0")
    verified: Mapped[int] = mapped_column(server_default="0")
    flagged: Mapped[int] = mapped_column(server_default="0")
    last_visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoverageGridTotal(Base):
    """The operating enterprises of one grid and micro-grid (0: none), kept by the enterprise
    triggers `coverage_total_*` (migration 0009_coverage_figures)."""

    __tablename__ = "coverage_grid_total"

    grid_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    microgrid_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    total: Mapped[int] = mapped_column(server_default="0")


class CoverageGridMonth(Base):
    """Per month, grid and micro-grid (0: none): the operating enterprises there now that were
    visited, verified, flagged (no verified visit) — kept by the visit and enterprise triggers."""

    __tablename__ = "coverage_grid_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    grid_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    microgrid_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    visited: Mapped[int] = mapped_column(server_default="0")
    verified: Mapped[int] = mapped_column(server_default="0")
    flagged: Mapped[int] = mapped_column(server_default="0")


class CoverageMonth(Base):
    """A closed month: who closed it and when (its figures are frozen from then on)."""

    __tablename__ = "coverage_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_by: Mapped[str | None] = mapped_column(String(64))


class CoverageClosed(Base):
    """The frozen figures of one unit (park, community, grid, micro-grid, member) of a month."""

    __tablename__ = "coverage_closed"

    month: Mapped[date] = mapped_column(
        ForeignKey("coverage_month.month", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(64))
    community_code: Mapped[str | None] = mapped_column(String(12))
    visited: Mapped[int]
    verified: Mapped[int]
    flagged: Mapped[int]
    total: Mapped[int]


class CoverageClosedEnterprise(Base):
    """An enterprise's state in a closed month, with the grid it had when the month closed."""

    __tablename__ = "coverage_closed_enterprise"
    __table_args__ = (Index("ix_coverage_closed_enterprise_grid", "month", "grid_code"),)

    month: Mapped[date] = mapped_column(
        ForeignKey("coverage_month.month", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    community_code: Mapped[str] = mapped_column(String(12))
    grid_code: Mapped[str] = mapped_column(String(15))
    microgrid_code: Mapped[str | None] = mapped_column(String(18))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16))
    visits: Mapped[int]
    last_visited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
