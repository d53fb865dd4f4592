"""Administrators' JSON API: accounts (list, add, change, disable, reset password) and the
audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api.auth import auth_state
from api.deps import SessionDep
from api.pagination import Page, PagingDep, page_of
from api.routes.account import PrincipalDep
from geo import accounts
from geo.audit import audit_rows
from geo.errors import Conflict, InvalidInput
from geo.models import User
from geo.sessions import Principal

router = APIRouter(prefix="/api", tags=["admin"])


class AccountOut(BaseModel):
    id: int
    username: str
    display_name: str | None
    role: str = Field(
        description="admin | planner | grid_leader | grid_member | emergency | viewer"
    )
    grids: list[str] = Field(description="网格编码 / codes of the grids served")
    community: str | None
    lang: str
    disabled: bool
    last_login_at: datetime | None
    created_at: datetime


class AccountIn(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    role: str
    grids: list[str] = Field(default_factory=list)
    community: str | None = None
    display_name: str | None = Field(default=None, max_length=100)
    lang: str = "zh-CN"


class AccountChange(BaseModel):
    """Fields to change; those left out stay as they are."""

    role: str | None = None
    grids: list[str] | None = None
    disabled: bool | None = None
    display_name: str | None = Field(default=None, max_length=100)
    lang: str | None = None


class PasswordReset(BaseModel):
    password: str = Field(min_length=1, max_length=200)


def _account(session: SessionDep, user_id: int) -> AccountOut:
    found = [a for a in accounts.list_accounts(session) if a.id == user_id]
    return AccountOut.model_validate(found[0], from_attributes=True)


@router.get("/users", response_model=list[AccountOut])
def list_users(session: SessionDep) -> list[AccountOut]:
    """Every account, by user name."""
    return [
        AccountOut.model_validate(a, from_attributes=True) for a in accounts.list_accounts(session)
    ]


@router.post("/users", response_model=AccountOut, status_code=201)
def add_user(body: AccountIn, session: SessionDep) -> AccountOut:
    """Add an account; grid leaders and members name their grids."""
    user = accounts.create_user(
        session,
        body.username,
        role=body.role,
        password=body.password,
        grids=body.grids,
        community=body.community,
        display_name=body.display_name,
        lang=body.lang,
    )
    session.commit()
    return _account(session, user.id)


def guard_last_admin(
    session: SessionDep, user: User, principal: Principal, *, leaves: bool
) -> None:
    """Refuse a change that would lock administrators out (oneself or the last admin)."""
    if not leaves or user.role != "admin":
        return
    if user.id == principal.user_id:
        raise Conflict("不能停用或降级自己的管理员账号 (you cannot disable or demote yourself)")
    others = [
        a for a in accounts.list_accounts(session)
        if a.role == "admin" and not a.disabled and a.id != user.id
    ]  # fmt: skip
    if not others:
        raise Conflict("至少需要保留一个启用的管理员 (keep at least one enabled admin)")


def change_account(
    session: SessionDep, user: User, change: AccountChange, principal: Principal
) -> None:
    """Apply an administrator's change to `user` (shared by the API and the admin page)."""
    leaves = bool(change.disabled) or (change.role is not None and change.role != "admin")
    guard_last_admin(session, user, principal, leaves=leaves)
    if change.grids is not None:
        accounts.set_grids(session, user, change.grids)
    if change.role is not None:
        accounts.set_role(session, user, change.role)
    if change.disabled is not None:
        accounts.set_disabled(session, user, change.disabled)
    if change.display_name is not None:
        user.display_name = change.display_name.strip() or None
    if change.lang is not None:
        if change.lang not in ("zh-CN", "en"):
            raise InvalidInput(f"未知语言 {change.lang!r} (unknown language)")
        user.lang = change.lang
    session.flush()


@router.patch("/users/{user_id}", response_model=AccountOut)
def update_user(
    user_id: int,
    body: AccountChange,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
) -> AccountOut:
    """Change role, grids, display name, language, or disable/enable an account (at once)."""
    user = accounts.get_user(session, user_id)
    change_account(session, user, body, principal)
    session.commit()
    auth_state(request).forget()
    return _account(session, user.id)


@router.post("/users/{user_id}/password", status_code=204)
def reset_password(
    user_id: int, body: PasswordReset, request: Request, session: SessionDep
) -> Response:
    """Set a new password for an account; its browser sessions end."""
    accounts.set_password(session, accounts.get_user(session, user_id), body.password)
    session.commit()
    auth_state(request).forget()
    return Response(status_code=204)


class AuditOut(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    username: str | None = Field(description="操作人 / who (null: a system process)")
    action: str = Field(description="insert | update | delete | bulk")
    table_name: str
    row_id: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/audit", response_model=Page[AuditOut])
def audit_log(
    request: Request,
    session: SessionDep,
    at: PagingDep,
    user: Annotated[str | None, Query(description="操作人用户名 / user name")] = None,
    table: Annotated[str | None, Query(description="表名 / table, e.g. grid")] = None,
    since: Annotated[datetime | None, Query(description="起始时间 / from (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="截止时间 / before (ISO 8601)")] = None,
) -> Page[AuditOut]:
    """The audit log, newest first, filtered by user, table and time."""
    found = audit_rows(
        session,
        username=user,
        table=table,
        since=since,
        until=until,
        limit=at.limit,
        offset=at.offset,
    )
    return page_of(AuditOut, found.rows, found.total, at, request)
