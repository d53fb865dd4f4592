"""enterprise clusters filled once by bulk imports

The cluster trigger (`enterprise_cluster_refresh`, 0004/0005) returns at once when the
transaction-local setting `gridmap.cluster` is `deferred`. Only a bulk import sets it, for its
one plain INSERT, and adds the rows it wrote to `enterprise_cluster` itself, set-based, before
it clears the setting again (`geo/sql/fill_enterprise_cluster.sql`, same arithmetic). TRUNCATE
always clears the clusters. Nothing else changes.

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-28 03:45:00.000000
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANCHOR = "    -- writers take turns"
DEFERRED = """    IF current_setting('gridmap.cluster', true) = 'deferred' THEN
        RETURN NULL;  -- a bulk import adds its rows itself, once, after its INSERT
    END IF;
"""


def _previous() -> ModuleType:
    # 0005's own function text, so the two can never drift apart
    path = Path(__file__).with_name("0005_import_speed.py")
    spec = importlib.util.spec_from_file_location("migration_0005_import", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _function(deferrable: bool) -> str:
    previous = _previous()
    body: str = previous.refresh_function(previous.DELTA, previous.ADD, previous.LOST)
    assert ANCHOR in body
    return body.replace(ANCHOR, DEFERRED + ANCHOR) if deferrable else body


def upgrade() -> None:
    op.execute(_function(deferrable=True))


def downgrade() -> None:
    op.execute(_function(deferrable=False))
