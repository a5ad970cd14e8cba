"""Security headers of every response, set in one place.

Pages get a Content-Security-Policy that lets scripts, styles, fonts and fetches come only from
this site and lets only the messengers' web clients frame them (the mini-app runs in their
iframes, so there is no X-Frame-Options: it cannot list several origins). Everything else (JSON,
SVG, files) may not run or frame anything at all. docs/security.md explains each choice.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# FastAPI's own documentation pages load Swagger UI and ReDoc from a CDN with inline scripts;
# they get only the framing rule.
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


def page_policy(frame_ancestors: str, *, inline_styles: bool = False) -> str:
    """The CSP of an HTML page. `inline_styles`: the back office, whose pygal charts and gate
    page carry `<style>` elements and style attributes; scripts stay 'self' everywhere."""
    styles = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            # Quiz and prize pictures may be hosted elsewhere (an organizer gives their https URL).
            "img-src 'self' https:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


# Not a page: nothing in it may run, load or be framed.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to the response start, whatever produced it."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: str, hsts: bool = False) -> None:
        self.app = app
        self.participant_policy = page_policy(frame_ancestors)
        self.office_policy = page_policy(frame_ancestors, inline_styles=True)
        self.docs_policy = f"frame-ancestors {frame_ancestors}"
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                # Some addresses carry what must not travel on: VK's signed launch parameters
                # (/entry?sign=…), ticket pages. Nothing here needs the Referer header.
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", self._policy(path, headers))
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _policy(self, path: str, headers: MutableHeaders) -> str:
        if path in DOCS_PATHS:
            return self.docs_policy
        if not headers.get("content-type", "").startswith("text/html"):
            return OTHER_POLICY
        if path == "/backoffice" or path.startswith("/backoffice/"):
            return self.office_policy
        return self.participant_policy
