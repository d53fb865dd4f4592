"""layer changes and enterprise clusters, for vector tiles

`layer_change` holds a version per tiled table, raised by a statement trigger on every write:
the tile cache keys tiles by it. `enterprise_cluster` counts enterprises per Web Mercator cell
at levels 14, 16, 18 and 20, kept by statement triggers with transition tables in the same
transaction as the write (additive, so concurrent writers stay exact), so low-zoom enterprise tiles read at most 4,096 cells instead of
aggregating up to a million points per request.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table served as vector tiles; the tile cache keys tiles by these tables' versions.
TILED = (
    "park",
    "community",
    "grid",
    "microgrid",
    "enterprise",
    "key_site",
    "network",
    "road",
    "parking_zone",
    "shelter",
    "hazard",
    "visit",
    "problem",
)

# One upsert per statement (not per row), so a 1M-row COPY costs one bump. The row lock it
# takes is held to commit: concurrent writers of the same table queue there, which also
# orders their bumps. clock_timestamp() makes changed_at differ even inside one transaction.
BUMP_FUNCTION = """
CREATE FUNCTION layer_change_bump() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO layer_change AS lc (layer, version, changed_at)
    VALUES (TG_TABLE_NAME, 1, clock_timestamp())
    ON CONFLICT (layer)
    DO UPDATE SET version = lc.version + 1, changed_at = clock_timestamp();
    RETURN NULL;
END
$$
"""

# The Morton (Z-order) key of the level-20 Web Mercator cell holding a point: x and y cell
# numbers (20 bits each) interleaved, so the cells of any tile form one key range and the
# level-L parent of a key is key >> 2 * (20 - L).
CELL_FUNCTION = """
CREATE FUNCTION tile_cell(geom geometry) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    x bigint := floor((ST_X(geom) + 180) / 360 * 1048576);
    y bigint := floor((1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2 * 1048576);
BEGIN
    x := (x | (x << 16)) & 281470681808895;
    x := (x | (x << 8)) & 71777214294589695;
    x := (x | (x << 4)) & 1085102592571150095;
    x := (x | (x << 2)) & 3689348814741910323;
    x := (x | (x << 1)) & 6148914691236517205;
    y := (y | (y << 16)) & 281470681808895;
    y := (y | (y << 8)) & 71777214294589695;
    y := (y | (y << 4)) & 1085102592571150095;
    y := (y | (y << 2)) & 3689348814741910323;
    y := (y | (y << 1)) & 6148914691236517205;
    RETURN x | (y << 1);
END
$$
"""

# The statement's changes as signed rows (+1 added, -1 removed; an UPDATE that moves a point
# or changes its employees counts as both), added to the cells of all four levels at once.
# Additive upserts are safe for concurrent writers; a cell left empty is zeroed, not deleted.
# `pick` (employees_day * 2^32 + id: the largest employer) only grows here; when a removed
# row was a cell's pick, that cell's pick is found again below.
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
ADD = """
        INSERT INTO enterprise_cluster AS c (level, cell, count, employees, pick, sum_u, sum_v)
        SELECT lv.level, d.k >> (2 * (20 - lv.level)), sum(d.sign), sum(d.sign * d.employees),
               coalesce(max(d.pick) FILTER (WHERE d.sign > 0), 0), sum(d.sign * d.u),
               sum(d.sign * d.v)
        FROM (
            SELECT sign, tile_cell(geom) AS k, employees_day AS employees,
                   employees_day::bigint * 4294967296 + id AS pick,
                   (ST_X(geom) + 180) / 360 AS u,
                   (1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2 AS v
            FROM delta
        ) d CROSS JOIN (VALUES (20), (18), (16), (14)) AS lv(level)
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
LOST = """
        SELECT array_agg(DISTINCT (c.cell << 5) | c.level), ST_Extent(d.geom) INTO lost, area
        FROM delta d
        CROSS JOIN (VALUES (20), (18), (16), (14)) AS lv(level)
        JOIN enterprise_cluster c
          ON c.level = lv.level AND c.cell = tile_cell(d.geom) >> (2 * (20 - lv.level))
         AND c.count > 0 AND c.pick = d.employees_day::bigint * 4294967296 + d.id
        WHERE d.sign < 0
"""


def _refresh_function() -> str:
    """The trigger function: add the statement's delta, then re-pick where a pick left."""
    branches = "\n    ELS".join(
        f"IF TG_OP = '{op_}' THEN\n        WITH delta AS ({delta}){ADD.rstrip()};"
        + (f"\n        WITH delta AS ({delta}){LOST.rstrip()};" if op_ != "INSERT" else "")
        for op_, delta in DELTA.items()
    )
    # assembled from the constants above only, never from input
    return f"""
CREATE FUNCTION enterprise_cluster_refresh() RETURNS trigger
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


# A new pick for the cells that lost theirs (`cells`: (cell << 5) | level), finest first: at
# level 20 from the enterprises still in them (found around `area`, the removed rows' extent
# widened by one cell: 360°/2^20 of longitude is at least a cell's height in latitude too),
# above from the 16 children of each, which are right by then.
REPICK_FUNCTION = """
CREATE FUNCTION enterprise_cluster_repick(cells bigint[], area box2d) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    lvl int;
BEGIN
    UPDATE enterprise_cluster c SET pick = s.pick
    FROM (
        SELECT tile_cell(e.geom) AS k, max(e.employees_day::bigint * 4294967296 + e.id) AS pick
        FROM enterprise e
        -- the literal side is widened and typed, never the column: the GiST index answers
        WHERE e.geom && ST_SetSRID(ST_Expand(area, 360.0 / 1048576)::geometry, 4326)
        GROUP BY 1
    ) s
    WHERE c.level = 20 AND c.cell = s.k
      AND s.k IN (SELECT x >> 5 FROM unnest(cells) x WHERE x & 31 = 20);
    FOREACH lvl IN ARRAY ARRAY[18, 16, 14] LOOP
        UPDATE enterprise_cluster p SET pick = (
            SELECT coalesce(max(c.pick), 0) FROM enterprise_cluster c
            WHERE c.level = lvl + 2 AND c.cell >= p.cell << 4 AND c.cell < (p.cell + 1) << 4
              AND c.count > 0)
        WHERE p.level = lvl AND p.cell IN (SELECT x >> 5 FROM unnest(cells) x WHERE x & 31 = lvl);
    END LOOP;
END
$$
"""


CLUSTER_TRIGGERS = (
    "CREATE TRIGGER tile_cluster_insert AFTER INSERT ON enterprise "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION enterprise_cluster_refresh()",
    "CREATE TRIGGER tile_cluster_update AFTER UPDATE ON enterprise "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION enterprise_cluster_refresh()",
    "CREATE TRIGGER tile_cluster_delete AFTER DELETE ON enterprise "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION enterprise_cluster_refresh()",
    "CREATE TRIGGER tile_cluster_truncate AFTER TRUNCATE ON enterprise "
    "FOR EACH STATEMENT EXECUTE FUNCTION enterprise_cluster_refresh()",
)

# Rows already there: the insert trigger's delta, over the whole table.
FILL = f"WITH delta AS ({DELTA['INSERT'].replace('new_rows', 'enterprise')}){ADD}"


def upgrade() -> None:
    op.create_table(
        "layer_change",
        sa.Column("layer", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("layer", name=op.f("pk_layer_change")),
    )
    op.create_table(
        "enterprise_cluster",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("employees", sa.BigInteger(), nullable=False),
        sa.Column("pick", sa.BigInteger(), nullable=False),
        sa.Column("sum_u", sa.Float(), nullable=False),
        sa.Column("sum_v", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("level", "cell", name=op.f("pk_enterprise_cluster")),
    )
    for statement in (BUMP_FUNCTION, CELL_FUNCTION, REPICK_FUNCTION, _refresh_function()):
        op.execute(statement)
    op.bulk_insert(
        sa.table("layer_change", sa.column("layer", sa.Text())),
        [{"layer": table} for table in TILED],
    )
    for table in TILED:
        # table names are the constants above, not input
        op.execute(
            f"CREATE TRIGGER layer_change_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION layer_change_bump()"
        )
    for statement in CLUSTER_TRIGGERS:
        op.execute(statement)
    op.execute(FILL)


def downgrade() -> None:
    for name in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS tile_cluster_{name} ON enterprise")
    for table in TILED:
        op.execute(f"DROP TRIGGER IF EXISTS layer_change_bump ON {table}")
    for function in (
        "enterprise_cluster_refresh()",
        "enterprise_cluster_repick(bigint[], box2d)",
        "tile_cell(geometry)",
        "layer_change_bump()",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_table("enterprise_cluster")
    op.drop_table("layer_change")
