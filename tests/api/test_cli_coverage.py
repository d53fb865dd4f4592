"""`gridmap coverage show` and `gridmap coverage close` from the command line."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
MONTH = "2019-03"  # committed to the session's database: a month no other test uses


def _env(test_settings) -> dict[str, str]:
    return {"GRIDMAP_DATABASE_URL": test_settings.database_url.get_secret_value()}


def test_close_then_show_then_close_again(test_settings):
    env = _env(test_settings)
    closed = runner.invoke(app, ["coverage", "close", "--month", MONTH], env=env)
    assert closed.exit_code == 0, closed.output
    shown = runner.invoke(app, ["coverage", "show", "--month", MONTH, "--level", "grid"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "closed" in shown.output
    again = runner.invoke(app, ["coverage", "close", "--month", MONTH], env=env)
    assert again.exit_code == 1 and "closed already" in again.output
    assert len(again.output.strip().splitlines()) == 1


def test_bad_months_and_levels_are_one_line_errors(test_settings):
    env = _env(test_settings)
    for args in (["close", "--month", "2019/03"], ["close", "--month", "2099-01"],
                 ["show", "--month", "2019-03", "--level", "street"]):  # fmt: skip
        result = runner.invoke(app, ["coverage", *args], env=env)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("gridmap: ")
