"""coverage per grid and micro-grid kept by triggers: a month's figures read in milliseconds

- `coverage_grid_total`: per (grid, micro-grid) the operating enterprises (micro-grid 0 = none),
  kept by the enterprise triggers `coverage_total_*` (insert, update of status / grid /
  micro-grid, delete, truncate).
- `coverage_grid_month`: per (month, grid, micro-grid) the operating enterprises visited,
  verified and flagged (verified none, flagged one at least) in the month, with the enterprises'
  current places. The visit trigger (`gridmap_coverage_visit`, replaced here) bumps it when an
  enterprise's month row of `coverage_enterprise_month` goes in or out of one of those states;
  the enterprise triggers move an enterprise's months when its grid, micro-grid or status changes
  (a boundary edit's re-assignment included). Every month is kept, so a month that is not closed
  always follows the current places.
- Derived, so not audited; filled from the enterprises and `coverage_enterprise_month` here
  (`BACKFILL`, which rebuilds them from scratch).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 03:30:00.000000
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The month row's states: visited, verified, flagged (visited, no verified visit, a flagged one).
# The lock (FOR SHARE) orders a bump after a concurrent move of the enterprise has committed, and
# a move after the bumping visit has committed, so neither misses the other's rows.
FUNCTIONS = """
CREATE FUNCTION gridmap_coverage_bump(m date, e int, dv int, dver int, dfl int) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    g int;
    mg int;
BEGIN
    IF dv = 0 AND dver = 0 AND dfl = 0 THEN
        RETURN;
    END IF;
    SELECT grid_id, coalesce(microgrid_id, 0) INTO g, mg FROM enterprise
    WHERE id = e AND status = 'operating' AND grid_id IS NOT NULL FOR SHARE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO coverage_grid_month AS c (month, grid_id, microgrid_id, visited, verified, flagged)
    VALUES (m, g, mg, dv, dver, dfl)
    ON CONFLICT (month, grid_id, microgrid_id) DO UPDATE SET
        visited = c.visited + dv, verified = c.verified + dver, flagged = c.flagged + dfl;
END
$$;

CREATE OR REPLACE FUNCTION gridmap_coverage_recount(m date, e int) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    since timestamptz := m::timestamp AT TIME ZONE 'Asia/Shanghai';
    until timestamptz := (m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai';
    ov int;
    over_ int;
    ofl int;
    nv int;
    nver int;
    nfl int;
BEGIN
    DELETE FROM coverage_enterprise_month WHERE month = m AND enterprise_id = e
    RETURNING visits, verified, flagged INTO ov, over_, ofl;
    DELETE FROM coverage_member_month WHERE month = m AND enterprise_id = e;
    INSERT INTO coverage_enterprise_month
        (month, enterprise_id, visits, verified, flagged, last_visited_at)
    SELECT m, e, count(*), count(*) FILTER (WHERE check_result = 'verified'),
           count(*) FILTER (WHERE check_result = 'flagged'), max(visited_at)
    FROM visit WHERE enterprise_id = e AND visited_at >= since AND visited_at < until
    HAVING count(*) > 0
    RETURNING visits, verified, flagged INTO nv, nver, nfl;
    INSERT INTO coverage_member_month
        (month, enterprise_id, member, visits, verified, flagged, last_visited_at)
    SELECT m, e, gridmap_visit_member(user_id, staff_id), count(*),
           count(*) FILTER (WHERE check_result = 'verified'),
           count(*) FILTER (WHERE check_result = 'flagged'), max(visited_at)
    FROM visit WHERE enterprise_id = e AND visited_at >= since AND visited_at < until
    GROUP BY 3;
    ov := coalesce(ov, 0); over_ := coalesce(over_, 0); ofl := coalesce(ofl, 0);
    nv := coalesce(nv, 0); nver := coalesce(nver, 0); nfl := coalesce(nfl, 0);
    PERFORM gridmap_coverage_bump(m, e, (nv > 0)::int - (ov > 0)::int,
                                  (nver > 0)::int - (over_ > 0)::int,
                                  (nver = 0 AND nfl > 0)::int - (over_ = 0 AND ofl > 0)::int);
END
$$;

CREATE OR REPLACE FUNCTION gridmap_coverage_visit() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    m date;
    v int;
    f int;
    nv int;
    nver int;
    nfl int;
    dfl int;
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
            last_visited_at = greatest(c.last_visited_at, NEW.visited_at)
        RETURNING c.visits, c.verified, c.flagged INTO nv, nver, nfl;
        INSERT INTO coverage_member_month AS c
            (month, enterprise_id, member, visits, verified, flagged, last_visited_at)
        VALUES (m, NEW.enterprise_id, gridmap_visit_member(NEW.user_id, NEW.staff_id), 1, v, f,
                NEW.visited_at)
        ON CONFLICT (month, enterprise_id, member) DO UPDATE SET
            visits = c.visits + 1, verified = c.verified + v, flagged = c.flagged + f,
            last_visited_at = greatest(c.last_visited_at, NEW.visited_at);
        -- the counts before this visit were (nv - 1, nver - v, nfl - f)
        dfl := (nver = 0 AND nfl = 1 AND f = 1)::int - (v = 1 AND nver = 1 AND nfl > 0)::int;
        IF nv = 1 OR (v = 1 AND nver = 1) OR dfl <> 0 THEN
            PERFORM gridmap_coverage_bump(m, NEW.enterprise_id, (nv = 1)::int,
                                          (v = 1 AND nver = 1)::int, dfl);
        END IF;
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

# An enterprise write's change of places: rows (id, grid_id, microgrid_id, sign), -1 for a place
# an operating enterprise leaves, +1 for one it takes; per trigger event.
DELTA = {
    "INSERT": """
        SELECT id, grid_id, coalesce(microgrid_id, 0) AS microgrid_id, 1 AS sign
        FROM new_rows WHERE status = 'operating' AND grid_id IS NOT NULL""",
    "UPDATE": """
        SELECT o.id, o.grid_id, coalesce(o.microgrid_id, 0) AS microgrid_id, -1 AS sign
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.status = 'operating' AND o.grid_id IS NOT NULL
          AND (n.status, n.grid_id, n.microgrid_id)
              IS DISTINCT FROM (o.status, o.grid_id, o.microgrid_id)
        UNION ALL
        SELECT n.id, n.grid_id, coalesce(n.microgrid_id, 0), 1
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE n.status = 'operating' AND n.grid_id IS NOT NULL
          AND (n.status, n.grid_id, n.microgrid_id)
              IS DISTINCT FROM (o.status, o.grid_id, o.microgrid_id)""",
    "DELETE": """
        SELECT OLD.id, OLD.grid_id, coalesce(OLD.microgrid_id, 0) AS microgrid_id, -1 AS sign
        WHERE OLD.status = 'operating' AND OLD.grid_id IS NOT NULL""",
}

# Totals, then every month of the moved enterprises; rows in key order (a fixed lock order).
APPLY = """
    WITH delta AS ({delta}),
    totals AS (
        INSERT INTO coverage_grid_total AS t (grid_id, microgrid_id, total)
        SELECT grid_id, microgrid_id, sum(sign) FROM delta
        GROUP BY grid_id, microgrid_id ORDER BY grid_id, microgrid_id
        ON CONFLICT (grid_id, microgrid_id) DO UPDATE SET total = t.total + excluded.total
    )
    INSERT INTO coverage_grid_month AS c (month, grid_id, microgrid_id, visited, verified, flagged)
    SELECT x.month, d.grid_id, d.microgrid_id, sum(d.sign * (x.visits > 0)::int),
           sum(d.sign * (x.verified > 0)::int),
           sum(d.sign * (x.verified = 0 AND x.flagged > 0)::int)
    FROM delta d JOIN coverage_enterprise_month x ON x.enterprise_id = d.id
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (month, grid_id, microgrid_id) DO UPDATE SET
        visited = c.visited + excluded.visited, verified = c.verified + excluded.verified,
        flagged = c.flagged + excluded.flagged"""


def place_function() -> str:
    """The enterprise trigger function (assembled from the constants above only)."""
    branches = "\n    ELS".join(
        f"IF TG_OP = '{event}' THEN{APPLY.format(delta=delta)};" for event, delta in DELTA.items()
    )
    return f"""
CREATE FUNCTION gridmap_coverage_place() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM coverage_grid_total;
        DELETE FROM coverage_grid_month;
        RETURN NULL;
    END IF;
    {branches}
        RETURN OLD;
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608


# Delete before the row goes: the cascade then removes its month rows and visits (whose
# recounts find no operating enterprise to bump).
TRIGGERS = {
    "coverage_total_insert": "AFTER INSERT ON enterprise REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT",
    "coverage_total_update": "AFTER UPDATE ON enterprise REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT",
    "coverage_total_delete": "BEFORE DELETE ON enterprise FOR EACH ROW",
    "coverage_total_truncate": "AFTER TRUNCATE ON enterprise FOR EACH STATEMENT",
}

# Rebuilds both tables from the enterprises and coverage_enterprise_month (also what
# bench/coverage runs after loading its visits).
BACKFILL = """
DELETE FROM coverage_grid_total;
INSERT INTO coverage_grid_total (grid_id, microgrid_id, total)
SELECT grid_id, coalesce(microgrid_id, 0), count(*) FROM enterprise
WHERE status = 'operating' AND grid_id IS NOT NULL
GROUP BY 1, 2;
DELETE FROM coverage_grid_month;
INSERT INTO coverage_grid_month (month, grid_id, microgrid_id, visited, verified, flagged)
SELECT x.month, e.grid_id, coalesce(e.microgrid_id, 0), count(*) FILTER (WHERE x.visits > 0),
       count(*) FILTER (WHERE x.verified > 0),
       count(*) FILTER (WHERE x.verified = 0 AND x.flagged > 0)
FROM coverage_enterprise_month x JOIN enterprise e ON e.id = x.enterprise_id
WHERE e.status = 'operating' AND e.grid_id IS NOT NULL
GROUP BY 1, 2, 3;
"""


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade() -> None:
    op.create_table(
        "coverage_grid_total",
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("microgrid_id", sa.Integer(), nullable=False),
        _count("total"),
        sa.PrimaryKeyConstraint("grid_id", "microgrid_id", name=op.f("pk_coverage_grid_total")),
    )
    op.create_table(
        "coverage_grid_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("microgrid_id", sa.Integer(), nullable=False),
        _count("visited"),
        _count("verified"),
        _count("flagged"),
        sa.PrimaryKeyConstraint(
            "month", "grid_id", "microgrid_id", name=op.f("pk_coverage_grid_month")
        ),
    )
    op.execute(FUNCTIONS)
    op.execute(place_function())
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION gridmap_coverage_place()")
    op.execute(BACKFILL)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON enterprise")
    op.execute("DROP FUNCTION IF EXISTS gridmap_coverage_place()")
    # 0008's own function text, so the two can never drift apart
    path = Path(__file__).with_name("0008_coverage.py")
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    assert spec is not None and spec.loader is not None
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)
    op.execute(previous.FUNCTIONS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
    op.execute("DROP FUNCTION IF EXISTS gridmap_coverage_bump(date, int, int, int, int)")
    op.drop_table("coverage_grid_month")
    op.drop_table("coverage_grid_total")
