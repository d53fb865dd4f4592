"""People: grid staff and their assignments, and the accounts that sign in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, Timestamped, geometry, natural_key, one_of
from geo.vocab import LANGUAGES, STAFF_ROLES, USER_ROLES


class Staff(Timestamped, Base):
    """A member of the grid workforce (S5.2.2) with the standard's role."""

    __tablename__ = "staff"
    __table_args__ = (one_of("role", STAFF_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = natural_key()
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(24))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("community.id", ondelete="SET NULL"), index=True
    )
    employer: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    geom: Mapped[Any] = geometry("POINT", nullable=True)


class StaffAssignment(Base):
    """A staff member's duty in a grid, in a role, from a date (to a date when ended)."""

    __tablename__ = "staff_assignment"
    __table_args__ = (
        one_of("role", STAFF_ROLES),
        UniqueConstraint("staff_id", "grid_id", "role", name="uq_staff_assignment_duty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    since: Mapped[date] = mapped_column(Date, server_default=func.current_date())
    until: Mapped[date | None] = mapped_column(Date)


class User(Timestamped, Base):
    """An account that signs in, with one role and the community or grids it serves."""

    __tablename__ = "users"
    __table_args__ = (
        one_of("role", USER_ROLES),
        one_of("lang", LANGUAGES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("community.id", ondelete="SET NULL")
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    lang: Mapped[str] = mapped_column(String(8), server_default="zh-CN")
    disabled: Mapped[bool] = mapped_column(Boolean, server_default="false")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class UserGrid(Base):
    """The grids a grid leader or grid member account may write for."""

    __tablename__ = "user_grid"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    grid_id: Mapped[int] = mapped_column(
        ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True
    )
