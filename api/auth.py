"""Sign-in and permissions for every request (DESIGN §7).

`authorize` runs before every route of the app (an app-wide dependency). It finds the route's
permission in `api.policy.ROUTES`, resolves the caller from the session cookie or an
`Authorization: Bearer` token, checks the CSRF token of cookie-authenticated writes and the
role, and makes the caller the actor of the request's transactions (geo.audit), which is what
the audit and field-work scope triggers read.

Resolved callers are cached in memory for a minute, so a cached tile costs no query. The cache
is emptied whenever the database announces a change of accounts, sessions or tokens
(NOTIFY gridmap_auth, migration 0006), checked before each lookup: a disabled account is
refused by the very next request, in every server process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import psycopg2
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount

from api.cookies import SESSION_COOKIE, server_key, unsign
from api.deps import get_session
from api.policy import PUBLIC, ROUTES, Permission, route_keys
from geo.audit import Actor, set_actor
from geo.errors import DatabaseUnavailable, Forbidden, NotSignedIn
from geo.sessions import TOKEN_PREFIX, Principal, digest, session_principal, token_principal
from geo.settings import Settings

log = logging.getLogger("gridmap.auth")

CACHE_SECONDS = 60.0
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths answered as data (401 JSON); every other path is a page (redirect to the login page).
DATA_PREFIXES = ("/api/", "/ogc", "/tiles/", "/openapi.json", "/healthz")

_principal: ContextVar[Principal | None] = ContextVar("gridmap_principal", default=None)


def current_principal() -> Principal | None:
    """The signed-in caller of the running request (None on public routes)."""
    return _principal.get()


class LoginRequired(Exception):
    """A page was asked for without a valid session: send the browser to the login page."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class _Listener:
    """LISTEN gridmap_auth on its own connection; polled without blocking before lookups."""

    RETRY_SECONDS = 5.0

    def __init__(self, dsn: str | None) -> None:
        self.dsn = dsn
        self.conn: Any = None
        self.next_try = 0.0

    def changed(self) -> bool:
        """Whether accounts may have changed since the last call (True while not listening)."""
        if self.dsn is None:
            return True
        try:
            if self.conn is None:
                if time.monotonic() < self.next_try:
                    return True
                self.conn = psycopg2.connect(self.dsn, connect_timeout=3)
                self.conn.autocommit = True
                self.conn.cursor().execute("LISTEN gridmap_auth")
                return True
            self.conn.poll()
            if self.conn.notifies:
                self.conn.notifies.clear()
                return True
            return False
        except psycopg2.Error as exc:
            log.warning("not listening for account changes (%s); sign-ins are not cached", exc)
            self.close()
            self.next_try = time.monotonic() + self.RETRY_SECONDS
            return True

    def close(self) -> None:
        if self.conn is not None:
            with suppress(psycopg2.Error):
                self.conn.close()
        self.conn = None


class AuthState:
    """Per-app sign-in state: the signing key, the permission of each route, the cache."""

    def __init__(self, settings: Settings, dsn: str | None) -> None:
        self.settings = settings
        self.key = server_key(settings)
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.permissions: dict[tuple[str, str], Permission] = {}
        self._cache: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()
        self._listener = _Listener(dsn)

    def cached(self, key: str) -> Principal | None:
        with self._lock:
            if self._listener.changed():
                self._cache.clear()
                return None
            entry = self._cache.get(key)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def remember(self, key: str, principal: Principal) -> None:
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (principal, time.monotonic() + CACHE_SECONDS)

    def forget(self) -> None:
        """Drop every cached sign-in (after this process changed accounts itself)."""
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        with self._lock:
            self._listener.close()


def auth_state(request: Request) -> AuthState:
    """The sign-in state of the app serving `request`."""
    state: AuthState = request.app.state.auth
    return state


@contextmanager
def request_session(request: Request) -> Iterator[Session]:
    """A database session outside the route's own (honours test overrides of get_session)."""
    override = request.app.dependency_overrides.get(get_session)
    if override is not None:
        yield override()
        return
    factory = request.app.state.sessionmaker
    if factory is None:
        raise DatabaseUnavailable(request.app.state.database_problem)
    with factory() as session:
        yield session


def _credentials(request: Request, key: bytes) -> tuple[str, str] | None:
    """("token" | "session", hash of the secret) presented by the request, if any."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value.startswith(TOKEN_PREFIX):
            raise NotSignedIn("无效的 Authorization 头，应为 'Bearer gm_…' (expected a gridmap "
                              "token: 'Authorization: Bearer gm_…')")  # fmt: skip
        return "token", digest(value)
    secret = unsign(key, request.cookies.get(SESSION_COOKIE))
    return ("session", digest(secret)) if secret else None


def _load(request: Request, kind: str, secret_hash: str, idle: timedelta) -> Principal | None:
    with request_session(request) as session:
        if kind == "token":
            principal = token_principal(session, secret_hash)
        else:
            principal = session_principal(session, secret_hash, idle=idle)
        session.commit()
        return principal


async def resolve(request: Request) -> Principal | None:
    """The caller of `request`, or None when it presents no valid credentials."""
    state = auth_state(request)
    presented = _credentials(request, state.key)
    if presented is None:
        return None
    kind, secret_hash = presented
    cache_key = kind + ":" + secret_hash
    principal = state.cached(cache_key)
    if principal is None:
        principal = await run_in_threadpool(_load, request, kind, secret_hash, state.idle)
        if principal is None:
            return None
        state.remember(cache_key, principal)
    return principal


def _is_page(path: str) -> bool:
    return not path.startswith(DATA_PREFIXES)


async def _csrf_token(request: Request) -> str | None:
    token = request.headers.get("x-csrf-token")
    if token:
        return token
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def authorize(request: Request) -> None:
    """App-wide dependency: sign-in, CSRF and role checks for the matched route."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    permission = auth_state(request).permissions.get((request.method, path))
    if permission is None:  # HEAD of a GET route
        permission = auth_state(request).permissions.get(("GET", path), PUBLIC)
    if permission is PUBLIC:
        _principal.set(None)
        return
    principal = await resolve(request)
    if principal is None:
        if _is_page(path) and request.method in SAFE_METHODS:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target)
        raise NotSignedIn("请先登录 (sign in first: a session cookie or 'Authorization: Bearer')")
    if principal.via == "session" and request.method not in SAFE_METHODS:
        token = await _csrf_token(request)
        if not token or token != principal.csrf_token:
            raise Forbidden("缺少或错误的 CSRF 令牌，请刷新页面后重试 (missing or wrong CSRF "
                            "token; reload the page and try again)")  # fmt: skip
    if not permission.allows(principal.role):
        raise Forbidden(
            f"当前账号（{principal.role}）无权执行此操作，需要：{permission.zh} "
            f"(the role {principal.role!r} may not do this; needs {permission.name})"
        )
    request.state.principal = principal
    _principal.set(principal)
    set_actor(Actor(principal.user_id, principal.username, principal.scope_grids))


async def _login_redirect(_: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/login?next={quote(exc.target, safe='/')}", status_code=303)


def install_auth(app: FastAPI, settings: Settings, dsn: str | None) -> None:
    """Read the permission of every route from api.policy; refuse to start on a gap."""
    state = AuthState(settings, dsn)
    app.state.auth = state
    app.add_exception_handler(LoginRequired, _login_redirect)
    seen: set[str] = set()
    missing: list[str] = []
    for context in iter_route_contexts(app.routes):
        original = context.original_route
        path = context.path or ""
        keys = route_keys(context.methods, path, mount=isinstance(original, Mount))
        for key in keys:
            seen.add(key)
            permission = ROUTES.get(key)
            if permission is None:
                missing.append(key)
                continue
            method, _, _ = key.partition(" ")
            state.permissions[(method, path)] = permission
    stale = sorted(set(ROUTES) - seen)
    if missing or stale:
        raise RuntimeError(
            "api/policy.py must declare every route exactly: "
            f"undeclared {sorted(missing)}, declared but absent {stale}"
        )
