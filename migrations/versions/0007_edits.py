"""boundary edits: the edit_operation table (issue #7)

One row per planner's edit (reshape, split, merge, micro-grid and enterprise edits, undo): its
kind and parameters, the reason, who and when, and the versions before/after of every feature
it wrote, so that any edit can be undone. Audited like the business tables.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "reshape", "split", "merge", "create_microgrid", "delete_microgrid", "reshape_microgrid",
    "move_enterprise", "undo",
)  # fmt: skip


def upgrade() -> None:
    kinds = ", ".join(f"'{kind}'" for kind in KINDS)
    op.create_table(
        "edit_operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column(
            "params",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "features",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column(
            "summary",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("undo_of", sa.Integer(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f("ck_edit_operation_kind_known")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_edit_operation_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_edit_operation_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undo_of"],
            ["edit_operation.id"],
            name=op.f("fk_edit_operation_undo_of_edit_operation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"],
            ["edit_operation.id"],
            name=op.f("fk_edit_operation_undone_by_edit_operation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edit_operation")),
    )
    op.create_index(op.f("ix_edit_operation_at"), "edit_operation", ["at"], unique=False)
    op.create_index(
        op.f("ix_edit_operation_community_id"), "edit_operation", ["community_id"], unique=False
    )
    op.execute(
        "CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON edit_operation FOR EACH ROW "
        "WHEN (current_setting('gridmap.audit', true) IS DISTINCT FROM 'bulk') "
        "EXECUTE FUNCTION gridmap_audit()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit ON edit_operation")
    op.drop_index(op.f("ix_edit_operation_community_id"), table_name="edit_operation")
    op.drop_index(op.f("ix_edit_operation_at"), table_name="edit_operation")
    op.drop_table("edit_operation")
