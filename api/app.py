"""The application factory: one FastAPI app serving pages, tiles and APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api import ogc
from api.auth import authorize, install_auth
from api.errors import install_handlers
from api.headers import SecurityHeaders
from api.routes import (
    account,
    coverage,
    edits,
    emergency,
    enterprises,
    fieldwork,
    grids,
    health,
    hierarchy,
    layers,
    openapi,
    photos,
    reports,
    tiles,
    users,
)
from geo import audit  # noqa: F401  (binds the actor of every transaction)
from geo.coverage.autoclose import Closer
from geo.db import database_url, make_engine, make_sessionmaker
from geo.errors import GridmapError
from geo.settings import Settings
from web import account as account_pages
from web import admin as admin_pages
from web import docs
from web import layer_files as layer_pages
from web import routes as pages
from web.assets import mount_assets
from web.error_page import error_page


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for `settings` (read from the environment when not given)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        closer = None
        if settings.coverage_autoclose and app.state.sessionmaker is not None:
            closer = Closer(app.state.sessionmaker)  # every worker: an advisory lock picks one
            closer.start()
        app.state.closer = closer
        yield
        if closer is not None:
            closer.stop()
        tiles.close_connections(app)
        app.state.auth.close()
        if app.state.engine is not None:
            app.state.engine.dispose()

    app = FastAPI(
        title="gridmap",
        summary="企业社区网格化管理 — grid management for enterprise communities",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(authorize)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.closer = None  # the month closer, while the lifespan runs
    app.state.error_page = error_page
    _attach_database(app, settings)
    install_handlers(app)
    mount_assets(app)
    app.include_router(tiles.router)  # first: a cached tile should cost the least routing
    app.include_router(health.router)
    app.include_router(account.router)
    app.include_router(users.router)
    app.include_router(fieldwork.router)
    app.include_router(emergency.router)
    app.include_router(photos.router)
    app.include_router(coverage.router)
    app.include_router(reports.router)
    app.include_router(openapi.router)
    app.include_router(docs.router)
    app.include_router(layers.router)
    app.include_router(grids.router)
    app.include_router(edits.router)
    app.include_router(enterprises.router)
    app.include_router(hierarchy.router)
    app.include_router(ogc.router)
    app.include_router(account_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(layer_pages.router)
    app.include_router(pages.router)
    install_auth(app, settings, app.state.dsn)
    app.add_middleware(SecurityHeaders)
    return app


def _attach_database(app: FastAPI, settings: Settings) -> None:
    """Engine and sessions; when the database is not set up, the app still starts and says so."""
    app.state.engine = None
    app.state.sessionmaker = None
    app.state.database_problem = None
    app.state.dsn = None
    try:
        url = database_url(settings)
        engine = make_engine(url, pool_size=10, max_overflow=10)
    except GridmapError as exc:
        app.state.database_problem = exc.message
        return
    app.state.dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
