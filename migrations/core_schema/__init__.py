"""Migration 0002's tables (the core schema as Alembic generated it), one module per family.

Part of a migration that every database has run: never edit these, write a new migration.
`migrations/versions/0002_core_schema.py` calls them in Alembic's order (foreign keys first).
"""
