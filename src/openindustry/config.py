"""One Settings object, read from the environment (prefix OPENINDUSTRY_)."""

from __future__ import annotations

from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./data/openindustry.db"
# Used only outside production, so a fresh clone runs without configuration.
DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENINDUSTRY_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_SQLITE_URL
    database_echo: bool = False
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    timezone: str = "Europe/Moscow"
    default_locale: str = "ru"
    public_base_url: str = "http://127.0.0.1:8000"

    vk_app_secret: SecretStr | None = None
    telegram_bot_token: SecretStr | None = None
    max_bot_token: SecretStr | None = None
    smtp_url: SecretStr | None = None

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            key = self.secret_key.get_secret_value()
            if key == DEV_SECRET_KEY or len(key) < 32:
                raise ValueError(
                    "OPENINDUSTRY_SECRET_KEY must be set to a random value of 32+ characters "
                    "in production"
                )
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
