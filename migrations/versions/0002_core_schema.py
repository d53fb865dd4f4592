"""core schema

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 20:47:43.151278
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_geospatial_table(
        "boundary_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("layer", sa.String(length=16), nullable=False),
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "geom",
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
            "layer IN ('grid', 'microgrid')", name=op.f("ck_boundary_version_layer_known")
        ),
        sa.CheckConstraint(
            "valid_to > valid_from", name=op.f("ck_boundary_version_valid_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boundary_version")),
    )
    op.create_geospatial_index(
        "idx_boundary_version_geom",
        "boundary_version",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_boundary_version_feature",
        "boundary_version",
        ["layer", "feature_id", "version"],
        unique=True,
    )
    op.create_table(
        "code_lineage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("layer", sa.String(length=16), nullable=False),
        sa.Column("old_code", sa.String(length=18), nullable=False),
        sa.Column("new_code", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "layer IN ('grid', 'microgrid')", name=op.f("ck_code_lineage_layer_known")
        ),
        sa.CheckConstraint(
            "reason IN ('split', 'merge', 'renumber')", name=op.f("ck_code_lineage_reason_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_lineage")),
    )
    op.create_index(op.f("ix_code_lineage_new_code"), "code_lineage", ["new_code"], unique=False)
    op.create_index(op.f("ix_code_lineage_old_code"), "code_lineage", ["old_code"], unique=False)
    op.create_geospatial_table(
        "network",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("operator", sa.String(length=200), nullable=True),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
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
            "kind IN ('water', 'power', 'gas', 'telecom', 'sewage', 'heating', 'road', 'bridge')",
            name=op.f("ck_network_kind_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network")),
    )
    op.create_geospatial_index(
        "idx_network_geom",
        "network",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_network_kind"), "network", ["kind"], unique=False)
    op.create_geospatial_table(
        "park",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("party_org", sa.String(length=200), nullable=True),
        sa.Column("leader", sa.String(length=100), nullable=True),
        sa.Column(
            "geom",
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
        sa.CheckConstraint("code ~ '^[0-9]{6,12}$'", name=op.f("ck_park_code_digits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park")),
        sa.UniqueConstraint("code", name=op.f("uq_park_code")),
    )
    op.create_geospatial_index(
        "idx_park_geom", "park", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_geospatial_table(
        "road",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("road_class", sa.String(length=16), nullable=False),
        sa.Column("lanes", sa.Integer(), server_default="2", nullable=False),
        sa.Column("width_m", sa.Float(), server_default="7", nullable=False),
        sa.Column("speed_kmh", sa.Float(), server_default="30", nullable=False),
        sa.Column("oneway", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
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
            "road_class IN ('arterial', 'secondary', 'local', 'service', 'path')",
            name=op.f("ck_road_road_class_known"),
        ),
        sa.CheckConstraint("lanes > 0", name=op.f("ck_road_lanes_positive")),
        sa.CheckConstraint("speed_kmh > 0", name=op.f("ck_road_speed_positive")),
        sa.CheckConstraint("width_m > 0", name=op.f("ck_road_width_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_road")),
    )
    op.create_geospatial_index(
        "idx_road_geom", "road", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_geospatial_table(
        "shelter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("effective_area_m2", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
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
            "area",
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
            "kind IN ('indoor', 'outdoor', 'school', 'stadium', 'park_square')",
            name=op.f("ck_shelter_kind_known"),
        ),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 0", name=op.f("ck_shelter_capacity_non_negative")
        ),
        sa.CheckConstraint(
            "effective_area_m2 IS NULL OR effective_area_m2 > 0",
            name=op.f("ck_shelter_area_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter")),
    )
    op.create_geospatial_index(
        "idx_shelter_area",
        "shelter",
        ["area"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_shelter_geom",
        "shelter",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("party_org", sa.String(length=200), nullable=True),
        sa.Column("leader", sa.String(length=100), nullable=True),
        sa.Column(
            "geom",
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
        sa.CheckConstraint("code ~ '^[0-9]{12}$'", name=op.f("ck_community_code_digits")),
        sa.ForeignKeyConstraint(
            ["park_id"], ["park.id"], name=op.f("fk_community_park_id_park"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
        sa.UniqueConstraint("code", name=op.f("uq_community_code")),
    )
    op.create_geospatial_index(
        "idx_community_geom",
        "community",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_community_park_id"), "community", ["park_id"], unique=False)
    op.create_geospatial_table(
        "grid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="base", nullable=False),
        sa.Column("code", sa.String(length=15), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "geom",
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
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "valid_from",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("code ~ '^[0-9]{15}$'", name=op.f("ck_grid_code_digits")),
        sa.CheckConstraint("kind IN ('base', 'dedicated')", name=op.f("ck_grid_kind_known")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_grid_valid_interval")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_grid_version_positive")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_grid_community_id_community"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid")),
        sa.UniqueConstraint("code", name=op.f("uq_grid_code")),
    )
    op.create_geospatial_index(
        "idx_grid_geom", "grid", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_index(op.f("ix_grid_community_id"), "grid", ["community_id"], unique=False)
    op.create_index(
        "ix_grid_live_community",
        "grid",
        ["community_id"],
        unique=False,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_geospatial_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
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
            "role IN ('party_secretary', 'party_member', 'grid_leader', 'full_time', 'instructor', 'part_time')",
            name=op.f("ck_staff_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_staff_community_id_community"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
    )
    op.create_geospatial_index(
        "idx_staff_geom",
        "staff",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_staff_community_id"), "staff", ["community_id"], unique=False)
    op.create_geospatial_table(
        "microgrid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "geom",
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
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "valid_from",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("code ~ '^[0-9]{18}$'", name=op.f("ck_microgrid_code_digits")),
        sa.CheckConstraint(
            "kind IN ('enterprise', 'park', 'building')", name=op.f("ck_microgrid_kind_known")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_microgrid_valid_interval")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_microgrid_version_positive")),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_microgrid_grid_id_grid"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_microgrid")),
        sa.UniqueConstraint("code", name=op.f("uq_microgrid_code")),
    )
    op.create_geospatial_index(
        "idx_microgrid_geom",
        "microgrid",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_microgrid_grid_id"), "microgrid", ["grid_id"], unique=False)
    op.create_geospatial_table(
        "parking_zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("capacity", sa.Integer(), server_default="0", nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
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
            "kind IN ('road_side', 'public', 'enterprise_front')",
            name=op.f("ck_parking_zone_kind_known"),
        ),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_parking_zone_capacity_non_negative")),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_parking_zone_grid_id_grid"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_zone")),
    )
    op.create_geospatial_index(
        "idx_parking_zone_geom",
        "parking_zone",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_parking_zone_grid_id"), "parking_zone", ["grid_id"], unique=False)
    op.create_table(
        "staff_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("since", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "role IN ('party_secretary', 'party_member', 'grid_leader', 'full_time', 'instructor', 'part_time')",
            name=op.f("ck_staff_assignment_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grid.id"],
            name=op.f("fk_staff_assignment_grid_id_grid"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_assignment_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_assignment")),
        sa.UniqueConstraint("staff_id", "grid_id", "role", name="uq_staff_assignment_duty"),
    )
    op.create_index(
        op.f("ix_staff_assignment_grid_id"), "staff_assignment", ["grid_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_assignment_staff_id"), "staff_assignment", ["staff_id"], unique=False
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(length=8), server_default="zh-CN", nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("lang IN ('zh-CN', 'en')", name=op.f("ck_users_lang_known")),
        sa.CheckConstraint(
            "role IN ('admin', 'planner', 'grid_leader', 'grid_member', 'emergency', 'viewer')",
            name=op.f("ck_users_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_users_community_id_community"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_users_staff_id_staff"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "action IN ('insert', 'update', 'delete')", name=op.f("ck_audit_log_action_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_table_name"), "audit_log", ["table_name"], unique=False)
    op.create_index(op.f("ix_audit_log_user_id"), "audit_log", ["user_id"], unique=False)
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
    op.create_table(
        "user_grid",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_user_grid_grid_id_grid"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_grid_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "grid_id", name=op.f("pk_user_grid")),
    )
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


def downgrade() -> None:

    op.drop_index(op.f("ix_evacuation_plan_hazard_id"), table_name="evacuation_plan")
    op.drop_geospatial_index(
        "idx_evacuation_plan_routes",
        table_name="evacuation_plan",
        postgresql_using="gist",
        column_name="routes",
    )
    op.drop_geospatial_table("evacuation_plan")
    op.drop_geospatial_index(
        "idx_hazard_zone", table_name="hazard", postgresql_using="gist", column_name="zone"
    )
    op.drop_geospatial_index(
        "idx_hazard_core", table_name="hazard", postgresql_using="gist", column_name="core"
    )
    op.drop_geospatial_table("hazard")
    op.drop_index(op.f("ix_visit_visited_at"), table_name="visit")
    op.drop_index(op.f("ix_visit_staff_id"), table_name="visit")
    op.drop_index(op.f("ix_visit_enterprise_id"), table_name="visit")
    op.drop_geospatial_index(
        "idx_visit_geom", table_name="visit", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("visit")
    op.drop_index(op.f("ix_problem_status"), table_name="problem")
    op.drop_index(op.f("ix_problem_enterprise_id"), table_name="problem")
    op.drop_geospatial_index(
        "idx_problem_geom", table_name="problem", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("problem")
    op.drop_index(op.f("ix_key_site_grid_id"), table_name="key_site")
    op.drop_index(op.f("ix_key_site_enterprise_id"), table_name="key_site")
    op.drop_geospatial_index(
        "idx_key_site_geom", table_name="key_site", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("key_site")
    op.drop_table("user_grid")
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
    op.drop_index(op.f("ix_audit_log_user_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_table_name"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("users")
    op.drop_index(op.f("ix_staff_assignment_staff_id"), table_name="staff_assignment")
    op.drop_index(op.f("ix_staff_assignment_grid_id"), table_name="staff_assignment")
    op.drop_table("staff_assignment")
    op.drop_index(op.f("ix_parking_zone_grid_id"), table_name="parking_zone")
    op.drop_geospatial_index(
        "idx_parking_zone_geom",
        table_name="parking_zone",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("parking_zone")
    op.drop_index(op.f("ix_microgrid_grid_id"), table_name="microgrid")
    op.drop_geospatial_index(
        "idx_microgrid_geom", table_name="microgrid", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("microgrid")
    op.drop_index(op.f("ix_staff_community_id"), table_name="staff")
    op.drop_geospatial_index(
        "idx_staff_geom", table_name="staff", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("staff")
    op.drop_index(
        "ix_grid_live_community", table_name="grid", postgresql_where=sa.text("valid_to IS NULL")
    )
    op.drop_index(op.f("ix_grid_community_id"), table_name="grid")
    op.drop_geospatial_index(
        "idx_grid_geom", table_name="grid", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("grid")
    op.drop_index(op.f("ix_community_park_id"), table_name="community")
    op.drop_geospatial_index(
        "idx_community_geom", table_name="community", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("community")
    op.drop_geospatial_index(
        "idx_shelter_geom", table_name="shelter", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_index(
        "idx_shelter_area", table_name="shelter", postgresql_using="gist", column_name="area"
    )
    op.drop_geospatial_table("shelter")
    op.drop_geospatial_index(
        "idx_road_geom", table_name="road", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("road")
    op.drop_geospatial_index(
        "idx_park_geom", table_name="park", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("park")
    op.drop_index(op.f("ix_network_kind"), table_name="network")
    op.drop_geospatial_index(
        "idx_network_geom", table_name="network", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("network")
    op.drop_index(op.f("ix_code_lineage_old_code"), table_name="code_lineage")
    op.drop_index(op.f("ix_code_lineage_new_code"), table_name="code_lineage")
    op.drop_table("code_lineage")
    op.drop_index("ix_boundary_version_feature", table_name="boundary_version")
    op.drop_geospatial_index(
        "idx_boundary_version_geom",
        table_name="boundary_version",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("boundary_version")
