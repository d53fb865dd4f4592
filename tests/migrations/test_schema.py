"""The migrated schema matches the models, and every geometry column is typed and indexed."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import text

from geo import schema
from geo.models import Base

POSTGIS_TABLES = {"spatial_ref_sys"}


def _include(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name in POSTGIS_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def test_models_and_migrated_schema_do_not_drift(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_object": _include, "compare_type": True, "compare_server_default": True},
        )
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_head(engine):
    assert schema.current_revision(engine) == schema.head_revision()


def test_every_geometry_column_is_4326_and_gist_indexed(db):
    columns = db.execute(
        text("SELECT f_table_name, f_geometry_column, srid FROM geometry_columns")
    ).all()
    assert len(columns) >= 18
    for table, column, srid in columns:
        assert srid == 4326, f"{table}.{column} has SRID {srid}"
        indexed = db.execute(
            text(
                "SELECT count(*) FROM pg_indexes WHERE tablename = :t "
                "AND indexdef ILIKE '%USING gist%' AND indexdef ILIKE :col"
            ),
            {"t": table, "col": f"%({column})%"},
        ).scalar_one()
        assert indexed == 1, f"{table}.{column} has no GiST index"


def test_extensions_are_installed(db):
    names = set(db.execute(text("SELECT extname FROM pg_extension")).scalars())
    assert {"postgis", "pgrouting"} <= names
