"""Accounts (DESIGN §7): users with one role, the grids or community they serve, passwords.

Passwords are hashed with Argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane: about
0.1 s here), never stored or logged in clear. Disabling an account ends its sessions at once;
its tokens stop working because every sign-in checks the account (geo.sessions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from geo.errors import Conflict, InvalidInput, NotFound
from geo.models import Community, Grid, User, UserGrid, UserSession
from geo.vocab import LANGUAGES, USER_ROLES

HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
PASSWORD_MIN = 8
USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,64}$")
# Roles whose writes are limited to their own grids (DESIGN §7), and who therefore need grids.
GRID_ROLES = frozenset({"grid_leader", "grid_member"})


@dataclass(frozen=True)
class Account:
    """A user as listed for administrators (never the password hash)."""

    id: int
    username: str
    display_name: str | None
    role: str
    grids: tuple[str, ...]
    community: str | None
    lang: str
    disabled: bool
    last_login_at: datetime | None
    created_at: datetime


def hash_password(password: str) -> str:
    """The Argon2id hash of `password`."""
    return HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed (False for a malformed hash, never an error)."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str, username: str) -> None:
    """Refuse a password that is too short or the user name itself."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(
            f"密码至少需要 {PASSWORD_MIN} 个字符 (the password needs at least {PASSWORD_MIN} "
            "characters)"
        )
    if password.strip().lower() == username.lower():
        raise InvalidInput("密码不能与用户名相同 (the password must differ from the user name)")


def _check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise InvalidInput(
            f"用户名 {username!r} 无效：2–64 个字母、数字、汉字或 . _ - "
            "(a user name is 2–64 letters, digits, Chinese characters or . _ -)"
        )


def _check_role(role: str) -> None:
    if role not in USER_ROLES:
        raise InvalidInput(
            f"未知角色 {role!r}，可选：{', '.join(USER_ROLES)} (unknown role {role!r})"
        )


def find_user(session: Session, username: str) -> User:
    """The account named `username`."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"没有用户 {username!r} (no user {username!r})")
    return user


def get_user(session: Session, user_id: int) -> User:
    """The account with id `user_id`."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"没有编号为 {user_id} 的用户 (no user {user_id})")
    return user


def _grid_ids(session: Session, codes: Iterable[str]) -> list[int]:
    codes = list(dict.fromkeys(codes))
    found = dict(
        session.execute(
            select(Grid.code, Grid.id).where(Grid.code.in_(codes), Grid.valid_to.is_(None))
        ).all()
    )
    missing = [code for code in codes if code not in found]
    if missing:
        raise NotFound(f"没有网格 {', '.join(missing)} (no current grid {', '.join(missing)})")
    return [found[code] for code in codes]


def _community_id(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    community_id = session.scalar(select(Community.id).where(Community.code == code))
    if community_id is None:
        raise NotFound(f"没有社区 {code} (no community {code})")
    return community_id


def create_user(
    session: Session,
    username: str,
    *,
    role: str,
    password: str,
    grids: Sequence[str] = (),
    community: str | None = None,
    display_name: str | None = None,
    lang: str = "zh-CN",
) -> User:
    """Add an account; grid leaders and grid members must name the grids they serve."""
    _check_username(username)
    _check_role(role)
    check_password(password, username)
    if lang not in LANGUAGES:
        raise InvalidInput(f"未知语言 {lang!r} (unknown language {lang!r})")
    if role in GRID_ROLES and not grids:
        raise InvalidInput(
            f"{USER_ROLES[role][0]}账号必须指定至少一个网格 (a {USER_ROLES[role][1]} account "
            "needs at least one grid)"
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"用户 {username!r} 已存在 (user {username!r} exists)")
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password),
        display_name=display_name,
        community_id=_community_id(session, community),
        lang=lang,
    )
    session.add(user)
    session.flush()
    set_grids(session, user, grids)
    return user


def set_grids(session: Session, user: User, codes: Sequence[str]) -> None:
    """Replace the grids `user` serves by the current grids with these codes."""
    ids = _grid_ids(session, codes)
    if user.role in GRID_ROLES and not ids:
        raise InvalidInput("网格长和网格员账号至少需要一个网格 (grid roles need a grid)")
    session.execute(delete(UserGrid).where(UserGrid.user_id == user.id))
    session.add_all(UserGrid(user_id=user.id, grid_id=grid_id) for grid_id in ids)
    session.flush()


def set_role(session: Session, user: User, role: str) -> None:
    """Change the role of `user` (grid roles keep needing grids)."""
    _check_role(role)
    if role in GRID_ROLES and not grid_codes(session, user.id):
        raise InvalidInput("请先为该账号指定网格 (give the account a grid first)")
    user.role = role
    session.flush()


def set_password(session: Session, user: User, password: str) -> None:
    """Set a new password; every session of the account ends (sign in again)."""
    check_password(password, user.username)
    user.password_hash = hash_password(password)
    user.password_changed_at = func.now()
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()


def set_disabled(session: Session, user: User, disabled: bool) -> None:
    """Disable (or enable again) an account; disabling ends its sessions at once."""
    user.disabled = disabled
    if disabled:
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()


def grid_codes(session: Session, user_id: int) -> list[str]:
    """Codes of the grids an account serves."""
    return list(
        session.scalars(
            select(Grid.code)
            .join(UserGrid, UserGrid.grid_id == Grid.id)
            .where(UserGrid.user_id == user_id)
            .order_by(Grid.code)
        )
    )


def list_accounts(session: Session) -> list[Account]:
    """Every account, by user name."""
    grids = (
        select(func.array_agg(Grid.code).filter(Grid.code.is_not(None)))
        .select_from(UserGrid)
        .join(Grid, Grid.id == UserGrid.grid_id)
        .where(UserGrid.user_id == User.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(User, grids, Community.code)
        .outerjoin(Community, Community.id == User.community_id)
        .order_by(User.username)
    ).all()
    return [
        Account(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            grids=tuple(sorted(codes or ())),
            community=community,
            lang=user.lang,
            disabled=user.disabled,
            last_login_at=user.last_login_at,
            created_at=user.created_at,
        )
        for user, codes, community in rows
    ]
