"""The embedded PostgreSQL cluster: where it lives, initdb, start, stop and status.

PostgreSQL refuses to run as root, so under root every server command runs as the
`postgres` user, and the data and socket folders must be reachable by that user. A
checkout under a folder `postgres` cannot enter (a clone under /root, a pytest tmp dir)
gets its cluster under /var/tmp instead, at a path derived from the checkout's path.
"""

from __future__ import annotations

import errno
import grp
import hashlib
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.errors import ClusterError
from geo.settings import Settings

SERVER_USER = "postgres"
FALLBACK_ROOT = Path("/var/tmp")  # noqa: S108 - world-traversable, survives reboots
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class ClusterPaths:
    """The folders and files of one embedded cluster."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def sockets(self) -> Path:
        return self.root / "run"

    @property
    def log(self) -> Path:
        return self.root / "log" / "postgresql.log"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    @property
    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").is_file()


@dataclass(frozen=True)
class ClusterStatus:
    """What `gridmap db status` reports about the embedded cluster."""

    paths: ClusterPaths
    initialized: bool
    running: bool
    pid: int | None
    port: int | None


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _can_traverse(path: Path, user: pwd.struct_passwd) -> bool:
    """True if `user` can enter every existing folder from / down to `path`."""
    groups = {user.pw_gid} | {g.gr_gid for g in grp.getgrall() if user.pw_name in g.gr_mem}
    for folder in [*reversed(path.parents), path]:
        if not folder.exists():
            break
        st = folder.stat()
        if st.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def cluster_paths(settings: Settings) -> ClusterPaths:
    """Where the embedded cluster of these settings lives (falls back under /var/tmp for root)."""
    preferred = settings.home_dir / "pg"
    if not _running_as_root():
        return ClusterPaths(preferred)
    try:
        server_user = pwd.getpwnam(SERVER_USER)
    except KeyError as exc:
        raise ClusterError(
            "there is no 'postgres' user: install PostgreSQL 15 (run scripts/bootstrap)"
        ) from exc
    if _can_traverse(preferred, server_user):
        return ClusterPaths(preferred)
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    return ClusterPaths(FALLBACK_ROOT / f"gridmap-pg-{digest}")


def find_bindir(settings: Settings) -> Path:
    """The folder holding initdb and pg_ctl, PostgreSQL 15 preferred."""
    candidates: list[Path] = []
    if settings.pg_bindir is not None:
        candidates.append(settings.pg_bindir)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise ClusterError(
        "PostgreSQL server programs (initdb, pg_ctl) were not found: run scripts/bootstrap "
        "or set GRIDMAP_PG_BINDIR to their folder"
    )


def _as_server_user(args: Sequence[str]) -> list[str]:
    if _running_as_root():
        return ["runuser", "-u", SERVER_USER, "--", *args]
    return list(args)


def _run(args: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        _as_server_user(args), capture_output=True, text=True, check=False, timeout=300
    )
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        last = reason[-1] if reason else f"exit code {result.returncode}"
        raise ClusterError(f"{what} failed: {last}")
    return result


def _make_dirs(paths: ClusterPaths) -> None:
    """Create the cluster folders, owned by the server user when running as root."""
    for folder in (paths.root, paths.data, paths.sockets, paths.log.parent):
        folder.mkdir(parents=True, exist_ok=True)
    paths.data.chmod(0o700)
    if _running_as_root():
        server = pwd.getpwnam(SERVER_USER)
        for folder in (paths.data, paths.sockets, paths.log.parent):
            os.chown(folder, server.pw_uid, server.pw_gid)
        paths.root.chmod(0o755)


def initdb(settings: Settings, paths: ClusterPaths) -> None:
    """Create a new cluster with a generated superuser password (stored 0600 beside it)."""
    bindir = find_bindir(settings)
    _make_dirs(paths)
    password = secrets.token_urlsafe(24)
    pwfile = paths.sockets / ".initdb-pw"
    pwfile.write_text(password + "\n")
    pwfile.chmod(0o600)
    if _running_as_root():
        server = pwd.getpwnam(SERVER_USER)
        os.chown(pwfile, server.pw_uid, server.pw_gid)
    try:
        _run(
            [
                str(bindir / "initdb"), "-D", str(paths.data), "-U", SERVER_USER,
                "--auth-local=peer", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions",
            ],
            "initdb",
        )  # fmt: skip
    finally:
        pwfile.unlink(missing_ok=True)
    paths.password_file.write_text(password)
    paths.password_file.chmod(0o600)
    _append_config(paths)


def _append_config(paths: ClusterPaths) -> None:
    """Tune the cluster for a spatial workload on a small machine, loopback only."""
    conf = paths.data / "postgresql.conf"
    with conf.open("a", encoding="utf-8") as fh:
        fh.write(
            "\n# gridmap embedded cluster\n"
            "listen_addresses = '127.0.0.1'\n"
            "shared_buffers = 512MB\n"
            "work_mem = 64MB\n"
            "maintenance_work_mem = 512MB\n"
            "effective_cache_size = 4GB\n"
            "max_connections = 100\n"
            "jit = off\n"
            "log_min_messages = warning\n"
        )


def _postmaster(paths: ClusterPaths) -> tuple[int, int] | None:
    """(pid, port) of the running postmaster, or None; a pid file of a dead server is stale."""
    pidfile = paths.data / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (FileNotFoundError, IndexError, ValueError, PermissionError):
        return None
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None
    return (pid, port) if comm.startswith("postgres") else None


def status(settings: Settings) -> ClusterStatus:
    """Whether the embedded cluster exists and runs, with its pid and port."""
    paths = cluster_paths(settings)
    running = _postmaster(paths)
    return ClusterStatus(
        paths=paths,
        initialized=paths.initialized,
        running=running is not None,
        pid=running[0] if running else None,
        port=running[1] if running else None,
    )


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def start(settings: Settings) -> ClusterPaths:
    """Create (first time) and start the cluster; a no-op when it already runs."""
    paths = cluster_paths(settings)
    if not paths.initialized:
        initdb(settings, paths)
    current = _postmaster(paths)
    if current is not None:
        if current[1] != settings.pg_port:
            raise ClusterError(
                f"the embedded cluster already runs on port {current[1]}, not "
                f"{settings.pg_port}: run `gridmap db down` first, then `gridmap db up`"
            )
        return paths
    stale = paths.data / "postmaster.pid"
    if stale.exists():
        # the server died without cleaning up; its pid is gone or reused by another program
        stale.unlink()
    if _port_in_use(settings.pg_port):
        raise ClusterError(
            f"port {settings.pg_port} is already in use by another program: set "
            f"GRIDMAP_PG_PORT to a free port (e.g. {settings.pg_port + 1}) and run it again"
        )
    bindir = find_bindir(settings)
    options = f"-p {settings.pg_port} -k {paths.sockets} -c listen_addresses=127.0.0.1"
    try:
        _run(
            [str(bindir / "pg_ctl"), "-D", str(paths.data), "-l", str(paths.log), "-w",
             "-t", str(START_TIMEOUT_S), "-o", options, "start"],
            "starting PostgreSQL",
        )  # fmt: skip
    except ClusterError as exc:
        raise ClusterError(f"{exc.message} (see {paths.log})") from exc
    return paths


def stop(settings: Settings) -> bool:
    """Stop the cluster (fast shutdown); False when it was not running."""
    paths = cluster_paths(settings)
    if _postmaster(paths) is None:
        return False
    bindir = find_bindir(settings)
    _run(
        [str(bindir / "pg_ctl"), "-D", str(paths.data), "-m", "fast", "-w", "stop"],
        "stopping PostgreSQL",
    )
    deadline = time.monotonic() + 30
    while _postmaster(paths) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    return True


def password(paths: ClusterPaths) -> str:
    """The superuser password of an initialised cluster."""
    try:
        return paths.password_file.read_text().strip()
    except FileNotFoundError as exc:
        raise ClusterError(
            f"the embedded cluster at {paths.root} is not set up: run `gridmap db up`"
        ) from exc


def destroy(settings: Settings) -> None:
    """Stop the cluster and delete its folders (tests and `db down --destroy`)."""
    stop(settings)
    shutil.rmtree(cluster_paths(settings).root, ignore_errors=True)
