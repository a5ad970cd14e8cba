"""A small local HTTP server that answers as the VK, Telegram and MAX APIs do for the calls used.

Each API keeps a script of answers to give next (then it answers success); every call is recorded.
VK, like the real one, treats a repeated `random_id` as the same message (delivered once).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: dict[str, Any] | None = None
    delay: float = 0.0  # seconds before answering (to provoke client timeouts)


@dataclass
class FakeApis:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    script: dict[str, list[Answer]] = field(default_factory=dict)
    vk_delivered: dict[str, dict[str, Any]] = field(default_factory=dict)  # random_id → call
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def then(self, api: str, *answers: Answer) -> None:
        with self.lock:
            self.script.setdefault(api, []).extend(answers)

    def sent(self, api: str) -> list[dict[str, Any]]:
        with self.lock:
            return [body for name, body in self.calls if name == api]

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.script.clear()
            self.vk_delivered.clear()

    def answer(self, api: str, body: dict[str, Any]) -> Answer:
        with self.lock:
            self.calls.append((api, body))
            queued = self.script.get(api)
            if queued:
                return queued.pop(0)
            if api == "vk":
                key = str(body.get("random_id"))
                self.vk_delivered.setdefault(key, body)
                return Answer(200, {"response": 1000 + len(self.vk_delivered)})
            if api == "telegram":
                return Answer(200, {"ok": True, "result": {"message_id": len(self.calls)}})
            return Answer(200, {"message": {"body": {"mid": f"mid.{len(self.calls)}"}}})


def _handler(apis: FakeApis) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path.startswith("/vk/"):
                api, body = "vk", {k: v[0] for k, v in parse_qs(raw).items()}
                body["method"] = parts.path.removeprefix("/vk/")
            elif parts.path.startswith("/telegram/"):
                api, body = "telegram", json.loads(raw or "{}")
                body["path"] = parts.path.removeprefix("/telegram")
            else:
                api, body = "max", {**json.loads(raw or "{}"), **query}
                body["authorization"] = self.headers.get("Authorization")
                body["path"] = parts.path.removeprefix("/max")
            answer = apis.answer(api, body)
            if answer.delay:
                time.sleep(answer.delay)
            payload = json.dumps(answer.body or {}).encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def start_fake_apis() -> tuple[ThreadingHTTPServer, FakeApis]:
    apis = FakeApis()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(apis))
    server.daemon_threads = True
    apis.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, apis
