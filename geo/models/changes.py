"""What tiles are built from besides the layers: table versions and enterprise clusters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, SmallInteger, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base


class LayerChange(Base):
    """The version of a table's rows: any INSERT, UPDATE, DELETE or TRUNCATE raises it.

    Statement-level triggers (migration 0004) keep it, so imports, edits and other
    processes' writes all count; the tile cache keys tiles by these versions.
    """

    __tablename__ = "layer_change"

    layer: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EnterpriseCluster(Base):
    """Enterprises counted per Web Mercator cell, for low-zoom tiles (kept by triggers).

    `cell` is the Morton key of the cell at `level` (14, 16, 18 or 20: a cell is 1/2^level of
    the world's width); `pick` = employees_day * 2^32 + id of its largest employer; `sum_u`,
    `sum_v` add up the members' world coordinates (0..1), so their mean places the cluster.
    """

    __tablename__ = "enterprise_cluster"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int]
    employees: Mapped[int] = mapped_column(BigInteger)
    pick: Mapped[int] = mapped_column(BigInteger)
    sum_u: Mapped[float] = mapped_column(Float)
    sum_v: Mapped[float] = mapped_column(Float)
