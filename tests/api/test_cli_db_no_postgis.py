"""A PostgreSQL server without PostGIS is refused in one sentence saying what to install.

The server is real: PostgreSQL's own programs copied beside a share folder that lacks
PostGIS and pgRouting (PostgreSQL finds its share folder relative to its binaries).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from geo import cluster
from geo.settings import Settings
from tests.conftest import free_port

pytestmark = pytest.mark.slow
REAL_BIN = Path("/usr/lib/postgresql/15/bin")
REAL_SHARE = Path("/usr/share/postgresql/15")
REAL_LIB = Path("/usr/lib/postgresql/15/lib")


def _without_spatial(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(("postgis", "pgrouting", "address_standardizer"))]


@pytest.fixture(scope="module")
def bindir_without_postgis() -> Iterator[Path]:
    if not REAL_BIN.is_dir():
        pytest.skip("needs Debian's PostgreSQL 15 layout")
    # under /var/tmp: the postgres user must reach it when the tests run as root
    root = Path(tempfile.mkdtemp(prefix="gridmap-nopostgis-", dir="/var/tmp"))
    try:
        bindir = root / "lib/postgresql/15/bin"
        bindir.mkdir(parents=True)
        for program in ("postgres", "initdb", "pg_ctl"):
            shutil.copy2(REAL_BIN / program, bindir / program)
        (root / "lib/postgresql/15/lib").symlink_to(REAL_LIB)
        shutil.copytree(REAL_SHARE, root / "share/postgresql/15", ignore=_without_spatial)
        subprocess.run(["chmod", "-R", "a+rX", str(root)], check=True)
        yield bindir
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_server_without_postgis_is_refused_naming_the_package(tmp_path, bindir_without_postgis):
    port = free_port()
    env = {
        "GRIDMAP_HOME": str(tmp_path / "state"),
        "GRIDMAP_PG_PORT": str(port),
        "GRIDMAP_PG_BINDIR": str(bindir_without_postgis),
        "GRIDMAP_DATABASE_URL": "",
    }
    try:
        result = CliRunner().invoke(app, ["db", "up"], env=env)
    finally:
        cluster.destroy(
            Settings(home=tmp_path / "state", pg_port=port, pg_bindir=bindir_without_postgis)
        )
    assert result.exit_code == 1, result.output
    assert "has no postgis extension" in result.output
    assert "postgresql-15-postgis-3" in result.output
    assert "Traceback" not in result.output
