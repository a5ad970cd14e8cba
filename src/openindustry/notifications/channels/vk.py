"""VK `messages.send` from the program's community; random_id makes a resend a no-op."""

from __future__ import annotations

import httpx

from openindustry.notifications.channels import Outgoing, Transient, Unreachable
from openindustry.notifications.channels._http import call, json_of

# 901: the user did not allow messages from the community; 900: blacklisted; 902: privacy.
UNREACHABLE_CODES = {900, 901, 902}
RETRY_CODES = {1, 6, 9, 10}  # unknown, too many requests per second, flood control, internal


class VkChannel:
    name = "vk"

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str, version: str) -> None:
        self.client = client
        self.url = f"{base_url.rstrip('/')}/messages.send"
        self.token = token
        self.version = version

    async def send(self, message: Outgoing) -> None:
        response = await call(
            self.client,
            "POST",
            self.url,
            label="vk",
            data={
                "user_id": message.address,
                "random_id": message.idempotency_key,
                "message": message.text,
                "access_token": self.token,
                "v": self.version,
            },
        )
        body = json_of(response)
        error = body.get("error")
        if response.status_code == 200 and error is None and "response" in body:
            return
        if isinstance(error, dict):
            code = int(error.get("error_code", 0))
            text = f"vk: error {code} {error.get('error_msg', '')}".strip()
            if code in UNREACHABLE_CODES:
                raise Unreachable(text)
            raise Transient(text)
        raise Transient(f"vk: HTTP {response.status_code}")
