"""One Settings object, read from the environment (prefix OPENINDUSTRY_)."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

from limits import parse as parse_rate_limit
from pydantic import SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./data/openindustry.db"
# Used only outside production, so a fresh clone runs without configuration.
DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105
# A CSP source an operator may list in `frame_ancestors`: an https origin, optionally *.-wildcarded
# (or a local http one, for trying the pages in a frame during development).
_FRAME_SOURCE = re.compile(
    r"^(?:'none'|'self'|https://(?:\*\.)?[a-z0-9.-]+(?::[0-9]{1,5})?"
    r"|http://(?:localhost|127\.0\.0\.1)(?::[0-9]{1,5})?)$"
)


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
    # When set, GET /metrics wants `Authorization: Bearer <this>`; otherwise it is open (it holds
    # counts and timings, no personal data) and the load balancer keeps it internal.
    metrics_token: SecretStr | None = None

    # Sign-in: how old launch data may be, how long tokens and page sessions live.
    auth_max_age_seconds: int = 24 * 3600
    token_ttl_days: int = 30
    session_ttl_days: int = 30
    # Cookies inside the messengers' iframes need SameSite=None; Secure (HTTPS only).
    secure_cookies: bool = False
    # Fernet key for ID document data; derived from the secret key when not set.
    data_key: SecretStr | None = None
    id_data_retention_days: int = 30
    rate_limit_enabled: bool = True
    # Rate limits in the `limits` notation ("10/minute", "5/hour", "20/10 minutes"). One person
    # registers a few times a minute at most; one address may be a school's or a mobile
    # operator's NAT, hence the higher per-address figures. docs/security.md explains each.
    rate_limit_registration_per_participant: str = "10/minute"
    rate_limit_registration_per_ip: str = "300/minute"
    rate_limit_sign_in_per_identity: str = "20/minute"
    rate_limit_sign_in_per_ip: str = "120/minute"
    rate_limit_email_start_per_address: str = "5/hour"
    rate_limit_email_verify_per_address: str = "10/10 minutes"
    rate_limit_attempt_per_participant: str = "20/minute"
    rate_limit_attempt_per_ip: str = "300/minute"
    rate_limit_claim_per_participant: str = "10/minute"
    rate_limit_claim_per_ip: str = "120/minute"
    # Who may show the pages in a frame: the messengers' web clients, space-separated as in the
    # CSP `frame-ancestors` directive (docs/security.md says why these).
    frame_ancestors: str = (
        "https://vk.com https://*.vk.com https://vk.ru https://*.vk.ru "
        "https://web.telegram.org https://web.max.ru"
    )

    # Registration policy.
    # Ed25519 seed for ticket codes (base64url, 32 bytes); derived from the secret key if unset.
    ticket_signing_key: SecretStr | None = None
    offer_hours: int = 12
    cancel_deadline_hours: int = 24  # later cancellations are recorded as late
    no_show_threshold: int = 2  # late cancellations or no-shows within the window below…
    no_show_window_days: int = 90
    no_show_block_days: int = 30  # …block new registrations for this long
    lottery_first_visit_weight: int = 2  # first-time visitors count this many times in lotteries
    no_show_penalty_points: int = 0  # points taken for a no-show (never below zero); 0 = none
    sweep_interval_seconds: float = 30.0  # offer expiry and lottery draws inside `serve`
    run_sweeper: bool = True  # false when separate `openindustry worker` processes do it

    vk_app_secret: SecretStr | None = None
    telegram_bot_token: SecretStr | None = None
    max_bot_token: SecretStr | None = None
    smtp_url: SecretStr | None = None

    # Notifications: the channels' API addresses (tests point them at local servers) and delivery.
    vk_community_token: SecretStr | None = None
    vk_api_base_url: str = "https://api.vk.com/method"
    vk_api_version: str = "5.199"
    telegram_api_base_url: str = "https://api.telegram.org"
    max_api_base_url: str = "https://botapi.max.ru"
    channel_timeout_seconds: float = 10.0
    notification_max_attempts: int = 6  # then the row is dead-lettered ("dead")
    notification_backoff_seconds: float = 30.0  # first retry; doubles each time, with jitter
    notification_backoff_max_seconds: float = 3600.0
    notification_lease_seconds: float = 120.0  # a claimed row comes due again after this
    notification_batch_size: int = 20
    dispatch_interval_seconds: float = 5.0

    @field_validator("*", mode="after")
    @classmethod
    def _check_rate_limits(cls, value: object, info: ValidationInfo) -> object:
        # A mistyped limit fails at start-up, not at the first request that meets it.
        if info.field_name and info.field_name.startswith("rate_limit_") and isinstance(value, str):
            item = parse_rate_limit(value)
            if item.amount < 1:
                raise ValueError(f"{info.field_name}: a limit must allow at least one request")
        return value

    @field_validator("frame_ancestors")
    @classmethod
    def _check_frame_ancestors(cls, value: str) -> str:
        sources = value.lower().split()
        wrong = [source for source in sources if not _FRAME_SOURCE.match(source)]
        if not sources or wrong:
            raise ValueError(f"frame_ancestors: not an https origin: {wrong or value!r}")
        return " ".join(sources)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            key = self.secret_key.get_secret_value()
            if key == DEV_SECRET_KEY or len(key) < 32:
                raise ValueError(
                    "OPENINDUSTRY_SECRET_KEY must be set to a random value of 32+ characters "
                    "in production"
                )
            if self.smtp_url is None:
                raise ValueError("OPENINDUSTRY_SMTP_URL must be set in production (sign-in codes)")
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
