"""The audit log (DESIGN §7): who wrote what, when, with the row before and after.

Rows are written by the database itself (trigger `gridmap_audit`, migration 0006), so no
write path can forget them. The trigger reads transaction-local settings that this module
sets at the start of every transaction from the *actor* of the current request or command:

- `gridmap.user_id`, `gridmap.username`: who;
- `gridmap.reason`: why, when the operation gives one (boundary edits);
- `gridmap.scope_grids`: the grids a grid member or leader may write visits and problems for
  (checked by trigger `gridmap_fieldwork_scope`).

Bulk operations (imports, bulk assignment, renumbering) call `bulk()`: the per-row trigger is
skipped for the rest of the transaction and one summary row records the operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, SessionTransaction

from geo.models import AuditLog


@dataclass(frozen=True)
class Actor:
    """Who is writing: an account (or a named system process), and its field-work scope."""

    user_id: int | None
    username: str
    scope_grids: frozenset[int] | None = None
    reason: str | None = None


_actor: ContextVar[Actor | None] = ContextVar("gridmap_actor", default=None)
_BOUND = "gridmap_actor_bound"


def current_actor() -> Actor | None:
    """The actor of the running request or command, if any."""
    return _actor.get()


def set_actor(actor: Actor | None) -> None:
    """Make `actor` the writer of every transaction started from now on in this context."""
    _actor.set(actor)


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[None]:
    """Run a block with `actor` as the writer, restoring the previous one afterwards."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def _settings(actor: Actor | None) -> dict[str, str]:
    if actor is None:
        return {"user_id": "", "username": "", "scope_grids": "", "reason": ""}
    scope = actor.scope_grids
    return {
        "user_id": "" if actor.user_id is None else str(actor.user_id),
        "username": actor.username,
        "scope_grids": "" if scope is None else "{" + ",".join(map(str, sorted(scope))) + "}",
        "reason": actor.reason or "",
    }


def bind(connection: Connection, actor: Actor | None) -> None:
    """Set the audit settings of `actor` for the transaction running on `connection`."""
    values = _settings(actor)
    connection.execute(
        text(
            "SELECT set_config('gridmap.user_id', :user_id, true),"
            " set_config('gridmap.username', :username, true),"
            " set_config('gridmap.scope_grids', :scope_grids, true),"
            " set_config('gridmap.reason', :reason, true)"
        ),
        values,
    )
    connection.info[_BOUND] = actor is not None


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(connection: Connection) -> None:
    """Transaction-local settings end with the transaction: nothing to clear next time."""
    connection.info.pop(_BOUND, None)


@event.listens_for(Session, "after_begin")
def _bind_actor(_session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    """Every ORM transaction carries its actor; a connection that carried one is cleared."""
    actor = _actor.get()
    if actor is not None or connection.info.get(_BOUND):
        bind(connection, actor)


@contextmanager
def bulk(session: Session, table: str, operation: str) -> Iterator[dict[str, Any]]:
    """Audit the writes of this block as one bulk operation on `table`.

    The block fills the yielded summary (counts, file); on a normal exit one audit row records
    it, and per-row auditing resumes for the rest of the transaction. (After an error the
    transaction is rolled back, the setting with it.)"""
    session.execute(text("SELECT set_config('gridmap.audit', 'bulk', true)"))
    summary: dict[str, Any] = {"operation": operation}
    yield summary
    session.execute(text("SELECT set_config('gridmap.audit', '', true)"))
    actor = _actor.get()
    session.add(
        AuditLog(
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else None,
            action="bulk",
            table_name=table,
            row_id="*",
            reason=(actor.reason if actor else None) or operation,
            after=summary,
        )
    )
    session.flush()


@dataclass(frozen=True)
class AuditPage:
    """One page of audit rows, newest first, and how many match in all."""

    rows: list[AuditLog]
    total: int


def audit_rows(
    session: Session,
    *,
    username: str | None = None,
    table: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AuditPage:
    """Audit rows filtered by user name, table and time (since ≤ at < until)."""
    query = select(AuditLog)
    if username:
        query = query.where(AuditLog.username == username)
    if table:
        query = query.where(AuditLog.table_name == table)
    if since:
        query = query.where(AuditLog.at >= since)
    if until:
        query = query.where(AuditLog.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit).offset(offset)
    )
    return AuditPage(rows=list(rows), total=total)


def audited_tables(session: Session) -> list[str]:
    """Tables that appear in the audit log, for filters."""
    return list(
        session.scalars(select(AuditLog.table_name).distinct().order_by(AuditLog.table_name))
    )
