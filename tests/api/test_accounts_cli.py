"""`gridmap user …` and `gridmap token …`, and a disable seen by a running server at once."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.cli import app
from geo.models import AuditLog, User

runner = CliRunner()


def _env(test_settings) -> dict[str, str]:
    return {"GRIDMAP_DATABASE_URL": test_settings.database_url.get_secret_value()}


@pytest.fixture
def name(engine: Engine) -> Iterator[str]:
    """A fresh user name, deleted (with its tokens) after the test."""
    username = f"cli_{secrets.token_hex(4)}"
    yield username
    with engine.begin() as conn:
        conn.execute(delete(User).where(User.username == username))


def _cli(test_settings, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), env=_env(test_settings), input=stdin)


def test_user_add_passwd_list_and_a_token(test_settings, engine, name):
    added = _cli(
        test_settings,
        "user",
        "add",
        name,
        "--role",
        "planner",
        "--display-name",
        "王工",
        "--password-stdin",
        stdin="first-pass-1\n",
    )
    assert added.exit_code == 0, added.output
    assert f"user {name} added" in added.output
    listed = _cli(test_settings, "user", "list")
    assert name in listed.output and "planner" in listed.output
    changed = _cli(
        test_settings, "user", "passwd", name, "--password-stdin", stdin="second-pass-2\n"
    )
    assert changed.exit_code == 0 and "sessions ended" in changed.output
    token = _cli(test_settings, "token", "create", name, "--name", "QGIS")
    assert token.exit_code == 0
    secret = token.stdout.strip().splitlines()[-1]
    assert secret.startswith("gm_")
    with engine.connect() as conn:
        who = conn.scalars(
            select(AuditLog.username).where(
                AuditLog.table_name == "users",
                AuditLog.row_id == str(conn.scalar(select(User.id).where(User.username == name))),
            )
        ).all()
    assert who and all(w.startswith("cli:") for w in who)


@pytest.mark.parametrize(
    ("args", "stdin", "reason"),
    [
        (["--role", "boss"], "long-enough-1\n", "未知角色"),
        (["--role", "grid_member"], "long-enough-1\n", "至少一个网格"),
        (["--role", "viewer", "--grid", "999999999999999"], "long-enough-1\n", "没有网格"),
        (["--role", "viewer"], "short\n", "至少需要 8"),
        (["--role", "viewer"], "\n", "no password"),
    ],
)
def test_bad_user_add_is_one_line_and_writes_nothing(
    test_settings, engine, name, args, stdin, reason
):
    result = _cli(test_settings, "user", "add", name, *args, "--password-stdin", stdin=stdin)
    assert result.exit_code == 1
    assert reason in result.output and "Traceback" not in result.output
    with engine.connect() as conn:
        assert conn.scalar(select(User.id).where(User.username == name)) is None


def test_a_duplicate_or_unknown_user_is_refused(test_settings, name):
    assert (
        _cli(
            test_settings,
            "user",
            "add",
            name,
            "--role",
            "viewer",
            "--password-stdin",
            stdin="long-enough-1\n",
        ).exit_code
        == 0
    )
    again = _cli(
        test_settings,
        "user",
        "add",
        name,
        "--role",
        "viewer",
        "--password-stdin",
        stdin="long-enough-1\n",
    )
    assert again.exit_code == 1 and "已存在" in again.output
    for command in (["user", "disable", "nobody_here"], ["token", "create", "nobody_here"]):
        result = _cli(test_settings, *command)
        assert result.exit_code == 1 and "没有用户" in result.output


def test_disable_from_the_command_line_stops_a_running_servers_token(
    test_settings, live_server, name
):
    assert (
        _cli(
            test_settings,
            "user",
            "add",
            name,
            "--role",
            "viewer",
            "--password-stdin",
            stdin="long-enough-1\n",
        ).exit_code
        == 0
    )
    secret = _cli(test_settings, "token", "create", name).stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=live_server, headers=headers, timeout=10) as http:
        for _ in range(3):  # cached after the first
            assert http.get("/api/auth/me").status_code == 200
        assert _cli(test_settings, "user", "disable", name).exit_code == 0
        assert http.get("/api/auth/me").status_code == 401
        assert http.get("/tiles/grid.json").status_code == 401
        assert _cli(test_settings, "user", "enable", name).exit_code == 0
        assert http.get("/api/auth/me").status_code == 200
        token_id = None
        listed = _cli(test_settings, "token", "list", name)
        for line in listed.output.splitlines():
            if secret[:10] in line:
                token_id = line.split("│")[1].strip()
        assert token_id, listed.output
        assert _cli(test_settings, "token", "revoke", token_id).exit_code == 0
        assert http.get("/api/auth/me").status_code == 401
