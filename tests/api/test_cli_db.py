"""`gridmap db …` on clusters of their own: lifecycle, backup/restore, and clear errors."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from api.cli import app
from geo import cluster
from geo.db import database_url, make_engine
from geo.settings import Settings
from tests.conftest import free_port

pytestmark = pytest.mark.slow
runner = CliRunner()


def _env(home, port) -> dict[str, str]:
    return {"GRIDMAP_HOME": str(home), "GRIDMAP_PG_PORT": str(port), "GRIDMAP_DATABASE_URL": ""}


def _gridmap(env: dict[str, str], *args: str):
    return runner.invoke(app, list(args), env=env)


@pytest.fixture
def own_cluster(tmp_path) -> Iterator[dict[str, str]]:
    """Environment for a throw-away embedded cluster; destroyed afterwards."""
    env = _env(tmp_path / "state", free_port())
    yield env
    cluster.destroy(Settings(home=env["GRIDMAP_HOME"], pg_port=int(env["GRIDMAP_PG_PORT"])))


def test_db_up_twice_then_status_reports_versions(own_cluster):
    first = _gridmap(own_cluster, "db", "up")
    assert first.exit_code == 0, first.output
    assert "started" in first.output and "database created" in first.output
    assert "migrated empty →" in first.output
    second = _gridmap(own_cluster, "db", "up")
    assert second.exit_code == 0, second.output
    assert "already running" in second.output
    status = _gridmap(own_cluster, "db", "status")
    assert status.exit_code == 0, status.output
    assert "postgresql: 15" in status.output
    assert "postgis:    3." in status.output
    assert "pgrouting:  3." in status.output
    down = _gridmap(own_cluster, "db", "down")
    assert down.exit_code == 0 and "stopped" in down.output
    after = _gridmap(own_cluster, "db", "status")
    assert after.exit_code == 3 and "stopped" in after.output


def _count_parks(settings: Settings) -> int:
    engine = make_engine(database_url(settings))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM park")).scalar_one())
    finally:
        engine.dispose()


def _add_parks(settings: Settings, n: int) -> None:
    engine = make_engine(database_url(settings))
    with engine.begin() as conn:
        for i in range(n):
            conn.execute(
                text(
                    "INSERT INTO park (code, name, geom) VALUES (:c, :n, "
                    "ST_Multi(ST_MakeEnvelope(120.7, 31.3, 120.8, 31.4, 4326)))"
                ),
                {"c": f"32057{i}", "n": f"园区{i}"},
            )
    engine.dispose()


def test_backup_then_restore_into_a_fresh_cluster_round_trips_rows(own_cluster, tmp_path):
    assert _gridmap(own_cluster, "db", "up").exit_code == 0
    source = Settings(home=own_cluster["GRIDMAP_HOME"], pg_port=int(own_cluster["GRIDMAP_PG_PORT"]))
    _add_parks(source, 3)
    dump = tmp_path / "backup" / "gridmap.dump"
    made = _gridmap(own_cluster, "db", "backup", str(dump))
    assert made.exit_code == 0, made.output
    assert dump.read_bytes()[:5] == b"PGDMP"
    _gridmap(own_cluster, "db", "down")

    other = _env(tmp_path / "other", free_port())
    target = Settings(home=other["GRIDMAP_HOME"], pg_port=int(other["GRIDMAP_PG_PORT"]))
    try:
        assert _gridmap(other, "db", "up").exit_code == 0
        restored = _gridmap(other, "db", "restore", str(dump))
        assert restored.exit_code == 0, restored.output
        assert _count_parks(target) == 3
        refused = _gridmap(other, "db", "restore", str(dump))
        assert refused.exit_code == 1
        assert "not empty" in refused.output and "--force" in refused.output
        forced = _gridmap(other, "db", "restore", "--force", str(dump))
        assert forced.exit_code == 0, forced.output
        assert _count_parks(target) == 3
    finally:
        cluster.destroy(target)


def test_restore_of_a_file_that_is_no_backup_changes_nothing(tmp_path, test_settings):
    bogus = tmp_path / "not-a-dump.dump"
    bogus.write_text("hello")
    env = {"GRIDMAP_DATABASE_URL": test_settings.database_url.get_secret_value()}
    result = _gridmap(env, "db", "restore", str(bogus))
    assert result.exit_code == 1
    assert "not a pg_dump custom-format backup" in result.output


def test_db_up_on_a_port_in_use_says_what_to_do(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = _env(tmp_path / "state", port)
        try:
            result = _gridmap(env, "db", "up")
        finally:
            cluster.destroy(Settings(home=env["GRIDMAP_HOME"], pg_port=port))
    assert result.exit_code == 1
    assert f"port {port} is already in use" in result.output
    assert "GRIDMAP_PG_PORT" in result.output
    assert "Traceback" not in result.output


def test_db_up_with_a_url_pointing_at_nothing_fails_in_one_sentence():
    env = {"GRIDMAP_DATABASE_URL": f"postgresql://gridmap:secret@127.0.0.1:{free_port()}/gridmap"}
    result = _gridmap(env, "db", "up")
    assert result.exit_code == 1
    assert "cannot connect to PostgreSQL at 127.0.0.1" in result.output
    assert "GRIDMAP_DATABASE_URL" in result.output
    assert "Traceback" not in result.output
    assert "secret" not in result.output


def test_a_malformed_setting_is_named():
    result = _gridmap({"GRIDMAP_DATABASE_URL": "mysql://x@y/z"}, "db", "status")
    assert result.exit_code == 2
    assert "GRIDMAP_DATABASE_URL" in result.output


def test_a_stale_pid_file_from_a_killed_server_does_not_block_db_up(own_cluster):
    assert _gridmap(own_cluster, "db", "up").exit_code == 0
    assert _gridmap(own_cluster, "db", "down").exit_code == 0
    settings = Settings(
        home=own_cluster["GRIDMAP_HOME"], pg_port=int(own_cluster["GRIDMAP_PG_PORT"])
    )
    pidfile = cluster.cluster_paths(settings).data / "postmaster.pid"
    # what a killed server leaves behind, its pid now taken by an unrelated process (this one)
    pidfile.write_text(f"{os.getpid()}\n/data\n0\n{settings.pg_port}\n/run\n127.0.0.1\n")
    result = _gridmap(own_cluster, "db", "up")
    assert result.exit_code == 0, result.output
    assert "started" in result.output
