"""accounts: sessions, API tokens, login attempts, the audit trigger and the field-work scope

- `user_session`, `api_token`, `login_attempt` (geo/models/accounts.py); `users` gains
  `password_changed_at`.
- Every write to a business table is audited by a row trigger (`gridmap_audit`) that records
  who (the transaction-local settings `gridmap.user_id` / `gridmap.username` set by the app and
  the CLI), when, what (table, id), the row before and after (secrets removed) and the reason
  (`gridmap.reason`). Bulk operations (imports, bulk assignment, renumbering) set
  `gridmap.audit = 'bulk'` for their transaction and write one summary row instead; the
  trigger's WHEN clause then skips the per-row work entirely.
- `gridmap_fieldwork_scope` refuses a visit or problem for an enterprise outside the grids in
  `gridmap.scope_grids` (set for grid members and grid leaders), whatever route wrote it.
- `gridmap_auth_changed` notifies channel `gridmap_auth` when accounts, grids of accounts,
  sessions or tokens change, so every server process drops its cached sign-ins at once.

Revision ID: 0006
Revises: 0005_assign
Create Date: 2026-11-28 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005_assign"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Business tables whose every write is audited; composite keys are named for the row id.
AUDITED: dict[str, tuple[str, ...]] = {
    "park": (),
    "community": (),
    "grid": (),
    "microgrid": (),
    "boundary_version": (),
    "code_lineage": (),
    "enterprise": (),
    "visit": (),
    "problem": (),
    "staff": (),
    "staff_assignment": (),
    "key_site": (),
    "network": (),
    "road": (),
    "parking_zone": (),
    "shelter": (),
    "hazard": (),
    "evacuation_plan": (),
    "users": (),
    "user_grid": ("user_id", "grid_id"),
    "api_token": (),
}

AUDIT_FUNCTION = """
CREATE FUNCTION gridmap_audit() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    secrets text[] := ARRAY['password_hash', 'token_hash'];
    old_row jsonb;
    new_row jsonb;
    rid text;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD) - secrets; END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW) - secrets; END IF;
    rid := COALESCE(new_row ->> 'id', old_row ->> 'id');
    IF rid IS NULL THEN
        SELECT string_agg(COALESCE(new_row, old_row) ->> key, '/') INTO rid
        FROM unnest(TG_ARGV) AS key;
    END IF;
    INSERT INTO audit_log (user_id, username, action, table_name, row_id, reason, before, after)
    VALUES (
        NULLIF(current_setting('gridmap.user_id', true), '')::int,
        NULLIF(current_setting('gridmap.username', true), ''),
        lower(TG_OP), TG_TABLE_NAME, rid,
        NULLIF(current_setting('gridmap.reason', true), ''),
        old_row, new_row
    );
    RETURN NULL;
END
$$
"""

SCOPE_FUNCTION = """
CREATE FUNCTION gridmap_fieldwork_scope() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    scope text := NULLIF(current_setting('gridmap.scope_grids', true), '');
    enterprise_ids int[];
    outside int;
BEGIN
    IF scope IS NULL THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'INSERT' THEN
        enterprise_ids := ARRAY[NEW.enterprise_id];
    ELSIF TG_OP = 'UPDATE' THEN
        enterprise_ids := ARRAY[OLD.enterprise_id, NEW.enterprise_id];
    ELSE
        enterprise_ids := ARRAY[OLD.enterprise_id];
    END IF;
    SELECT e INTO outside FROM unnest(enterprise_ids) AS e
    WHERE NOT EXISTS (
        SELECT 1 FROM enterprise x WHERE x.id = e AND x.grid_id = ANY (scope::int[])
    )
    LIMIT 1;
    IF outside IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'GM403',
            MESSAGE = format('企业 %s 不在本账号负责的网格内 (enterprise %s is outside the '
                             'grids of this account)', outside, outside);
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$
"""

AUTH_CHANGED_FUNCTION = """
CREATE FUNCTION gridmap_auth_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gridmap_auth', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""

# (table, events) whose statements tell the servers to forget cached sign-ins.
# (Not on users.last_login_at, user_session.last_seen_at or api_token.last_used_at, which
# change on every sign-in and would empty the caches for nothing.)
AUTH_SOURCES = (
    ("users", "UPDATE OF username, display_name, role, lang, disabled, password_hash OR DELETE"),
    ("user_grid", "INSERT OR UPDATE OR DELETE"),
    ("user_session", "DELETE"),
    ("api_token", "UPDATE OF revoked_at, expires_at, user_id OR DELETE"),
)
# Events audited per table when not every update is a write worth keeping.
AUDITED_EVENTS = {"api_token": "INSERT OR DELETE OR UPDATE OF name, expires_at, revoked_at"}


def _timestamp(name: str, *, nullable: bool = True, now: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        server_default=sa.text("now()") if now else None,
        nullable=nullable,
    )


def upgrade() -> None:
    op.add_column("users", _timestamp("password_changed_at", nullable=False, now=True))
    op.create_table(
        "user_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        _timestamp("created_at", nullable=False, now=True),
        _timestamp("last_seen_at", nullable=False, now=True),
        _timestamp("expires_at", nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_session_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_session")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        _timestamp("created_at", nullable=False, now=True),
        _timestamp("last_used_at"),
        _timestamp("expires_at"),
        _timestamp("revoked_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_token_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.BigInteger(), nullable=False),
        _timestamp("at", nullable=False, now=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_username_at", "login_attempt", ["username", "at"])
    op.create_index("ix_login_attempt_address_at", "login_attempt", ["address", "at"])

    op.drop_constraint(op.f("ck_audit_log_action_known"), "audit_log", type_="check")
    op.create_check_constraint(
        "action_known", "audit_log", "action IN ('insert', 'update', 'delete', 'bulk')"
    )

    op.execute(AUDIT_FUNCTION)
    for table, keys in AUDITED.items():
        arguments = ", ".join(f"'{key}'" for key in keys)
        events = AUDITED_EVENTS.get(table, "INSERT OR UPDATE OR DELETE")
        op.execute(
            f"CREATE TRIGGER audit AFTER {events} ON {table} FOR EACH ROW "
            "WHEN (current_setting('gridmap.audit', true) IS DISTINCT FROM 'bulk') "
            f"EXECUTE FUNCTION gridmap_audit({arguments})"
        )
    op.execute(SCOPE_FUNCTION)
    for table in ("visit", "problem"):
        op.execute(
            f"CREATE TRIGGER fieldwork_scope BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gridmap_fieldwork_scope()"
        )
    op.execute(AUTH_CHANGED_FUNCTION)
    for table, events in AUTH_SOURCES:
        op.execute(
            f"CREATE TRIGGER auth_changed AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION gridmap_auth_changed()"
        )


def downgrade() -> None:
    for table, _events in AUTH_SOURCES:
        op.execute(f"DROP TRIGGER IF EXISTS auth_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS gridmap_auth_changed()")
    for table in ("visit", "problem"):
        op.execute(f"DROP TRIGGER IF EXISTS fieldwork_scope ON {table}")
    op.execute("DROP FUNCTION IF EXISTS gridmap_fieldwork_scope()")
    for table in AUDITED:
        op.execute(f"DROP TRIGGER IF EXISTS audit ON {table}")
    op.execute("DROP FUNCTION IF EXISTS gridmap_audit()")
    op.execute("DELETE FROM audit_log WHERE action = 'bulk'")
    op.drop_constraint(op.f("ck_audit_log_action_known"), "audit_log", type_="check")
    op.create_check_constraint(
        "action_known", "audit_log", "action IN ('insert', 'update', 'delete')"
    )
    op.drop_table("login_attempt")
    op.drop_table("api_token")
    op.drop_table("user_session")
    op.drop_column("users", "password_changed_at")
