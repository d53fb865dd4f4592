"""Accounts for tests: a user of a role with a password and an API token."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.accounts import create_user
from geo.models import Grid, User
from geo.sessions import create_token


@dataclass(frozen=True)
class Login:
    """A test account: how to sign in as it."""

    user_id: int
    username: str
    password: str
    token: str
    role: str

    @property
    def headers(self) -> dict[str, str]:
        """Request headers that sign in with the account's token."""
        return {"Authorization": f"Bearer {self.token}"}


def add_login(
    session: Session, role: str, *, grids: Sequence[str] = (), username: str | None = None
) -> Login:
    """Create an account (flushed, not committed) with a random password and a token."""
    if role in ("grid_leader", "grid_member") and not grids:
        grids = list(session.scalars(select(Grid.code).where(Grid.valid_to.is_(None)).limit(1)))
    username = username or f"t_{role}_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(12)
    user = create_user(session, username, role=role, password=password, grids=grids)
    token, _ = create_token(session, user, "tests")
    return Login(user.id, username, password, token, role)


def quick_login(session: Session, role: str = "admin") -> Login:
    """An account with an unusable password (no hashing cost) and a token: for API tests."""
    user = User(username=f"t_{role}_{secrets.token_hex(4)}", role=role, password_hash="!")
    session.add(user)
    session.flush()
    token, _ = create_token(session, user, "tests")
    return Login(user.id, user.username, "", token, role)


def session_cookie(base_url: str, login: Login) -> dict[str, str]:
    """Sign in over HTTP as `login`; the session cookie for a browser context."""
    response = httpx.post(
        f"{base_url}/api/auth/login",
        json={"username": login.username, "password": login.password},
        timeout=30,
    )
    response.raise_for_status()
    value = response.cookies["gridmap_session"]
    return {"name": "gridmap_session", "value": value, "url": base_url}
