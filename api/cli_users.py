"""`gridmap user …` and `gridmap token …`: accounts and API tokens from the command line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import err, explained, load_settings, open_session, out
from geo import accounts, sessions
from geo.errors import InvalidInput
from geo.vocab import USER_ROLES

user_app = typer.Typer(help="Accounts: add, list, change password, disable, enable.")
token_app = typer.Typer(help="API tokens for scripts, QGIS and GDAL (Authorization: Bearer).")

RoleOpt = Annotated[str, typer.Option("--role", help=f"One of: {', '.join(USER_ROLES)}")]
GridOpt = Annotated[
    list[str] | None, typer.Option("--grid", help="Grid code served (repeat for several)")
]


def _read_password(stdin: bool, confirm: bool = True) -> str:
    """The new password: one line on stdin with --password-stdin, else asked twice."""
    if stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InvalidInput("no password on standard input (--password-stdin)")
        return line
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask for the password: use --password-stdin")
    password: str = typer.prompt("password / 密码", hide_input=True, confirmation_prompt=confirm)
    return password


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first stdin line")
]


@user_app.command("add")
@explained
def user_add(
    name: Annotated[str, typer.Argument(help="User name (login)")],
    role: RoleOpt,
    grid: GridOpt = None,
    community: Annotated[
        str | None, typer.Option("--community", help="Community code served (12 digits)")
    ] = None,
    display_name: Annotated[str | None, typer.Option("--display-name", help="姓名")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account; grid leaders and grid members need --grid."""
    password = _read_password(password_stdin)
    with open_session(load_settings()) as session:
        user = accounts.create_user(
            session,
            name,
            role=role,
            password=password,
            grids=grid or [],
            community=community,
            display_name=display_name,
        )
        session.commit()
        out.print(
            f"已添加用户 {user.username}（{USER_ROLES[role][0]}）"
            f"/ user {user.username} added ({role})"
        )


@user_app.command("passwd")
@explained
def user_passwd(
    name: Annotated[str, typer.Argument(help="User name")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password; the account's browser sessions end."""
    password = _read_password(password_stdin)
    with open_session(load_settings()) as session:
        accounts.set_password(session, accounts.find_user(session, name), password)
        session.commit()
    out.print(
        f"已修改 {name} 的密码，其登录已全部退出 / password of {name} changed; its sessions ended"
    )


def _set_disabled(name: str, disabled: bool) -> None:
    with open_session(load_settings()) as session:
        accounts.set_disabled(session, accounts.find_user(session, name), disabled)
        session.commit()


@user_app.command("disable")
@explained
def user_disable(name: Annotated[str, typer.Argument(help="User name")]) -> None:
    """Disable an account: its sessions and tokens stop working at once."""
    _set_disabled(name, True)
    out.print(f"已停用用户 {name}，其登录和令牌立即失效 / user {name} disabled")


@user_app.command("enable")
@explained
def user_enable(name: Annotated[str, typer.Argument(help="User name")]) -> None:
    """Enable a disabled account again (its old sessions stay ended)."""
    _set_disabled(name, False)
    out.print(f"已启用用户 {name} / user {name} enabled")


@user_app.command("list")
@explained
def user_list() -> None:
    """Every account with its role, grids and state."""
    with open_session(load_settings()) as session:
        found = accounts.list_accounts(session)
    table = Table(title=f"{len(found)} 个账号 / accounts")
    for column in ("用户名 user", "姓名 name", "角色 role", "网格 grids", "状态 state"):
        table.add_column(column)
    for a in found:
        state = "停用 disabled" if a.disabled else "启用 enabled"
        table.add_row(a.username, a.display_name or "", a.role, " ".join(a.grids), state)
    out.print(table)


@token_app.command("create")
@explained
def token_create(
    name: Annotated[str, typer.Argument(help="User the token signs in as")],
    label: Annotated[str, typer.Option("--name", help="What the token is for")] = "cli",
    days: Annotated[int | None, typer.Option("--days", min=1, help="Expire after N days")] = None,
) -> None:
    """Create an API token; it is printed once, on stdout, and stored only hashed."""
    with open_session(load_settings()) as session:
        user = accounts.find_user(session, name)
        secret, token = sessions.create_token(session, user, label, days=days)
        session.commit()
        err.print(
            f"令牌 {token.id}（{name}，{label}）只显示这一次，请妥善保存 "
            f"/ token {token.id} for {name} ({label}); keep it, it is not shown again:"
        )
    print(secret)


@token_app.command("list")
@explained
def token_list(name: Annotated[str | None, typer.Argument(help="Only this user's")] = None) -> None:
    """API tokens (never their values)."""
    with open_session(load_settings()) as session:
        user_id = accounts.find_user(session, name).id if name else None
        found = sessions.list_tokens(session, user_id)
        owners = {a.id: a.username for a in accounts.list_accounts(session)}
    table = Table(title=f"{len(found)} 个令牌 / tokens")
    for column in ("id", "user", "name", "prefix", "last used", "state"):
        table.add_column(column)
    for t in found:
        state = "revoked" if t.revoked_at else "active"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "—"
        table.add_row(str(t.id), owners.get(t.user_id, "?"), t.name, t.prefix + "…", used, state)
    out.print(table)


@token_app.command("revoke")
@explained
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id (see token list)")],
) -> None:
    """Revoke a token; it stops working at once."""
    with open_session(load_settings()) as session:
        sessions.revoke_token(session, token_id)
        session.commit()
    out.print(f"已吊销令牌 {token_id} / token {token_id} revoked")


def register(app: typer.Typer) -> None:
    """Add the account commands to the main CLI."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
