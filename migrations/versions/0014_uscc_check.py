"""enterprise's USCC format check without an anchored regular expression

The check said `uscc ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'`, which
PostgreSQL's regex engine evaluates in ~2.4 µs a row: a quarter of a second per 100,000
enterprises in every big load, the most expensive of the table's checks by far. The same rule
in three cheaper tests (18 bytes; no character outside GB 32100's alphabet; digits in
places 3–8) costs ~1 µs. Both refuse the same codes (tests/migrations/test_uscc_check.py).
Downgrade restores the regex.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 02:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ck_enterprise_uscc_format"
FAST = (
    "octet_length(uscc) = 18 AND uscc !~ '[^0-9A-HJ-NPQRTUWXY]' AND substr(uscc, 3, 6) !~ '[^0-9]'"
)
REGEX = "uscc ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'"


def _check(expression: str) -> None:
    op.execute(f"ALTER TABLE enterprise DROP CONSTRAINT {NAME}")
    op.execute(f"ALTER TABLE enterprise ADD CONSTRAINT {NAME} CHECK ({expression})")


def upgrade() -> None:
    _check(FAST)


def downgrade() -> None:
    _check(REGEX)
