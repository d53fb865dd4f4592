"""room on enterprise pages for HOT updates of the assignment

A full assignment pass after an import changes grid_id and microgrid_id of nearly every
enterprise. With the assignment indexes set aside (geo.assignment's bulk write), such an update
can be HOT — the new row version on the same page, no index touched — but only if the page has
room for it. Fillfactor 50 leaves that room on every page written from now on (COPY, INSERT,
VACUUM FULL); pages already written keep theirs until rewritten. At 1M enterprises the bulk
update takes ~8 s this way against ~47 s when each row gets new entries in all five remaining
indexes (bench/assign/README.md). The cost: the table takes up to twice the pages.

Revision ID: 0005_assign
Revises: 0005_import (the lead may re-chain: it depends only on 0004)
Create Date: 2026-11-28 00:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_assign"
down_revision: str | None = "0005_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE enterprise SET (fillfactor = 50)")


def downgrade() -> None:
    op.execute("ALTER TABLE enterprise RESET (fillfactor)")
