"""core schema

The tables as Alembic generated them, one function each in migrations/core_schema/ (by
family), called here in Alembic's order: foreign keys' tables first, and dropped in reverse.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 20:47:43.151278
"""

from collections.abc import Sequence

from migrations.core_schema import emergency, enterprises, infrastructure, people, places

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    places.create_boundary_version()
    places.create_code_lineage()
    infrastructure.create_network()
    places.create_park()
    infrastructure.create_road()
    infrastructure.create_shelter()
    places.create_community()
    places.create_grid()
    people.create_staff()
    places.create_microgrid()
    infrastructure.create_parking_zone()
    people.create_staff_assignment()
    people.create_users()
    people.create_audit_log()
    enterprises.create_enterprise()
    people.create_user_grid()
    enterprises.create_key_site()
    enterprises.create_problem()
    enterprises.create_visit()
    emergency.create_hazard()
    emergency.create_evacuation_plan()


def downgrade() -> None:
    emergency.drop_evacuation_plan()
    emergency.drop_hazard()
    enterprises.drop_visit()
    enterprises.drop_problem()
    enterprises.drop_key_site()
    people.drop_user_grid()
    enterprises.drop_enterprise()
    people.drop_audit_log()
    people.drop_users()
    people.drop_staff_assignment()
    infrastructure.drop_parking_zone()
    places.drop_microgrid()
    people.drop_staff()
    places.drop_grid()
    places.drop_community()
    infrastructure.drop_shelter()
    infrastructure.drop_road()
    places.drop_park()
    infrastructure.drop_network()
    places.drop_code_lineage()
    places.drop_boundary_version()
