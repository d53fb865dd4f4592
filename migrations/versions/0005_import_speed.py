"""cheaper enterprise-cluster triggers for big statements

Same results as 0004's `enterprise_cluster_refresh`, less work per row: the level-20 cell of
each changed enterprise is computed once (0004 let the planner pull the delta into the
four-level cross join, so `tile_cell` ran four times per row), the delta is summed per
level-20 cell first, and levels 18, 16 and 14 are rolled up from those sums instead of from
the rows again. The cells whose pick left are looked up with each row's cell computed once.
Nothing else changes: the same triggers call the same function name.

Revision ID: 0005_import
Revises: 0004
Create Date: 2026-11-28 23:40:00.000000
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0005_import"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The statement's changes as signed rows, exactly as in 0004.
DELTA = {
    "INSERT": "SELECT 1 AS sign, geom, id, employees_day FROM new_rows",
    "DELETE": "SELECT -1 AS sign, geom, id, employees_day FROM old_rows",
    "UPDATE": """
        SELECT s.sign, s.geom, s.id, s.employees_day
        FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (-1, o.geom, o.id, o.employees_day),
                                   (1, n.geom, n.id, n.employees_day))
            AS s(sign, geom, id, employees_day)
        WHERE s.id IS NOT NULL
          AND (o.id IS NULL OR n.id IS NULL OR o.geom IS DISTINCT FROM n.geom
               OR o.employees_day IS DISTINCT FROM n.employees_day)""",
}
# Level-20 sums first (one tile_cell per row), then the coarser levels from those sums: a
# level-L parent of a level-20 key is key >> 2 * (20 - L). Levels differ between the two
# branches, so no (level, cell) appears twice in the upsert.
ADD = """,
        fine AS MATERIALIZED (
            SELECT tile_cell(geom) AS cell, sum(sign) AS count,
                   sum(sign * employees_day) AS employees,
                   coalesce(max(employees_day::bigint * 4294967296 + id)
                            FILTER (WHERE sign > 0), 0) AS pick,
                   sum(sign * ((ST_X(geom) + 180) / 360)) AS sum_u,
                   sum(sign * ((1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2))
                       AS sum_v
            FROM delta GROUP BY 1
        )
        INSERT INTO enterprise_cluster AS c (level, cell, count, employees, pick, sum_u, sum_v)
        SELECT 20, cell, count, employees, pick, sum_u, sum_v FROM fine
        UNION ALL
        SELECT lv.level, f.cell >> (2 * (20 - lv.level)), sum(f.count), sum(f.employees),
               max(f.pick), sum(f.sum_u), sum(f.sum_v)
        FROM fine f CROSS JOIN (VALUES (18), (16), (14)) AS lv(level)
        GROUP BY 1, 2
        ON CONFLICT (level, cell) DO UPDATE SET
            count = c.count + excluded.count,
            employees = CASE WHEN c.count + excluded.count > 0
                             THEN c.employees + excluded.employees ELSE 0 END,
            pick = CASE WHEN c.count + excluded.count > 0
                        THEN greatest(c.pick, excluded.pick) ELSE 0 END,
            sum_u = CASE WHEN c.count + excluded.count > 0 THEN c.sum_u + excluded.sum_u ELSE 0 END,
            sum_v = CASE WHEN c.count + excluded.count > 0 THEN c.sum_v + excluded.sum_v ELSE 0 END
"""
# Cells, at any level, whose pick was a removed row: (cell << 5) | level.
LOST = """,
        gone AS MATERIALIZED (
            SELECT tile_cell(geom) AS k, geom, employees_day::bigint * 4294967296 + id AS pick
            FROM delta WHERE sign < 0
        )
        SELECT array_agg(DISTINCT (c.cell << 5) | c.level), ST_Extent(d.geom) INTO lost, area
        FROM gone d
        CROSS JOIN (VALUES (20), (18), (16), (14)) AS lv(level)
        JOIN enterprise_cluster c
          ON c.level = lv.level AND c.cell = d.k >> (2 * (20 - lv.level))
         AND c.count > 0 AND c.pick = d.pick
"""


def refresh_function(delta: dict[str, str], add: str, lost: str) -> str:
    """The trigger function: add the statement's delta, then re-pick where a pick left."""
    branches = "\n    ELS".join(
        f"IF TG_OP = '{op_}' THEN\n        WITH delta AS ({body}){add.rstrip()};"
        + (f"\n        WITH delta AS ({body}){lost.rstrip()};" if op_ != "INSERT" else "")
        for op_, body in delta.items()
    )
    # assembled from constants only, never from input
    return f"""
CREATE OR REPLACE FUNCTION enterprise_cluster_refresh() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    lost bigint[];
    area box2d;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM enterprise_cluster;
        RETURN NULL;
    END IF;
    -- writers take turns, so a re-pick reads the rows of every writer before it
    PERFORM pg_advisory_xact_lock(hashtext('enterprise_cluster'));
    {branches}
    END IF;
    IF lost IS NOT NULL THEN
        PERFORM enterprise_cluster_repick(lost, area);
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608


def upgrade() -> None:
    op.execute(refresh_function(DELTA, ADD, LOST))


def downgrade() -> None:
    # 0004's own function text, so the two can never drift apart
    path = Path(__file__).with_name("0004_layer_changes.py")
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    assert spec is not None and spec.loader is not None
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)
    op.execute(
        previous._refresh_function().replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
    )
