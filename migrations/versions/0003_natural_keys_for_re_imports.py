"""natural keys for re-imports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 20:57:10.670887
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


KEYED = [
    ("key_site", "code"),
    ("network", "code"),
    ("parking_zone", "code"),
    ("problem", "code"),
    ("road", "code"),
    ("shelter", "code"),
    ("staff", "staff_no"),
]


def upgrade() -> None:
    for table, column in KEYED:
        # rows that exist before this revision get their id as code, then the key is required
        op.add_column(table, sa.Column(column, sa.String(length=40), nullable=True))
        # identifiers are the constants above, not input
        op.execute(f"UPDATE {table} SET {column} = id::text WHERE {column} IS NULL")  # noqa: S608
        op.alter_column(table, column, nullable=False)
        op.create_unique_constraint(op.f(f"uq_{table}_{column}"), table, [column])
    op.create_unique_constraint(
        "uq_visit_enterprise_time", "visit", ["enterprise_id", "visited_at"]
    )


def downgrade() -> None:

    op.drop_constraint("uq_visit_enterprise_time", "visit", type_="unique")
    op.drop_constraint(op.f("uq_staff_staff_no"), "staff", type_="unique")
    op.drop_column("staff", "staff_no")
    op.drop_constraint(op.f("uq_shelter_code"), "shelter", type_="unique")
    op.drop_column("shelter", "code")
    op.drop_constraint(op.f("uq_road_code"), "road", type_="unique")
    op.drop_column("road", "code")
    op.drop_constraint(op.f("uq_problem_code"), "problem", type_="unique")
    op.drop_column("problem", "code")
    op.drop_constraint(op.f("uq_parking_zone_code"), "parking_zone", type_="unique")
    op.drop_column("parking_zone", "code")
    op.drop_constraint(op.f("uq_network_code"), "network", type_="unique")
    op.drop_column("network", "code")
    op.drop_constraint(op.f("uq_key_site_code"), "key_site", type_="unique")
    op.drop_column("key_site", "code")
