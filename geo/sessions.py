"""Signing in (DESIGN §7): login with rate limits, browser sessions, API tokens, principals.

A session id or token is a random 256-bit secret given to the client once; the database keeps
only its SHA-256. A principal is what a valid secret resolves to: the account, its role and
the grids it may write for. Every resolution checks that the account is still enabled, so a
disabled account's sessions and tokens stop at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from geo.accounts import GRID_ROLES, find_user, password_matches
from geo.errors import NotFound, NotSignedIn, TooManyAttempts
from geo.models import ApiToken, LoginAttempt, User, UserGrid, UserSession

TOKEN_PREFIX = "gm_"  # noqa: S105 (a marker, not a secret)
# Failed logins allowed within WINDOW before the form refuses further tries.
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Principal:
    """The signed-in account behind a request."""

    user_id: int
    username: str
    display_name: str | None
    role: str
    lang: str
    grid_ids: frozenset[int] = field(default_factory=frozenset)
    via: str = "session"  # "session", "token" or "cli"
    csrf_token: str | None = None
    key: str = ""  # hash of the session id or token that signed in

    @property
    def scope_grids(self) -> frozenset[int] | None:
        """Grids this principal's field-work writes are limited to (None: not limited)."""
        return self.grid_ids if self.role in GRID_ROLES else None

    @property
    def label(self) -> str:
        """The name to show: display name, else user name."""
        return self.display_name or self.username


def new_secret(prefix: str = "") -> str:
    """A fresh random secret (256 bits, URL-safe)."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _principal(session: Session, user: User, **extra: object) -> Principal:
    grid_ids = frozenset(
        session.scalars(select(UserGrid.grid_id).where(UserGrid.user_id == user.id))
    )
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        lang=user.lang,
        grid_ids=grid_ids,
        **extra,  # type: ignore[arg-type]
    )


def principal_of(session: Session, user: User, via: str = "cli") -> Principal:
    """The principal of an account acting outside a request (CLI, tests)."""
    return _principal(session, user, via=via)


def _failures(session: Session, by_address: bool, value: str, since: datetime) -> int:
    who = LoginAttempt.address == value if by_address else LoginAttempt.username == value
    query = select(func.count()).select_from(LoginAttempt)
    query = query.where(who, LoginAttempt.at > since, LoginAttempt.ok.is_(False))
    return session.execute(query).scalar_one()


def check_rate(session: Session, username: str, address: str) -> None:
    """Refuse a login try when this account or address failed too often in the last minutes."""
    now = session.scalar(select(func.now()))
    assert now is not None
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.ok.is_(True)
        )
    )
    since = max(now - WINDOW, last_ok) if last_ok else now - WINDOW
    minutes = int(WINDOW.total_seconds() // 60)
    if _failures(session, False, username, since) >= MAX_FAILURES_PER_USER:
        raise TooManyAttempts(
            f"该账号登录失败次数过多，请 {minutes} 分钟后再试 (too many failed logins for this "
            f"account; try again in {minutes} minutes)"
        )
    if _failures(session, True, address, now - WINDOW) >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts(
            f"来自此地址的登录失败次数过多，请 {minutes} 分钟后再试 (too many failed logins from "
            f"this address; try again in {minutes} minutes)"
        )


def authenticate(session: Session, username: str, password: str, address: str) -> User:
    """The enabled account with this name and password; every try is recorded.

    The caller commits, also when this raises, so failed tries count."""
    username = username.strip()
    check_rate(session, username, address)
    try:
        user: User | None = find_user(session, username)
    except NotFound:
        user = None
    ok = user is not None and not user.disabled and password_matches(user.password_hash, password)
    session.add(LoginAttempt(username=username[:64], address=address[:64], ok=ok))
    session.flush()
    if not ok or user is None:
        raise NotSignedIn("用户名或密码错误，或账号已停用 (wrong user name or password, or the "
                          "account is disabled)")  # fmt: skip
    user.last_login_at = func.now()
    return user


def open_session(
    session: Session,
    user: User,
    *,
    lifetime: timedelta,
    idle: timedelta = timedelta(hours=2),
    address: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, str]:
    """Start a browser session; returns (session secret, CSRF token)."""
    housekeeping(session, idle=idle)
    secret = new_secret()
    csrf = secrets.token_urlsafe(24)
    session.add(
        UserSession(
            id_hash=digest(secret),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=func.now() + lifetime,
            address=(address or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.flush()
    return secret, csrf


def session_principal(session: Session, id_hash: str, *, idle: timedelta) -> Principal | None:
    """The principal of a live session (not expired, not idle too long, account enabled)."""
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.id_hash == id_hash,
            UserSession.expires_at > func.now(),
            UserSession.last_seen_at > func.now() - idle,
            User.disabled.is_(False),
        )
    ).first()
    if row is None:
        return None
    live, user = row
    session.execute(
        update(UserSession).where(UserSession.id_hash == id_hash).values(last_seen_at=func.now())
    )
    return _principal(session, user, via="session", csrf_token=live.csrf_token, key=id_hash)


def end_session(session: Session, id_hash: str) -> None:
    """Sign a browser session out."""
    session.execute(delete(UserSession).where(UserSession.id_hash == id_hash))


def housekeeping(session: Session, *, idle: timedelta) -> int:
    """Delete sessions past their expiry or idle limit, and login attempts older than a day
    (run at each login, so neither table grows); returns how many sessions ended."""
    result = session.execute(
        delete(UserSession).where(
            (UserSession.expires_at <= func.now()) | (UserSession.last_seen_at <= func.now() - idle)
        )
    )
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < func.now() - timedelta(days=1)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def create_token(
    session: Session, user: User, name: str, *, days: int | None = None
) -> tuple[str, ApiToken]:
    """A new API token for `user`; the secret is returned once and never stored."""
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "token",
        token_hash=digest(secret),
        prefix=secret[:10],
        expires_at=func.now() + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    return secret, token


def token_principal(session: Session, token_hash: str) -> Principal | None:
    """The principal of a live token (not revoked, not expired, account enabled)."""
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > func.now()),
            User.disabled.is_(False),
        )
    ).first()
    if row is None:
        return None
    token, user = row
    session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=func.now()))
    return _principal(session, user, via="token", key=token_hash)


def revoke_token(session: Session, token_id: int, *, user_id: int | None = None) -> ApiToken:
    """Revoke a token (only one of `user_id`'s when given)."""
    token = session.get(ApiToken, token_id)
    if token is None or (user_id is not None and token.user_id != user_id):
        raise NotFound(f"没有编号为 {token_id} 的令牌 (no token {token_id})")
    if token.revoked_at is None:
        token.revoked_at = func.now()
        session.flush()
    return token


def list_tokens(session: Session, user_id: int | None = None) -> list[ApiToken]:
    """Tokens (of one user when given), newest first."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))
