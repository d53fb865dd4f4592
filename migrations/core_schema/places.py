"""The park, its communities, grids and micro-grids, their boundary history and code lineage.

Part of migration 0002, as Alembic generated it (see the package): never edited.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry


def create_boundary_version() -> None:
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


def drop_boundary_version() -> None:
    op.drop_index("ix_boundary_version_feature", table_name="boundary_version")
    op.drop_geospatial_index(
        "idx_boundary_version_geom",
        table_name="boundary_version",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("boundary_version")


def create_code_lineage() -> None:
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


def drop_code_lineage() -> None:
    op.drop_index(op.f("ix_code_lineage_old_code"), table_name="code_lineage")
    op.drop_index(op.f("ix_code_lineage_new_code"), table_name="code_lineage")
    op.drop_table("code_lineage")


def create_park() -> None:
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


def drop_park() -> None:
    op.drop_geospatial_index(
        "idx_park_geom", table_name="park", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("park")


def create_community() -> None:
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


def drop_community() -> None:
    op.drop_index(op.f("ix_community_park_id"), table_name="community")
    op.drop_geospatial_index(
        "idx_community_geom", table_name="community", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("community")


def create_grid() -> None:
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


def drop_grid() -> None:
    op.drop_index(
        "ix_grid_live_community", table_name="grid", postgresql_where=sa.text("valid_to IS NULL")
    )
    op.drop_index(op.f("ix_grid_community_id"), table_name="grid")
    op.drop_geospatial_index(
        "idx_grid_geom", table_name="grid", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("grid")


def create_microgrid() -> None:
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


def drop_microgrid() -> None:
    op.drop_index(op.f("ix_microgrid_grid_id"), table_name="microgrid")
    op.drop_geospatial_index(
        "idx_microgrid_geom", table_name="microgrid", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("microgrid")
