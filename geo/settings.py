"""gridmap's settings: one pydantic-settings class, read from GRIDMAP_* variables and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PG_PORT = 54329


class Settings(BaseSettings):
    """Everything gridmap can be told; built once by the CLI or `create_app()` and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="GRIDMAP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: SecretStr | None = Field(
        default=None,
        description="PostGIS to use instead of the embedded cluster, "
        "e.g. postgresql://user:pass@host:5432/gridmap",
    )
    home: Path = Field(
        default=Path(".gridmap"),
        description="Folder for gridmap's own state: the embedded cluster, logs, uploads.",
    )
    pg_port: int = Field(
        default=DEFAULT_PG_PORT, ge=1024, le=65535, description="Port of the embedded cluster."
    )
    pg_bindir: Path | None = Field(
        default=None,
        description="Folder with initdb/pg_ctl; found under /usr/lib/postgresql when unset.",
    )
    db_name: str = Field(
        default="gridmap",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="Database name inside the embedded cluster.",
    )
    host: str = Field(default="127.0.0.1", description="Address `gridmap serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `gridmap serve` uses.")
    default_lang: str = Field(default="zh-CN", description="Page language when none is asked.")
    max_upload_mb: int = Field(
        default=200, ge=1, le=4096, description="Largest layer file accepted by the upload API."
    )
    visit_verify_metres: float = Field(
        default=100.0,
        gt=0,
        description="A visit recorded within this distance of the enterprise (or inside its "
        "compound) is verified; farther, it is flagged.",
    )
    max_photo_mb: int = Field(
        default=5, ge=1, le=100, description="Largest visit photo accepted, in MB."
    )
    tile_cache_mb: int = Field(
        default=256, ge=0, description="Memory for cached vector tiles, in MB (0: no cache)."
    )
    tianditu_key: SecretStr | None = Field(
        default=None, description="Key for the Tianditu (天地图) base map; none hides it."
    )
    timezone: str = Field(
        default="Asia/Shanghai", description="Time zone of the dates shown on pages and reports."
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs session cookies; when unset, a random key is made once and "
        "kept in HOME/secret_key (readable by its owner only).",
    )
    session_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="A browser session ends this long after login."
    )
    session_idle_minutes: int = Field(
        default=120, ge=5, description="A browser session ends after this long without a request."
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Send cookies over HTTPS only; unset: when the request came over HTTPS.",
    )
    # Staffing norms (S5.2.2). The standard asks that staff numbers match the enterprises and
    # employees served but gives no figures: these defaults are gridmap's, to be set locally.
    staffing_enterprises_per_full_time: int = Field(
        default=50,
        ge=1,
        description="专职网格员配比: one full-time grid member per this many enterprises "
        "(gridmap default; the standard gives no number).",
    )
    staffing_employees_per_staff: int = Field(
        default=2000,
        ge=1,
        description="Most employees (day) per grid staff member before a grid is flagged "
        "(gridmap default).",
    )
    staffing_min_part_time: int = Field(
        default=0, ge=0, description="Fewest part-time grid members (兼职网格员) per grid."
    )

    snap_metres: float = Field(
        default=1.0,
        ge=0,
        le=50,
        description="Grid editor: vertices within this distance (m) snap to neighbours' vertices "
        "and edges.",
    )

    coverage_autoclose: bool = Field(
        default=True,
        description="Close each ended month's coverage in the background shortly after it ends "
        "(and at start-up), so no reader waits for it.",
    )

    @field_validator("default_lang")
    @classmethod
    def _known_lang(cls, value: str) -> str:
        if value not in ("zh-CN", "en"):
            raise ValueError("GRIDMAP_DEFAULT_LANG must be zh-CN or en")
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        url = value.get_secret_value()
        if not url.startswith(("postgresql://", "postgresql+psycopg2://", "postgres://")):
            raise ValueError("GRIDMAP_DATABASE_URL must be a postgresql:// URL")
        return value

    @property
    def uses_embedded(self) -> bool:
        """True when gridmap runs its own PostgreSQL cluster."""
        return self.database_url is None

    @property
    def home_dir(self) -> Path:
        """The state folder as an absolute path."""
        return self.home.expanduser().resolve()
