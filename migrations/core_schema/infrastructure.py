"""Networks, roads, shelters and parking zones.

Part of migration 0002, as Alembic generated it (see the package): never edited.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql


def create_network() -> None:
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


def drop_network() -> None:
    op.drop_index(op.f("ix_network_kind"), table_name="network")
    op.drop_geospatial_index(
        "idx_network_geom", table_name="network", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("network")


def create_road() -> None:
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


def drop_road() -> None:
    op.drop_geospatial_index(
        "idx_road_geom", table_name="road", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("road")


def create_shelter() -> None:
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


def drop_shelter() -> None:
    op.drop_geospatial_index(
        "idx_shelter_geom", table_name="shelter", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_index(
        "idx_shelter_area", table_name="shelter", postgresql_using="gist", column_name="area"
    )
    op.drop_geospatial_table("shelter")


def create_parking_zone() -> None:
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


def drop_parking_zone() -> None:
    op.drop_index(op.f("ix_parking_zone_grid_id"), table_name="parking_zone")
    op.drop_geospatial_index(
        "idx_parking_zone_geom",
        table_name="parking_zone",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("parking_zone")
