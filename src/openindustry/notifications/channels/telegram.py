"""Telegram Bot API `sendMessage`; chat_id is the Telegram user id."""

from __future__ import annotations

import httpx

from openindustry.notifications.channels import Outgoing, Transient, Unreachable
from openindustry.notifications.channels._http import call, json_of


class TelegramChannel:
    name = "telegram"

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str) -> None:
        self.client = client
        self.url = f"{base_url.rstrip('/')}/bot{token}/sendMessage"

    async def send(self, message: Outgoing) -> None:
        # Telegram has no idempotency key for sendMessage: delivery is at least once.
        response = await call(
            self.client,
            "POST",
            self.url,
            label="telegram",
            json={"chat_id": message.address, "text": message.text},
        )
        body = json_of(response)
        if response.status_code == 200 and body.get("ok"):
            return
        description = str(body.get("description", ""))
        if response.status_code == 429:
            after = (body.get("parameters") or {}).get("retry_after")
            raise Transient(f"telegram: 429 {description}", float(after) if after else None)
        if response.status_code == 403 or "chat not found" in description:
            raise Unreachable(f"telegram: {response.status_code} {description}")
        raise Transient(f"telegram: HTTP {response.status_code} {description}")
