"""Emergencies: hazards with their core and zone, evacuation plans, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Float, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, geometry, non_negative, one_of
from geo.vocab import HAZARD_SCENARIOS, TIMES_OF_DAY


class Hazard(Base):
    """A hazard: an impassable core inside a zone to evacuate."""

    __tablename__ = "hazard"
    __table_args__ = (one_of("scenario", HAZARD_SCENARIOS), one_of("time_of_day", TIMES_OF_DAY))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(16))
    key_site_id: Mapped[int | None] = mapped_column(ForeignKey("key_site.id", ondelete="SET NULL"))
    time_of_day: Mapped[str] = mapped_column(String(8), server_default="day")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    core: Mapped[Any] = geometry("MULTIPOLYGON")
    zone: Mapped[Any] = geometry("MULTIPOLYGON")


class EvacuationPlan(Base):
    """A computed evacuation plan for a hazard, with its parameters and result."""

    __tablename__ = "evacuation_plan"
    __table_args__ = (
        *non_negative("evacuees", "unplaced"),
        CheckConstraint("ete90_min IS NULL OR ete90_min >= 0", name="ete90_non_negative"),
        CheckConstraint("ete100_min IS NULL OR ete100_min >= 0", name="ete100_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    result: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    evacuees: Mapped[int] = mapped_column(server_default="0")
    unplaced: Mapped[int] = mapped_column(server_default="0")
    ete90_min: Mapped[float | None] = mapped_column(Float)
    ete100_min: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    routes: Mapped[Any] = geometry("MULTILINESTRING", nullable=True)


class AuditLog(Base):
    """Who wrote what, when, with the row before and after (DESIGN §7)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("action IN ('insert', 'update', 'delete', 'bulk')", name="action_known"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(8))
    table_name: Mapped[str] = mapped_column(String(40), index=True)
    row_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(500))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
