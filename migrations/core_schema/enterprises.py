"""Enterprises, their key sites, problems and visits.

Part of migration 0002, as Alembic generated it (see the package): never edited.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql


def create_enterprise() -> None:
    op.create_geospatial_table(
        "enterprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=1), nullable=True),
        sa.Column("industry_detail", sa.String(length=200), nullable=True),
        sa.Column("size_class", sa.String(length=8), nullable=True),
        sa.Column("employees_day", sa.Integer(), server_default="0", nullable=False),
        sa.Column("employees_night", sa.Integer(), server_default="0", nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="operating", nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("microgrid_id", sa.Integer(), nullable=True),
        sa.Column("coord_source", sa.String(length=16), server_default="wgs84", nullable=False),
        sa.Column("raw_x", sa.Float(), nullable=True),
        sa.Column("raw_y", sa.Float(), nullable=True),
        sa.Column("raw_crs", sa.String(length=40), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
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
            "compound",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "coord_source IN ('wgs84', 'cgcs2000', 'gcj02', 'bd09', 'epsg', 'survey')",
            name=op.f("ck_enterprise_coord_source_known"),
        ),
        sa.CheckConstraint(
            "industry IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T')",
            name=op.f("ck_enterprise_industry_known"),
        ),
        sa.CheckConstraint(
            "size_class IN ('large', 'medium', 'small', 'micro')",
            name=op.f("ck_enterprise_size_class_known"),
        ),
        sa.CheckConstraint(
            "status IN ('operating', 'suspended', 'closed', 'relocated')",
            name=op.f("ck_enterprise_status_known"),
        ),
        sa.CheckConstraint(
            "uscc ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'",
            name=op.f("ck_enterprise_uscc_format"),
        ),
        sa.CheckConstraint(
            "employees_day >= 0", name=op.f("ck_enterprise_employees_day_non_negative")
        ),
        sa.CheckConstraint(
            "employees_night >= 0", name=op.f("ck_enterprise_employees_night_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_enterprise_grid_id_grid"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["microgrid_id"],
            ["microgrid.id"],
            name=op.f("fk_enterprise_microgrid_id_microgrid"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
        sa.UniqueConstraint("uscc", name=op.f("uq_enterprise_uscc")),
    )
    op.create_geospatial_index(
        "idx_enterprise_compound",
        "enterprise",
        ["compound"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_enterprise_geom",
        "enterprise",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_enterprise_grid_id"), "enterprise", ["grid_id"], unique=False)
    op.create_index(
        op.f("ix_enterprise_microgrid_id"), "enterprise", ["microgrid_id"], unique=False
    )
    op.create_index(op.f("ix_enterprise_name"), "enterprise", ["name"], unique=False)


def drop_enterprise() -> None:
    op.drop_index(op.f("ix_enterprise_name"), table_name="enterprise")
    op.drop_index(op.f("ix_enterprise_microgrid_id"), table_name="enterprise")
    op.drop_index(op.f("ix_enterprise_grid_id"), table_name="enterprise")
    op.drop_geospatial_index(
        "idx_enterprise_geom", table_name="enterprise", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_index(
        "idx_enterprise_compound",
        table_name="enterprise",
        postgresql_using="gist",
        column_name="compound",
    )
    op.drop_geospatial_table("enterprise")


def create_key_site() -> None:
    op.create_geospatial_table(
        "key_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("hazard_class", sa.String(length=8), server_default="low", nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("responsible", sa.String(length=100), nullable=True),
        sa.Column("last_inspected", sa.Date(), nullable=True),
        sa.Column("inspection_interval_days", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
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
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "GeometryType(geom) IN ('POINT', 'POLYGON', 'MULTIPOLYGON')",
            name=op.f("ck_key_site_geom_kind"),
        ),
        sa.CheckConstraint(
            "category IN ('hazardous_chemicals', 'crowded_place', 'rental_housing', 'construction_site', 'fire_key_unit', 'other')",
            name=op.f("ck_key_site_category_known"),
        ),
        sa.CheckConstraint(
            "hazard_class IN ('major', 'high', 'medium', 'low')",
            name=op.f("ck_key_site_hazard_class_known"),
        ),
        sa.CheckConstraint(
            "inspection_interval_days IS NULL OR inspection_interval_days > 0",
            name=op.f("ck_key_site_interval_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_key_site_enterprise_id_enterprise"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_key_site_grid_id_grid"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_site")),
    )
    op.create_geospatial_index(
        "idx_key_site_geom",
        "key_site",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_key_site_enterprise_id"), "key_site", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_key_site_grid_id"), "key_site", ["grid_id"], unique=False)


def drop_key_site() -> None:
    op.drop_index(op.f("ix_key_site_grid_id"), table_name="key_site")
    op.drop_index(op.f("ix_key_site_enterprise_id"), table_name="key_site")
    op.drop_geospatial_index(
        "idx_key_site_geom", table_name="key_site", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("key_site")


def create_problem() -> None:
    op.create_geospatial_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("handler_level", sa.String(length=16), server_default="grid", nullable=False),
        sa.Column(
            "reported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "history", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "category IN ('service', 'demand')", name=op.f("ck_problem_category_known")
        ),
        sa.CheckConstraint(
            "handler_level IN ('grid', 'community', 'park', 'department')",
            name=op.f("ck_problem_handler_level_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'resolved', 'closed')",
            name=op.f("ck_problem_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_problem_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
    )
    op.create_geospatial_index(
        "idx_problem_geom",
        "problem",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_problem_enterprise_id"), "problem", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_problem_status"), "problem", ["status"], unique=False)


def drop_problem() -> None:
    op.drop_index(op.f("ix_problem_status"), table_name="problem")
    op.drop_index(op.f("ix_problem_enterprise_id"), table_name="problem")
    op.drop_geospatial_index(
        "idx_problem_geom", table_name="problem", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("problem")


def create_visit() -> None:
    op.create_geospatial_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "check_result", sa.String(length=16), server_default="no_location", nullable=False
        ),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("photo_path", sa.String(length=300), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "check_result IN ('verified', 'flagged', 'no_location')",
            name=op.f("ck_visit_check_result_known"),
        ),
        sa.CheckConstraint(
            "distance_m IS NULL OR distance_m >= 0", name=op.f("ck_visit_distance_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_visit_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_visit_staff_id_staff"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
    )
    op.create_geospatial_index(
        "idx_visit_geom",
        "visit",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_visit_enterprise_id"), "visit", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_visit_staff_id"), "visit", ["staff_id"], unique=False)
    op.create_index(op.f("ix_visit_visited_at"), "visit", ["visited_at"], unique=False)


def drop_visit() -> None:
    op.drop_index(op.f("ix_visit_visited_at"), table_name="visit")
    op.drop_index(op.f("ix_visit_staff_id"), table_name="visit")
    op.drop_index(op.f("ix_visit_enterprise_id"), table_name="visit")
    op.drop_geospatial_index(
        "idx_visit_geom", table_name="visit", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("visit")
