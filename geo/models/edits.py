"""Planners' boundary edits (issue #7): one row per operation, with the versions it made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, one_of
from geo.vocab import EDIT_KINDS


class EditOperation(Base):
    """One edit: its kind and parameters, who and why, and each feature's versions.

    `features` lists every grid/micro-grid/enterprise the edit wrote, as
    ``{"layer", "id", "code", "before": {"version", "live"} | null, "after": {...}}``;
    undo restores the `before` states (refused when a feature is no longer at `after`).
    """

    __tablename__ = "edit_operation"
    __table_args__ = (one_of("kind", EDIT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    features: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    undo_of: Mapped[int | None] = mapped_column(
        ForeignKey("edit_operation.id", ondelete="SET NULL")
    )
    undone_by: Mapped[int | None] = mapped_column(
        ForeignKey("edit_operation.id", ondelete="SET NULL")
    )
