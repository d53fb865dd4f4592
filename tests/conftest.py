"""Test harness: a fresh PostGIS database per session, a rolled-back transaction per test,
a live server and headless Chromium for page tests.

Under CI=true a missing database or browser fails the run instead of skipping.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import URL, Engine
from sqlalchemy.orm import Session

from geo import schema
from geo.db import database_url, drop_database, ensure_database, make_engine
from geo.errors import GridmapError
from geo.settings import Settings
from tests.logins import Login, add_login, quick_login

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def unavailable(reason: str) -> None:
    """Skip locally; fail under CI, where every database and browser test must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: database and browser tests may not be skipped)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return Settings()


def fresh_database(settings: Settings, prefix: str) -> Iterator[URL]:
    """A new database with a unique name, migrated to head, dropped afterwards."""
    try:
        url = database_url(settings, database=f"{prefix}_{uuid.uuid4().hex[:10]}")
        ensure_database(url)
    except GridmapError as exc:
        unavailable(f"no PostGIS to test against: {exc.message}; run `gridmap db up`")
    try:
        schema.upgrade(url)
        yield url
    finally:
        drop_database(url)


def settings_for(settings: Settings, url: URL) -> Settings:
    """`settings` pointing at the database of `url`."""
    rendered = url.render_as_string(hide_password=False)
    return settings.model_copy(update={"database_url": SecretStr(rendered)})


@pytest.fixture(scope="session")
def test_db_url(base_settings: Settings) -> Iterator[URL]:
    """The session's empty test database; each test works in a rolled-back transaction."""
    yield from fresh_database(base_settings, "gridmap_test")


@pytest.fixture(scope="session")
def test_settings(base_settings: Settings, test_db_url: URL) -> Settings:
    """Settings pointing at the session's test database."""
    return settings_for(base_settings, test_db_url)


@pytest.fixture(scope="session")
def engine(test_db_url: URL) -> Iterator[Engine]:
    eng = make_engine(test_db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def app(test_settings: Settings, db: Session):  # type: ignore[no-untyped-def]
    """The app on the test database, its requests sharing the test's rolled-back session."""
    from api.app import create_app
    from api.deps import get_session

    application = create_app(test_settings)
    application.dependency_overrides[get_session] = lambda: db
    yield application
    application.state.engine.dispose()


@pytest.fixture
def admin(db: Session) -> Login:
    """An administrator of the test database (token only), inside the test's transaction."""
    return quick_login(db, "admin")


@pytest.fixture
def client(app, admin: Login):  # type: ignore[no-untyped-def]
    """A client signed in as an administrator (Bearer token)."""
    from fastapi.testclient import TestClient

    with TestClient(app, headers=admin.headers) as test_client:
        yield test_client


@pytest.fixture
def anon(app):  # type: ignore[no-untyped-def]
    """A client that is not signed in."""
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


def serve(settings: Settings) -> Iterator[str]:
    """Serve the real app with uvicorn on a free local port; yields its base URL."""
    from api.app import create_app

    yield from serve_app(create_app(settings))


def serve_app(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on a free local port; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def committed_logins(engine: Engine, roles: tuple[str, ...]) -> dict[str, Login]:
    """One committed account per role (with password and token)."""
    with Session(engine) as session:
        logins = {role: add_login(session, role) for role in roles}
        session.commit()
    return logins


@pytest.fixture(scope="session")
def live_admin(engine: Engine) -> Login:
    """A committed administrator of the test database, for the live server."""
    return committed_logins(engine, ("admin",))["admin"]


@pytest.fixture(scope="session")
def live_server(test_settings: Settings, live_admin: Login) -> Iterator[str]:
    """The app on the (empty) test database; `live_admin` may sign in."""
    yield from serve(test_settings)


@pytest.fixture(scope="session")
def demo_settings(base_settings: Settings) -> Iterator[Settings]:
    """A second test database holding the demo park, committed (for page tests)."""
    from geo.db import make_sessionmaker
    from geo.demo import load_demo

    for url in fresh_database(base_settings, "gridmap_demo"):
        eng = make_engine(url)
        with make_sessionmaker(eng)() as session:
            reports = load_demo(session, Path(__file__).resolve().parents[1] / "data" / "layers")
            assert all(r.written for r in reports), [r.problems[:3] for r in reports]
            session.commit()
        eng.dispose()
        yield settings_for(base_settings, url)


@pytest.fixture(scope="session")
def demo_logins(demo_settings: Settings) -> Iterator[dict[str, Login]]:
    """One committed account per role in the demo database (grid roles: its first grid)."""
    from geo.vocab import USER_ROLES

    eng = make_engine(database_url(demo_settings))
    yield committed_logins(eng, tuple(USER_ROLES))
    eng.dispose()


@pytest.fixture(scope="session")
def demo_server(demo_settings: Settings, demo_logins: dict[str, Login]) -> Iterator[str]:
    """The app serving the demo park; `demo_logins` may sign in."""
    yield from serve(demo_settings)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing; run scripts/bootstrap")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
