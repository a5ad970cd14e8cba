"""Accounts tests use the shared fixtures of tests/conftest.py (secrets, SMTP, tokens)."""

from tests.conftest import MAX_TOKEN, TELEGRAM_TOKEN, VK_SECRET, TokenFor

__all__ = ["MAX_TOKEN", "TELEGRAM_TOKEN", "VK_SECRET", "TokenFor"]
