"""Hazards and evacuation plans.

Part of migration 0002, as Alembic generated it (see the package): never edited.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql


def create_hazard() -> None:
    op.create_geospatial_table(
        "hazard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.String(length=16), nullable=False),
        sa.Column("key_site_id", sa.Integer(), nullable=True),
        sa.Column("time_of_day", sa.String(length=8), server_default="day", nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "core",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "zone",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "scenario IN ('gas_leak', 'chemical_fire', 'explosion', 'toxic_release', 'flood', 'other')",
            name=op.f("ck_hazard_scenario_known"),
        ),
        sa.CheckConstraint(
            "time_of_day IN ('day', 'night')", name=op.f("ck_hazard_time_of_day_known")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_hazard_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["key_site_id"],
            ["key_site.id"],
            name=op.f("fk_hazard_key_site_id_key_site"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard")),
    )
    op.create_geospatial_index(
        "idx_hazard_core",
        "hazard",
        ["core"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_hazard_zone",
        "hazard",
        ["zone"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )


def drop_hazard() -> None:
    op.drop_geospatial_index(
        "idx_hazard_zone", table_name="hazard", postgresql_using="gist", column_name="zone"
    )
    op.drop_geospatial_index(
        "idx_hazard_core", table_name="hazard", postgresql_using="gist", column_name="core"
    )
    op.drop_geospatial_table("hazard")


def create_evacuation_plan() -> None:
    op.create_geospatial_table(
        "evacuation_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "parameters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "result", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("evacuees", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unplaced", sa.Integer(), server_default="0", nullable=False),
        sa.Column("ete90_min", sa.Float(), nullable=True),
        sa.Column("ete100_min", sa.Float(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "routes",
            Geometry(
                geometry_type="MULTILINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "ete100_min IS NULL OR ete100_min >= 0",
            name=op.f("ck_evacuation_plan_ete100_non_negative"),
        ),
        sa.CheckConstraint(
            "ete90_min IS NULL OR ete90_min >= 0",
            name=op.f("ck_evacuation_plan_ete90_non_negative"),
        ),
        sa.CheckConstraint("evacuees >= 0", name=op.f("ck_evacuation_plan_evacuees_non_negative")),
        sa.CheckConstraint("unplaced >= 0", name=op.f("ck_evacuation_plan_unplaced_non_negative")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_evacuation_plan_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazard.id"],
            name=op.f("fk_evacuation_plan_hazard_id_hazard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evacuation_plan")),
    )
    op.create_geospatial_index(
        "idx_evacuation_plan_routes",
        "evacuation_plan",
        ["routes"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_evacuation_plan_hazard_id"), "evacuation_plan", ["hazard_id"], unique=False
    )


def drop_evacuation_plan() -> None:
    op.drop_index(op.f("ix_evacuation_plan_hazard_id"), table_name="evacuation_plan")
    op.drop_geospatial_index(
        "idx_evacuation_plan_routes",
        table_name="evacuation_plan",
        postgresql_using="gist",
        column_name="routes",
    )
    op.drop_geospatial_table("evacuation_plan")
