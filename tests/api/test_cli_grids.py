"""`gridmap check`, `gridmap codes` and `gridmap assign` from the command line."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def _env(test_settings) -> dict[str, str]:
    return {"GRIDMAP_DATABASE_URL": test_settings.database_url.get_secret_value()}


def test_check_passes_on_a_consistent_database(test_settings):
    result = runner.invoke(app, ["check"], env=_env(test_settings))
    assert result.exit_code == 0, result.output
    assert "hierarchy OK" in result.output


def test_unknown_community_is_named(test_settings):
    for args in (["check", "--community", "999"], ["codes", "--community", "999"]):
        result = runner.invoke(app, args, env=_env(test_settings))
        assert result.exit_code == 1
        assert "community 999 does not exist" in result.output


def test_assign_reports_what_it_did(test_settings):
    result = runner.invoke(app, ["assign"], env=_env(test_settings))
    assert result.exit_code == 0, result.output
    assert "assigned" in result.output


def test_orphans_are_listed(test_settings):
    result = runner.invoke(app, ["orphans"], env=_env(test_settings))
    assert result.exit_code == 0, result.output
    assert "orphan enterprise(s)" in result.output
