"""A gate in front of the app for input no handler should ever see.

NUL characters cannot be stored in PostgreSQL text and mean nothing in any field here, and an
unbounded body is a cheap way to exhaust memory; both are refused before routing, with the usual
error shape.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NUL_MARKERS = (b"\x00", b"%00", b"\\u0000")


class InputGuard:
    def __init__(self, app: ASGIApp, *, max_body: int = 1024 * 1024) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope.get("query_string", b"").lower() + scope.get("raw_path", b"").lower()
        if any(marker in head for marker in NUL_MARKERS):
            await _refuse(
                scope, send, 422, "invalid_characters", "Запрос содержит недопустимые символы."
            )
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await _refuse(scope, send, 413, "payload_too_large", "Слишком большой запрос.")
                return
        if any(marker in body.lower() for marker in NUL_MARKERS):
            await _refuse(
                scope, send, 422, "invalid_characters", "Запрос содержит недопустимые символы."
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    if scope["path"].startswith("/api/"):
        payload = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
        content_type = b"application/json"
    else:
        payload = f"<!doctype html><meta charset=utf-8><title>{status}</title><p>{message}</p>"
        content_type = b"text/html; charset=utf-8"
    data = payload.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
