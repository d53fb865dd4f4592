"""coverage: monthly visit coverage kept current by triggers, closed months (issue #8)

- `visit.user_id`: the account that recorded a visit (the member filter of coverage).
- `coverage_enterprise_month`, `coverage_member_month`: per month, an enterprise's visits
  (count, verified, flagged, last time) overall and per visitor, written by trigger
  `gridmap_coverage_visit` on every visit insert/update/delete in the same transaction (an
  insert adds one; an update or delete recounts the month of that enterprise). Derived, so
  not audited. Filled from the existing visits here.
- `coverage_month` (closing a month is audited), `coverage_closed`, `coverage_closed_enterprise`:
  the frozen figures of closed months.

Months are calendar months in China Standard Time (`gridmap_coverage_month`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = """
CREATE FUNCTION gridmap_coverage_month(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_trunc('month', ts AT TIME ZONE 'Asia/Shanghai')::date
$$;

CREATE FUNCTION gridmap_visit_member(user_id int, staff_id int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN user_id IS NOT NULL THEN 'u:' || user_id
                WHEN staff_id IS NOT NULL THEN 's:' || staff_id ELSE '-' END
$$;

CREATE FUNCTION gridmap_coverage_recount(m date, e int) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    since timestamptz := m::timestamp AT TIME ZONE 'Asia/Shanghai';
    until timestamptz := (m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai';
BEGIN
    DELETE FROM coverage_enterprise_month WHERE month = m AND enterprise_id = e;
    DELETE FROM coverage_member_month WHERE month = m AND enterprise_id = e;
    INSERT INTO coverage_enterprise_month
        (month, enterprise_id, visits, verified, flagged, last_visited_at)
    SELECT m, e, count(*), count(*) FILTER (WHERE check_result = 'verified'),
           count(*) FILTER (WHERE check_result = 'flagged'), max(visited_at)
    FROM visit WHERE enterprise_id = e AND visited_at >= since AND visited_at < until
    HAVING count(*) > 0;
    INSERT INTO coverage_member_month
        (month, enterprise_id, member, visits, verified, flagged, last_visited_at)
    SELECT m, e, gridmap_visit_member(user_id, staff_id), count(*),
           count(*) FILTER (WHERE check_result = 'verified'),
           count(*) FILTER (WHERE check_result = 'flagged'), max(visited_at)
    FROM visit WHERE enterprise_id = e AND visited_at >= since AND visited_at < until
    GROUP BY 3;
END
$$;

CREATE FUNCTION gridmap_coverage_visit() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    m date;
    v int;
    f int;
BEGIN
    IF TG_OP = 'INSERT' THEN
        m := gridmap_coverage_month(NEW.visited_at);
        v := (NEW.check_result = 'verified')::int;
        f := (NEW.check_result = 'flagged')::int;
        INSERT INTO coverage_enterprise_month AS c
            (month, enterprise_id, visits, verified, flagged, last_visited_at)
        VALUES (m, NEW.enterprise_id, 1, v, f, NEW.visited_at)
        ON CONFLICT (month, enterprise_id) DO UPDATE SET
            visits = c.visits + 1, verified = c.verified + v, flagged = c.flagged + f,
            last_visited_at = greatest(c.last_visited_at, NEW.visited_at);
        INSERT INTO coverage_member_month AS c
            (month, enterprise_id, member, visits, verified, flagged, last_visited_at)
        VALUES (m, NEW.enterprise_id, gridmap_visit_member(NEW.user_id, NEW.staff_id), 1, v, f,
                NEW.visited_at)
        ON CONFLICT (month, enterprise_id, member) DO UPDATE SET
            visits = c.visits + 1, verified = c.verified + v, flagged = c.flagged + f,
            last_visited_at = greatest(c.last_visited_at, NEW.visited_at);
        RETURN NULL;
    END IF;
    PERFORM gridmap_coverage_recount(gridmap_coverage_month(OLD.visited_at), OLD.enterprise_id);
    IF TG_OP = 'UPDATE' AND (gridmap_coverage_month(NEW.visited_at),  NEW.enterprise_id)
            IS DISTINCT FROM (gridmap_coverage_month(OLD.visited_at), OLD.enterprise_id) THEN
        PERFORM gridmap_coverage_recount(gridmap_coverage_month(NEW.visited_at),
                                         NEW.enterprise_id);
    END IF;
    RETURN NULL;
END
$$;
"""

BACKFILL = """
INSERT INTO coverage_enterprise_month
    (month, enterprise_id, visits, verified, flagged, last_visited_at)
SELECT gridmap_coverage_month(visited_at), enterprise_id, count(*),
       count(*) FILTER (WHERE check_result = 'verified'),
       count(*) FILTER (WHERE check_result = 'flagged'), max(visited_at)
FROM visit GROUP BY 1, 2;
INSERT INTO coverage_member_month
    (month, enterprise_id, member, visits, verified, flagged, last_visited_at)
SELECT gridmap_coverage_month(visited_at), enterprise_id, gridmap_visit_member(user_id, staff_id),
       count(*), count(*) FILTER (WHERE check_result = 'verified'),
       count(*) FILTER (WHERE check_result = 'flagged'), max(visited_at)
FROM visit GROUP BY 1, 2, 3;
"""


def _counts() -> list[sa.Column]:
    return [
        sa.Column("visits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("verified", sa.Integer(), server_default="0", nullable=False),
        sa.Column("flagged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_visited_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _month_tables() -> None:
    op.create_table(
        "coverage_enterprise_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        *_counts(),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_coverage_enterprise_month_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "month", "enterprise_id", name=op.f("pk_coverage_enterprise_month")
        ),
    )
    op.create_index(
        "ix_coverage_enterprise_month_enterprise",
        "coverage_enterprise_month",
        ["enterprise_id", "month"],
    )
    op.create_table(
        "coverage_member_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=24), nullable=False),
        *_counts(),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_coverage_member_month_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "month", "enterprise_id", "member", name=op.f("pk_coverage_member_month")
        ),
    )
    op.create_index("ix_coverage_member_month_member", "coverage_member_month", ["month", "member"])


def _closed_tables() -> None:
    op.create_table(
        "coverage_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column(
            "closed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_coverage_month")),
    )
    month_fk = sa.ForeignKeyConstraint(
        ["month"], ["coverage_month.month"], ondelete="CASCADE",
        name=op.f("fk_coverage_closed_month_coverage_month"),
    )  # fmt: skip
    op.create_table(
        "coverage_closed",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("community_code", sa.String(length=12), nullable=True),
        sa.Column("visited", sa.Integer(), nullable=False),
        sa.Column("verified", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        month_fk,
        sa.PrimaryKeyConstraint("month", "level", "code", name=op.f("pk_coverage_closed")),
    )
    op.create_table(
        "coverage_closed_enterprise",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("microgrid_code", sa.String(length=18), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("last_visited_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["month"],
            ["coverage_month.month"],
            ondelete="CASCADE",
            name=op.f("fk_coverage_closed_enterprise_month_coverage_month"),
        ),
        sa.PrimaryKeyConstraint(
            "month", "enterprise_id", name=op.f("pk_coverage_closed_enterprise")
        ),
    )
    op.create_index(
        "ix_coverage_closed_enterprise_grid",
        "coverage_closed_enterprise",
        ["month", "grid_code"],
    )


def upgrade() -> None:
    op.add_column("visit", sa.Column("user_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_visit_user_id_users"), "visit", "users", ["user_id"], ["id"], ondelete="SET NULL"
    )
    op.create_index(op.f("ix_visit_user_id"), "visit", ["user_id"])
    _month_tables()
    _closed_tables()
    op.execute(FUNCTIONS)
    op.execute(BACKFILL)
    op.execute(
        "CREATE TRIGGER coverage AFTER INSERT OR DELETE OR UPDATE OF enterprise_id, visited_at, "
        "check_result, user_id, staff_id ON visit FOR EACH ROW "
        "EXECUTE FUNCTION gridmap_coverage_visit()"
    )
    op.execute(
        "CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON coverage_month FOR EACH ROW "
        "WHEN (current_setting('gridmap.audit', true) IS DISTINCT FROM 'bulk') "
        "EXECUTE FUNCTION gridmap_audit('month')"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit ON coverage_month")
    op.execute("DROP TRIGGER IF EXISTS coverage ON visit")
    op.execute("DROP FUNCTION IF EXISTS gridmap_coverage_visit()")
    op.execute("DROP FUNCTION IF EXISTS gridmap_coverage_recount(date, int)")
    op.execute("DROP FUNCTION IF EXISTS gridmap_visit_member(int, int)")
    op.execute("DROP FUNCTION IF EXISTS gridmap_coverage_month(timestamptz)")
    op.drop_table("coverage_closed_enterprise")
    op.drop_table("coverage_closed")
    op.drop_table("coverage_month")
    op.drop_table("coverage_member_month")
    op.drop_table("coverage_enterprise_month")
    op.drop_index(op.f("ix_visit_user_id"), table_name="visit")
    op.drop_constraint(op.f("fk_visit_user_id_users"), "visit", type_="foreignkey")
    op.drop_column("visit", "user_id")
