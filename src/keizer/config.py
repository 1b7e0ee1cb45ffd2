"""Settings, read from the environment (prefix ``KEIZER_``) or a ``.env`` file.

Settings are read when asked for (:func:`load_settings`), never at import time.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from keizer.errors import ConfigError

DEFAULT_DATABASE_URL = "duckdb:///keizer.duckdb"
# Good enough to try keizer on a laptop; refused in production mode.
INSECURE_DEFAULT_SECRET = "keizer-insecure-development-secret-change-me"
MIN_SECRET_LENGTH = 32
SMALLEST_ALLOWED_GROUP = 3


class Settings(BaseSettings):
    """All of keizer's settings. Each field is documented in docs/settings.md."""

    model_config = SettingsConfigDict(
        env_prefix="KEIZER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mode: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = Field(default=INSECURE_DEFAULT_SECRET, repr=False)
    min_group_size: int = Field(default=5, ge=SMALLEST_ALLOWED_GROUP)
    min_comment_group_size: int = Field(default=10, ge=SMALLEST_ALLOWED_GROUP)

    @field_validator("database_url")
    @classmethod
    def _url_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @model_validator(mode="after")
    def _safe_in_production(self) -> Settings:
        if self.mode == "production":
            if self.secret_key == INSECURE_DEFAULT_SECRET:
                raise ValueError(
                    "KEIZER_SECRET_KEY is the built-in development secret; "
                    "set a random secret of at least 32 characters in production"
                )
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"KEIZER_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters "
                    "in production"
                )
        if self.min_comment_group_size < self.min_group_size:
            raise ValueError("KEIZER_MIN_COMMENT_GROUP_SIZE must be >= KEIZER_MIN_GROUP_SIZE")
        return self

    @property
    def uses_insecure_secret(self) -> bool:
        """True while the built-in development secret is in use."""
        return self.secret_key == INSECURE_DEFAULT_SECRET


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's errors into one readable :class:`ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"KEIZER_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
