"""tilebench: enterprise_cluster's primary key carries the cluster columns (index-only tiles)

A cluster tile reads up to 1,024 consecutive cells of one level; their rows lie scattered over
the table (written by triggers in arrival order), so the index scan touched one heap page per
cell (700 pages for a z13 tile, a quarter of its time). With the columns the tile sums in the
primary key (`INCLUDE`), the read is an index-only scan of about ten pages. One index still:
the key is unchanged, and so are the triggers' `ON CONFLICT (level, cell)`.

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-28 03:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE enterprise_cluster DROP CONSTRAINT pk_enterprise_cluster, "
        "ADD CONSTRAINT pk_enterprise_cluster PRIMARY KEY (level, cell) "
        "INCLUDE (count, employees, pick, sum_u, sum_v)"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE enterprise_cluster DROP CONSTRAINT pk_enterprise_cluster, "
        "ADD CONSTRAINT pk_enterprise_cluster PRIMARY KEY (level, cell)"
    )
