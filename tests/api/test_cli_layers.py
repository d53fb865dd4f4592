"""`gridmap import` from the command line: summary, exit codes, nothing written on failure."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from api.cli import app
from tests.geo.layer_fixtures import enterprise_frame

runner = CliRunner()


@pytest.fixture
def env(test_settings, engine):
    """The CLI on the test database; enterprises it commits are removed afterwards."""
    yield {"GRIDMAP_DATABASE_URL": test_settings.database_url.get_secret_value()}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM enterprise"))


def _count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM enterprise")).scalar_one())


def test_import_prints_summary_and_commits(env, engine, tmp_path):
    path = tmp_path / "企业.csv"
    enterprise_frame().to_csv(path, index=False)
    result = runner.invoke(app, ["import", "enterprise", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "3 row(s) written" in result.output
    assert _count(engine) == 3
    again = runner.invoke(app, ["import", "enterprise", str(path)], env=env)
    assert again.exit_code == 0 and _count(engine) == 3


def test_dry_run_reports_but_writes_nothing(env, engine, tmp_path):
    path = tmp_path / "企业.csv"
    enterprise_frame().to_csv(path, index=False)
    result = runner.invoke(app, ["import", "enterprise", str(path), "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert "3 row(s) would be written (dry run)" in result.output
    assert _count(engine) == 0


def test_bad_rows_exit_nonzero_write_nothing_and_leave_a_rejects_file(env, engine, tmp_path):
    frame = enterprise_frame().astype(object)
    frame.loc[2, "统一社会信用代码"] = "BAD"
    path = tmp_path / "企业.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(app, ["import", "enterprise", str(path)], env=env)
    assert result.exit_code == 1
    assert "1 row(s) refused, nothing written" in result.output
    assert "第 4 行" in result.output
    assert _count(engine) == 0
    assert (tmp_path / "企业.csv.rejected.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "nowhere", "x.csv"], "unknown layer 'nowhere'"),
        (["import", "enterprise", "missing.csv"], "does not exist"),
        (["import", "enterprise", "x.csv", "--map", "oops"], "must look like 表头=field"),
        (["import", "enterprise", "x.csv", "--crs", "mars"], "unknown coordinate system"),
    ],
)
def test_wrong_invocations_give_one_line_reasons(env, tmp_path, args, message):
    (tmp_path / "x.csv").write_text("企业名称,统一社会信用代码,经度,纬度\n")
    result = runner.invoke(
        app, [a if not a.endswith(".csv") else str(tmp_path / a) for a in args], env=env
    )
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_export_writes_the_file_and_counts(env, engine, tmp_path):
    source = tmp_path / "企业.csv"
    enterprise_frame().to_csv(source, index=False)
    assert runner.invoke(app, ["import", "enterprise", str(source)], env=env).exit_code == 0
    target = tmp_path / "out.gpkg"
    result = runner.invoke(
        app, ["export", "enterprise", str(target), "--where", "industry=C"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "2 feature(s) written" in result.output and target.is_file()
    bad = runner.invoke(app, ["export", "enterprise", str(tmp_path / "x.doc")], env=env)
    assert bad.exit_code == 1 and "unknown file type '.doc'" in bad.output
