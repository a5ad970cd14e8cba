"""MAX bot API: POST /messages?user_id=… with the bot token (platform-api.max.ru shape)."""

from __future__ import annotations

import httpx

from openindustry.notifications.channels import Outgoing, Transient, Unreachable
from openindustry.notifications.channels._http import call, json_of


class MaxChannel:
    name = "max"

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str) -> None:
        self.client = client
        self.url = f"{base_url.rstrip('/')}/messages"
        self.token = token

    async def send(self, message: Outgoing) -> None:
        response = await call(
            self.client,
            "POST",
            self.url,
            label="max",
            params={"user_id": message.address, "access_token": self.token},
            headers={"Authorization": self.token},
            json={"text": message.text},
        )
        if response.status_code == 200:
            return
        body = json_of(response)
        reason = (
            f"max: HTTP {response.status_code} {body.get('code', '')} {body.get('message', '')}"
        )
        if response.status_code == 429:
            raise Transient(reason.strip())
        if response.status_code in {403, 404}:
            raise Unreachable(reason.strip())
        raise Transient(reason.strip())
