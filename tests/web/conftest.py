"""Page-test helpers: a page that records console errors and failed requests."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.logins import session_cookie


@dataclass
class PageWatch:
    """What went wrong while a page was open."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.failed_requests == [], f"failed requests: {self.failed_requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture
def watched_page(browser):  # type: ignore[no-untyped-def]
    """A fresh browser page and the watch recording its errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    yield page, watch_page(page)
    context.close()


def watch_page(page):  # type: ignore[no-untyped-def]
    """Record the console errors and failed requests of `page`."""
    watch = PageWatch()
    page.on(
        "console",
        lambda msg: watch.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: watch.console_errors.append(str(exc)))
    page.on("requestfailed", lambda req: watch.failed_requests.append(f"{req.url} {req.failure}"))
    page.on(
        "response",
        lambda resp: (
            watch.failed_requests.append(f"{resp.url} HTTP {resp.status}")
            if resp.status >= 400
            else None
        ),
    )
    return watch


@pytest.fixture
def live_page(live_server, live_admin, watched_page):  # type: ignore[no-untyped-def]
    """A watched page signed in as an administrator of the live (test database) server."""
    page, watch = watched_page
    page.context.add_cookies([session_cookie(live_server, live_admin)])
    return page, watch


@pytest.fixture
def demo_page(demo_server, demo_logins, watched_page):  # type: ignore[no-untyped-def]
    """A watched page signed in as the demo park's administrator."""
    page, watch = watched_page
    page.context.add_cookies([session_cookie(demo_server, demo_logins["admin"])])
    return page, watch


@pytest.fixture(scope="session")
def broken_world(base_settings):  # type: ignore[no-untyped-def]
    """A committed copy of the hand-made park of tests/geo/catalog_fixtures.py with an overlap,
    a gap and a micro-grid sticking out of its grid, and an orphan enterprise named like an
    HTML attack (tests/web/broken_world.py); yields its settings and an administrator."""
    from geo.db import make_engine
    from tests.conftest import committed_logins, fresh_database, settings_for
    from tests.web.broken_world import build_broken_world

    for url in fresh_database(base_settings, "gridmap_broken"):
        build_broken_world(url)
        engine = make_engine(url)
        admin = committed_logins(engine, ("admin",))["admin"]
        engine.dispose()
        yield settings_for(base_settings, url), admin


@pytest.fixture(scope="session")
def broken_world_server(broken_world):  # type: ignore[no-untyped-def]
    """The app serving the broken park."""
    from tests.conftest import serve

    yield from serve(broken_world[0])


@pytest.fixture
def broken_page(broken_world, broken_world_server, watched_page):  # type: ignore[no-untyped-def]
    """A watched page signed in as the broken park's administrator."""
    page, watch = watched_page
    page.context.add_cookies([session_cookie(broken_world_server, broken_world[1])])
    return page, watch


@pytest.fixture(scope="session")
def edit_world(base_settings):  # type: ignore[no-untyped-def]
    """A committed copy of the hand-made park of tests/geo/catalog_fixtures.py for the editor,
    served; yields (base URL, planner login)."""
    from sqlalchemy.orm import Session

    from geo.db import make_engine
    from tests.conftest import committed_logins, fresh_database, serve, settings_for
    from tests.geo.catalog_fixtures import build_world

    for url in fresh_database(base_settings, "gridmap_edit"):
        engine = make_engine(url)
        with Session(engine) as session:
            build_world(session)
            session.commit()
        planner = committed_logins(engine, ("planner",))["planner"]
        engine.dispose()
        for base in serve(settings_for(base_settings, url)):
            yield base, planner


@pytest.fixture(scope="session")
def coverage_world(base_settings):  # type: ignore[no-untyped-def]
    """The hand-made park of tests/geo/catalog_fixtures.py served with the stand-in coverage
    API of tests/web/coverage_standin.py in front; yields (base URL, logins by role, stand-in).
    The grid member and the grid leader work grid G1."""
    from sqlalchemy.orm import Session

    from api.app import create_app
    from geo.db import make_engine
    from tests.conftest import fresh_database, serve_app, settings_for
    from tests.geo.catalog_fixtures import G1, build_world
    from tests.logins import add_login
    from tests.web.coverage_standin import Standin, mount

    for url in fresh_database(base_settings, "gridmap_cov"):
        engine = make_engine(url)
        with Session(engine) as session:
            build_world(session)
            logins = {role: add_login(session, role, grids=[G1])
                      for role in ("grid_leader", "grid_member")}  # fmt: skip
            session.commit()
        engine.dispose()
        app = create_app(settings_for(base_settings, url))
        standin = Standin()
        mount(app, standin)
        for base in serve_app(app):
            yield base, logins, standin
