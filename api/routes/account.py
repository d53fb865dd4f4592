"""One's own account over JSON: login, logout, who am I, password, API tokens."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.auth import auth_state
from api.cookies import clear_session_cookie, set_session_cookie
from api.deps import SessionDep, SettingsDep
from geo import accounts, audit, sessions
from geo.audit import Actor
from geo.errors import InvalidInput, NotSignedIn
from geo.models import User
from geo.sessions import Principal
from geo.settings import Settings

router = APIRouter(tags=["account"])


def signed_in(request: Request) -> Principal:
    """The caller, as checked by api.auth (routes that use this are never public)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise NotSignedIn("请先登录 (sign in first)")
    return principal


PrincipalDep = Annotated[Principal, Depends(signed_in)]


def client_address(request: Request) -> str:
    """The caller's address, for rate limits and the session list."""
    return request.client.host if request.client else "unknown"


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    """The signed-in account; `csrf_token` goes in `X-CSRF-Token` on cookie-signed writes."""

    id: int
    username: str
    display_name: str | None
    role: str
    lang: str
    grids: list[str]
    via: str = Field(description="session | token")
    csrf_token: str | None


def _me(principal: Principal, grids: list[str]) -> Me:
    return Me(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        lang=principal.lang,
        grids=grids,
        via=principal.via,
        csrf_token=principal.csrf_token,
    )


def start_session(
    request: Request, response: Response, session: Session, settings: Settings, user: User
) -> Principal:
    """Open a browser session for `user`, set its cookie; returns its principal."""
    secret, csrf = sessions.open_session(
        session,
        user,
        lifetime=timedelta(hours=settings.session_hours),
        idle=timedelta(minutes=settings.session_idle_minutes),
        address=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    set_session_cookie(response, request, settings, auth_state(request).key, secret)
    principal = sessions.principal_of(session, user, via="session")
    return replace(principal, csrf_token=csrf)


@router.post("/api/auth/login", response_model=Me)
def login(
    body: Credentials,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> Me:
    """Sign in with user name and password: sets the session cookie, returns the CSRF token."""
    try:
        user = sessions.authenticate(session, body.username, body.password, client_address(request))
    except NotSignedIn:
        session.commit()  # the failed try counts towards the rate limit
        raise
    audit.bind(session.connection(), Actor(user.id, user.username))
    principal = start_session(request, response, session, settings, user)
    session.commit()
    return _me(principal, accounts.grid_codes(session, user.id))


@router.post("/api/auth/logout", status_code=204)
def logout(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    """End this browser session (a token stays valid: revoke it with DELETE /api/tokens/{id})."""
    if principal.via == "session":
        sessions.end_session(session, principal.key)
        session.commit()
        auth_state(request).forget()
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response


@router.get("/api/auth/me", response_model=Me)
def me(request: Request, session: SessionDep, principal: PrincipalDep) -> Me:
    """The signed-in account, its grids and (for a browser session) its CSRF token."""
    return _me(principal, accounts.grid_codes(session, principal.user_id))


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


@router.post("/api/auth/password", status_code=204)
def change_password(
    body: PasswordChange,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Response:
    """Change one's password; every browser session ends, this one gets a new cookie."""
    user = accounts.get_user(session, principal.user_id)
    if not accounts.password_matches(user.password_hash, body.current_password):
        raise InvalidInput("当前密码不正确 (the current password is wrong)")
    accounts.set_password(session, user, body.new_password)
    response = Response(status_code=204)
    if principal.via == "session":
        start_session(request, response, session, settings, user)
    session.commit()
    auth_state(request).forget()
    return response


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="用途 / what the token is for")
    days: int | None = Field(default=None, ge=1, le=3650, description="有效天数 / days valid")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="令牌开头 / first characters, to recognise it")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class NewToken(TokenOut):
    token: str = Field(description="令牌，只显示这一次 / the token, shown this once only")


@router.get("/api/tokens", response_model=list[TokenOut])
def my_tokens(session: SessionDep, principal: PrincipalDep) -> list[TokenOut]:
    """One's API tokens (never their values)."""
    return [
        TokenOut.model_validate(t, from_attributes=True)
        for t in sessions.list_tokens(session, principal.user_id)
    ]


@router.post("/api/tokens", response_model=NewToken, status_code=201)
def create_my_token(body: TokenIn, session: SessionDep, principal: PrincipalDep) -> NewToken:
    """A new token for `Authorization: Bearer` (scripts, QGIS, GDAL); shown once."""
    user = accounts.get_user(session, principal.user_id)
    secret, token = sessions.create_token(session, user, body.name, days=body.days)
    session.commit()
    session.refresh(token)
    return NewToken.model_validate({**TokenOut.model_validate(token, from_attributes=True)
                                    .model_dump(), "token": secret})  # fmt: skip


@router.delete("/api/tokens/{token_id}", status_code=204)
def revoke_my_token(
    token_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Revoke one of one's tokens; it stops working at once."""
    sessions.revoke_token(session, token_id, user_id=principal.user_id)
    session.commit()
    auth_state(request).forget()
    return Response(status_code=204)
