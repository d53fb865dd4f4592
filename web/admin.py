"""Administrators' pages: accounts (用户管理) and the audit log (审计日志)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import auth_state
from api.deps import SessionDep, SettingsDep
from api.routes.account import PrincipalDep
from api.routes.users import AccountChange, change_account
from geo import accounts
from geo.audit import audit_rows, audited_tables
from geo.errors import GridmapError, InvalidInput
from geo.vocab import USER_ROLES, label
from web.i18n import LangDep, Translator, when
from web.render import content_page

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 50
# the changed-field summary of an audit row shows at most this many characters per value
SHOWN = 80


def _codes(text: str) -> list[str]:
    """Grid codes typed in a form field, separated by spaces, commas or 、."""
    return [c for c in text.replace(",", " ").replace("，", " ").replace("、", " ").split() if c]


def _users_page(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    t: Translator,
    *,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return content_page(
        "admin_users.html",
        t,
        title=t("admin.users_title"),
        active="users",
        status_code=status_code,
        accounts=accounts.list_accounts(session),
        roles=[(role, label(USER_ROLES, role, t.lang)) for role in USER_ROLES],
        role_name=lambda role: label(USER_ROLES, role, t.lang),
        me=principal.user_id,
        csrf=principal.csrf_token or "",
        done=done,
        error=error,
        when=lambda moment: when(moment, t.lang, settings.timezone),
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    t: LangDep,
    done: str | None = None,
    user: str | None = None,
) -> HTMLResponse:
    """用户管理: every account; add, change role or grids, reset password, disable."""
    message = None
    if done in ("added", "updated", "disabled", "enabled", "password") and user:
        message = t(f"admin.done_{done}").format(user=user)
    return _users_page(session, principal, settings, t, done=message)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    t: LangDep,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    grids: Annotated[str, Form(max_length=2000)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add an account from the form."""
    try:
        user = accounts.create_user(
            session,
            username.strip(),
            role=role,
            password=password,
            grids=_codes(grids),
            display_name=display_name.strip() or None,
        )
        session.commit()
    except GridmapError as exc:
        session.rollback()
        return _users_page(session, principal, settings, t, error=exc.message, status_code=422)
    return RedirectResponse(f"/admin/users?done=added&user={user.username}", status_code=303)


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
def change_user(
    user_id: int,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    t: LangDep,
    action: Annotated[str, Form(max_length=16)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    grids: Annotated[str, Form(max_length=2000)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """One action on an account: update (role, grids, name), disable, enable, password."""
    try:
        user = accounts.get_user(session, user_id)
        if action == "update":
            change = AccountChange(role=role, grids=_codes(grids), display_name=display_name)
        elif action in ("disable", "enable"):
            change = AccountChange(disabled=action == "disable")
        elif action == "password":
            change = AccountChange()
            accounts.set_password(session, user, password)
        else:
            raise InvalidInput(f"未知操作 {action!r} (unknown action)")
        change_account(session, user, change, principal)
        session.commit()
    except GridmapError as exc:
        session.rollback()
        return _users_page(session, principal, settings, t, error=exc.message, status_code=422)
    auth_state(request).forget()
    done = {"update": "updated", "disable": "disabled", "enable": "enabled"}.get(action, action)
    return RedirectResponse(f"/admin/users?done={done}&user={user.username}", status_code=303)


def changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, str, str]]:
    """(field, before, after) of the fields an audited write changed, values shortened."""

    def shown(value: Any) -> str:
        if value is None:
            return "∅"
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"

    before, after = before or {}, after or {}
    skip = {"updated_at", "created_at"}
    fields = [k for k in dict.fromkeys([*before, *after]) if k not in skip]
    return [
        (field, shown(before.get(field)), shown(after.get(field)))
        for field in fields
        if before.get(field) != after.get(field)
    ]


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    t: LangDep,
    user: Annotated[str | None, Query(max_length=64)] = None,
    table: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """审计日志: every write, newest first, filtered by user, table and time."""
    zone = ZoneInfo(settings.timezone)  # times typed in the form are local times
    since, until = (m.replace(tzinfo=zone) if m and m.tzinfo is None else m for m in (since, until))
    found = audit_rows(
        session,
        username=user or None,
        table=table or None,
        since=since,
        until=until,
        limit=AUDIT_PAGE,
        offset=(page - 1) * AUDIT_PAGE,
    )
    last = max(1, -(-found.total // AUDIT_PAGE))
    return content_page(
        "admin_audit.html",
        t,
        title=t("admin.audit_title"),
        active="audit",
        rows=found.rows,
        total=found.total,
        page=page,
        last=last,
        tables=audited_tables(session),
        users=[a.username for a in accounts.list_accounts(session)],
        filters={
            "user": user or "",
            "table": table or "",
            "since": f"{since.astimezone(zone):%Y-%m-%dT%H:%M}" if since else "",
            "until": f"{until.astimezone(zone):%Y-%m-%dT%H:%M}" if until else "",
        },
        page_url=lambda n: str(request.url.include_query_params(page=n)),
        changes=changes,
        when=lambda moment: when(moment, t.lang, settings.timezone),
        action_name=lambda action: t(f"audit.action_{action}"),
    )
