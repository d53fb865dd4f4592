"""Places managed besides enterprises: key sites, networks, roads, parking and shelters."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, Timestamped, geometry, natural_key, non_negative, one_of
from geo.vocab import (
    HAZARD_CLASSES,
    KEY_SITE_CATEGORIES,
    NETWORK_KINDS,
    PARKING_KINDS,
    ROAD_CLASSES,
    SHELTER_KINDS,
)


class KeySite(Timestamped, Base):
    """A key site (重点场所): hazardous chemicals, crowded places, rentals, ..."""

    __tablename__ = "key_site"
    __table_args__ = (
        one_of("category", KEY_SITE_CATEGORIES),
        one_of("hazard_class", HAZARD_CLASSES),
        CheckConstraint(
            "GeometryType(geom) IN ('POINT', 'POLYGON', 'MULTIPOLYGON')", name="geom_kind"
        ),
        CheckConstraint(
            "inspection_interval_days IS NULL OR inspection_interval_days > 0",
            name="interval_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = natural_key()
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(24))
    hazard_class: Mapped[str] = mapped_column(String(8), server_default="low")
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL"), index=True
    )
    grid_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid.id", ondelete="SET NULL"), index=True
    )
    responsible: Mapped[str | None] = mapped_column(String(100))
    last_inspected: Mapped[date | None] = mapped_column(Date)
    inspection_interval_days: Mapped[int | None]
    geom: Mapped[Any] = geometry("GEOMETRY")


class Network(Base):
    """A segment of an infrastructure network (water, power, gas, telecom, sewage, ...)."""

    __tablename__ = "network"
    __table_args__ = (one_of("kind", NETWORK_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = natural_key()
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    operator: Mapped[str | None] = mapped_column(String(200))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    geom: Mapped[Any] = geometry("LINESTRING")


class Road(Base):
    """A road segment of the routable network."""

    __tablename__ = "road"
    __table_args__ = (
        one_of("road_class", ROAD_CLASSES),
        CheckConstraint("lanes > 0", name="lanes_positive"),
        CheckConstraint("width_m > 0", name="width_positive"),
        CheckConstraint("speed_kmh > 0", name="speed_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = natural_key()
    name: Mapped[str | None] = mapped_column(String(200))
    road_class: Mapped[str] = mapped_column(String(16))
    lanes: Mapped[int] = mapped_column(server_default="2")
    width_m: Mapped[float] = mapped_column(Float, server_default="7")
    speed_kmh: Mapped[float] = mapped_column(Float, server_default="30")
    oneway: Mapped[bool] = mapped_column(Boolean, server_default="false")
    geom: Mapped[Any] = geometry("LINESTRING")


class ParkingZone(Base):
    """A parking zone (停车区域) with its capacity."""

    __tablename__ = "parking_zone"
    __table_args__ = (one_of("kind", PARKING_KINDS), *non_negative("capacity"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = natural_key()
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    capacity: Mapped[int] = mapped_column(server_default="0")
    grid_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid.id", ondelete="SET NULL"), index=True
    )
    geom: Mapped[Any] = geometry("MULTIPOLYGON")


class Shelter(Timestamped, Base):
    """An emergency shelter (应急避难场所); capacity defaults to area / 1.5 m² (GB 21734)."""

    __tablename__ = "shelter"
    __table_args__ = (
        one_of("kind", SHELTER_KINDS),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        CheckConstraint("effective_area_m2 IS NULL OR effective_area_m2 > 0", name="area_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = natural_key()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int | None]
    effective_area_m2: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    geom: Mapped[Any] = geometry("POINT")
    area: Mapped[Any] = geometry("MULTIPOLYGON", nullable=True)
