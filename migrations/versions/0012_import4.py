"""enterprise clusters stop at level 18: zoom 15's tiles group their points directly

Level-20 cells (1/16 of a zoom-16 tile) were read only by zoom-15 cluster tiles, and a
scattered park has nearly one of them per enterprise (~88,000 for 100,000 points): keeping
them cost every import and every write most of its cluster work. Now the finest stored level
is 18 (zooms 14 and below read it as before); zoom 15's tiles group the enterprises inside
them by level-19 cell at read time (`geo/sql/tile_enterprise_cluster_points.sql`), with the
same count, employees, representative and mean position. The trigger (0005's arithmetic,
0010's deferral) and the re-pick (0004's) are the same with level 18 as the finest: its
cells are sums of rows, coarser ones roll up from them. Level-20 rows are deleted; downgrade
restores 0010's and 0004's functions and recounts level 20 from the enterprises.

Revision ID: 0012_import4
Revises: 0011
Create Date: 2026-11-28 09:05:00.000000
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0012_import4"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _module(filename: str) -> ModuleType:
    # the earlier migrations' own text, so the functions can never drift apart
    path = Path(__file__).with_name(filename)
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replaced(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


# the finest stored cell is a level-18 key: a level-20 key (tile_cell) shifted by 4 bits
ADD_18 = [
    ("SELECT tile_cell(geom) AS cell", "SELECT tile_cell(geom) >> 4 AS cell"),
    ("SELECT 20, cell,", "SELECT 18, cell,"),
    ("f.cell >> (2 * (20 - lv.level))", "f.cell >> (2 * (18 - lv.level))"),
    ("(VALUES (18), (16), (14)) AS lv(level)", "(VALUES (16), (14)) AS lv(level)"),
]
LOST_18 = [
    ("SELECT tile_cell(geom) AS k", "SELECT tile_cell(geom) >> 4 AS k"),
    ("(VALUES (20), (18), (16), (14)) AS lv(level)", "(VALUES (18), (16), (14)) AS lv(level)"),
    ("d.k >> (2 * (20 - lv.level))", "d.k >> (2 * (18 - lv.level))"),
]
# 360°/2^18 of longitude is at least a level-18 cell's height in latitude too
REPICK_18 = [
    ("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"),
    ("SELECT tile_cell(e.geom) AS k", "SELECT tile_cell(e.geom) >> 4 AS k"),
    ("360.0 / 1048576", "360.0 / 262144"),
    ("c.level = 20 AND", "c.level = 18 AND"),
    ("x & 31 = 20)", "x & 31 = 18)"),
    ("ARRAY[18, 16, 14]", "ARRAY[16, 14]"),
]
LEVEL_20 = """
INSERT INTO enterprise_cluster (level, cell, count, employees, pick, sum_u, sum_v)
SELECT 20, tile_cell(geom), count(*), sum(employees_day),
       max(employees_day::bigint * 4294967296 + id), sum((ST_X(geom) + 180) / 360),
       sum((1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2)
FROM enterprise GROUP BY 2
"""


def upgrade() -> None:
    m0005, m0010 = _module("0005_import_speed.py"), _module("0010_import_cluster_fill.py")
    add, lost = _replaced(m0005.ADD, ADD_18), _replaced(m0005.LOST, LOST_18)
    refresh = m0005.refresh_function(m0005.DELTA, add, lost)
    op.execute(refresh.replace(m0010.ANCHOR, m0010.DEFERRED + m0010.ANCHOR))
    op.execute(_replaced(_module("0004_layer_changes.py").REPICK_FUNCTION, REPICK_18))
    op.execute("DELETE FROM enterprise_cluster WHERE level = 20")


def downgrade() -> None:
    op.execute(_module("0010_import_cluster_fill.py")._function(deferrable=True))
    repick = _module("0004_layer_changes.py").REPICK_FUNCTION
    op.execute(repick.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
    op.execute(LEVEL_20)
