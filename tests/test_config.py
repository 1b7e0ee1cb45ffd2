"""Settings: environment variables, production safety, readable errors."""

from __future__ import annotations

import pytest

from keizer.config import INSECURE_DEFAULT_SECRET, load_settings
from keizer.errors import ConfigError


def test_defaults_are_the_embedded_store_and_development_mode() -> None:
    settings = load_settings()
    assert settings.database_url == "duckdb:///keizer.duckdb"
    assert settings.mode == "development"
    assert settings.uses_insecure_secret
    assert settings.min_group_size == 5
    assert settings.min_comment_group_size == 10


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEIZER_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("KEIZER_MIN_GROUP_SIZE", "7")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.min_group_size == 7


def test_dotenv_file_is_read() -> None:
    # conftest runs every test in its own temporary working directory
    with open(".env", "w", encoding="utf-8") as handle:
        handle.write("KEIZER_MIN_GROUP_SIZE=6\n")
    assert load_settings().min_group_size == 6


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"mode": "production"}, "development secret"),
        ({"mode": "production", "secret_key": "short"}, "at least 32 characters"),
        ({"min_group_size": 2}, "KEIZER_MIN_GROUP_SIZE"),
        ({"min_group_size": 8, "min_comment_group_size": 6}, "MIN_COMMENT_GROUP_SIZE"),
        ({"database_url": "  "}, "KEIZER_DATABASE_URL"),
    ],
)
def test_unsafe_or_invalid_settings_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(**overrides)


def test_production_accepts_a_long_random_secret() -> None:
    settings = load_settings(mode="production", secret_key="x" * 40)
    assert not settings.uses_insecure_secret
    assert INSECURE_DEFAULT_SECRET not in repr(settings)
