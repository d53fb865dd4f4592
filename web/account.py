"""Pages of one's own account: login, logout, password change and API tokens."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import auth_state, resolve
from api.cookies import (
    clear_session_cookie,
    login_form_pair,
    login_form_token_ok,
    set_login_cookie,
)
from api.deps import SessionDep, SettingsDep
from api.routes.account import PrincipalDep, client_address, start_session
from geo import accounts, audit, sessions
from geo.audit import Actor
from geo.errors import GridmapError, NotSignedIn, TooManyAttempts
from geo.vocab import USER_ROLES, label
from web.i18n import LangDep, Translator, when
from web.render import content_page

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Where to go after login: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _login_page(
    request: Request,
    settings: SettingsDep,
    t: Translator,
    *,
    target: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    nonce, token = login_form_pair(auth_state(request).key)
    response = content_page(
        "login.html",
        t,
        title=t("login.title"),
        active="login",
        status_code=status_code,
        next=target,
        username=username,
        error=error,
        csrf_token=token,
    )
    set_login_cookie(response, request, settings, nonce)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(
    request: Request, settings: SettingsDep, t: LangDep, next: str | None = None
) -> Response:
    """登录: the sign-in form (a signed-in user goes straight on)."""
    target = safe_next(next)
    try:
        if await resolve(request) is not None:
            return RedirectResponse(target, status_code=303)
    except NotSignedIn:
        pass
    return _login_page(request, settings, t, target=target)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    t: LangDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the form, sign in, and go where the user was headed."""
    target = safe_next(next)
    if not login_form_token_ok(request, auth_state(request).key, csrf_token):
        return _login_page(request, settings, t, target=target, username=username,
                           error=t("login.expired"), status_code=403)  # fmt: skip
    if not username.strip() or not password:
        return _login_page(request, settings, t, target=target, username=username,
                           error=t("login.missing"), status_code=422)  # fmt: skip
    try:
        user = sessions.authenticate(session, username, password, client_address(request))
    except TooManyAttempts:
        session.rollback()
        return _login_page(request, settings, t, target=target, username=username,
                           error=t("login.too_many"), status_code=429)  # fmt: skip
    except NotSignedIn:
        session.commit()  # the failed try counts towards the rate limit
        return _login_page(request, settings, t, target=target, username=username,
                           error=t("login.wrong"), status_code=401)  # fmt: skip
    audit.bind(session.connection(), Actor(user.id, user.username))
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, session, settings, user)
    session.commit()
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    """退出: end this browser session and return to the login page."""
    if principal.via == "session":
        sessions.end_session(session, principal.key)
        session.commit()
        auth_state(request).forget()
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


def _account_page(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    t: Translator,
    *,
    done: str | None = None,
    error: str | None = None,
    new_token: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    user = accounts.get_user(session, principal.user_id)
    tokens = sessions.list_tokens(session, user.id)
    return content_page(
        "account.html",
        t,
        title=t("account.title"),
        active="account",
        status_code=status_code,
        account=user,
        grids=accounts.grid_codes(session, user.id),
        role_name=label(USER_ROLES, user.role, t.lang),
        tokens=tokens,
        done=done,
        error=error,
        new_token=new_token,
        csrf=principal.csrf_token or "",
        when=lambda moment: when(moment, t.lang, settings.timezone),
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    t: LangDep,
    done: str | None = None,
) -> HTMLResponse:
    """我的账号: who I am, my grids, password change, API tokens."""
    known = {"password": t("account.password_changed"), "revoked": t("account.token_revoked")}
    return _account_page(session, principal, settings, t, done=known.get(done or ""))


@router.post("/account/password", response_class=HTMLResponse)
def account_password(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    t: LangDep,
    current_password: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=200)] = "",
    repeat_password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Change one's password; other sessions end, this browser signs in again at once."""
    user = accounts.get_user(session, principal.user_id)
    error = None
    if not accounts.password_matches(user.password_hash, current_password):
        error = t("account.current_wrong")
    elif new_password != repeat_password:
        error = t("account.repeat_differs")
    else:
        try:
            accounts.set_password(session, user, new_password)
        except GridmapError as exc:
            error = exc.message
    if error is not None:
        session.rollback()
        return _account_page(session, principal, settings, t, error=error, status_code=422)
    response = RedirectResponse("/account?done=password", status_code=303)
    start_session(request, response, session, settings, user)
    session.commit()
    auth_state(request).forget()
    return response


@router.post("/account/tokens", response_class=HTMLResponse)
def account_new_token(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    t: LangDep,
    name: Annotated[str, Form(max_length=100)] = "",
    days: Annotated[int | None, Form(ge=1, le=3650)] = None,
) -> HTMLResponse:
    """Create an API token and show it this once."""
    user = accounts.get_user(session, principal.user_id)
    secret, _token = sessions.create_token(session, user, name or "token", days=days)
    session.commit()
    return _account_page(session, principal, settings, t, new_token=secret)


@router.post("/account/tokens/{token_id}/revoke")
def account_revoke_token(
    token_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Revoke one of my tokens."""
    sessions.revoke_token(session, token_id, user_id=principal.user_id)
    session.commit()
    auth_state(request).forget()
    return RedirectResponse("/account?done=revoked", status_code=303)
