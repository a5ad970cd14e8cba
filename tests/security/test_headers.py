"""Security headers and cookies: a CSP on pages that lets scripts come only from the site and
admits exactly the configured messengers' web clients as frame ancestors; nothing at all for
JSON and files; nosniff and Referrer-Policy everywhere; no X-Frame-Options; HttpOnly session
cookies, `SameSite=None; Secure` for the messengers' iframes. And the templates keep to the
policy (no inline scripts anywhere, no inline styles on the participants' pages)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from openindustry.accounts.models import Role
from openindustry.config import Settings
from openindustry.kit.headers import OTHER_POLICY
from openindustry.web.render import LOCALE_COOKIE
from tests.conftest import TokenFor
from tests.security.conftest import SESSION, MakeApp, client_of, csrf_token, vk_launch

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "openindustry" / "web" / "templates"
MESSENGERS = (
    "https://vk.com https://*.vk.com https://vk.ru https://*.vk.ru "
    "https://web.telegram.org https://web.max.ru"
)


@pytest.fixture
def db_url(migrated_databases: dict[str, str]) -> str:
    # Headers and cookies are set above the database: SQLite is enough.
    return migrated_databases["sqlite"]


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def assert_common(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    # X-Frame-Options cannot list several origins; it would lock the mini-app out of VK.
    assert "x-frame-options" not in response.headers


async def test_participant_pages_allow_only_the_sites_own_scripts_and_styles(
    client: httpx.AsyncClient,
) -> None:
    for path in ["/", "/catalog", "/login", "/entry", "/tasks", "/nowhere"]:
        response = await client.get(path)
        assert response.headers["content-type"].startswith("text/html"), path
        assert_common(response)
        csp = directives(response.headers["content-security-policy"])
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]
        assert csp["style-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        assert csp["frame-ancestors"] == MESSENGERS.split()


async def test_frame_ancestors_are_exactly_the_setting(make_app: MakeApp) -> None:
    app = make_app(frame_ancestors="https://web.telegram.org https://web.max.ru")
    async with client_of(app) as client:
        response = await client.get("/")
    csp = directives(response.headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["https://web.telegram.org", "https://web.max.ru"]


@pytest.mark.parametrize(
    "value", ["https://vk.com; script-src *", "*", "https:", "http://evil.example", "", "'self' x"]
)
def test_frame_ancestors_setting_accepts_only_origins(value: str) -> None:
    with pytest.raises(ValidationError, match="frame_ancestors"):
        Settings(frame_ancestors=value)


def test_local_origins_may_frame_the_pages_in_development() -> None:
    settings = Settings(frame_ancestors="HTTP://127.0.0.1:8080 http://localhost 'self'")
    assert settings.frame_ancestors == "http://127.0.0.1:8080 http://localhost 'self'"


async def test_back_office_allows_inline_styles_but_never_inline_scripts(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    client.cookies.set(SESSION, await token_for(Role.ORGANIZER))
    response = await client.get("/backoffice/stats")
    assert response.status_code == 200
    assert_common(response)
    csp = directives(response.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]  # pygal charts, the gate's layout
    assert csp["frame-ancestors"] == MESSENGERS.split()


async def test_json_and_files_may_not_run_anything_or_be_framed(
    client: httpx.AsyncClient,
) -> None:
    requests = [
        ("GET", "/api/v1/slots"),
        ("GET", "/api/v1/me"),  # 401
        ("GET", "/api/v1/nowhere"),  # 404
        ("GET", "/healthz"),
        ("GET", "/static/app.js"),
        ("POST", "/api/v1/auth/vk"),  # 422
    ]
    for method, path in requests:
        response = await client.request(method, path, json={} if method == "POST" else None)
        assert_common(response)
        assert response.headers["content-security-policy"] == OTHER_POLICY, path


async def test_refusals_of_the_input_guard_carry_the_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/catalog?q=%00")
    assert response.status_code == 422
    assert_common(response)


async def test_api_docs_keep_their_scripts_but_only_messengers_may_frame_them(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/docs")
    assert response.headers["content-security-policy"] == f"frame-ancestors {MESSENGERS}"


# Cookies ---------------------------------------------------------------------------------------


def _cookies(response: httpx.Response) -> dict[str, str]:
    return {raw.split("=", 1)[0]: raw for raw in response.headers.get_list("set-cookie")}


async def _cookies_of_a_sign_in(client: httpx.AsyncClient, vk_user: int) -> dict[str, str]:
    """Every cookie the pages set on the way in: CSRF, e-mail step, flash, session."""
    login = await client.get("/login")
    started = await client.post(
        "/login", data={"csrf_token": csrf_token(login), "email": "cookie@example.org"}
    )
    assert started.status_code == 303, started.text[:300]
    entered = await client.get(f"/entry?{vk_launch(vk_user)}")
    assert entered.status_code == 303
    cookies = _cookies(login) | _cookies(started) | _cookies(entered)
    assert set(cookies) >= {SESSION, "oi_csrf", "oi_flash", "oi_login"}
    return cookies


async def test_cookies_are_http_only_and_lax_without_https(client: httpx.AsyncClient) -> None:
    cookies = await _cookies_of_a_sign_in(client, 7007)
    entered = await client.get("/")
    for name in (SESSION, "oi_csrf", "oi_flash", "oi_login"):
        flags = cookies[name].lower()
        assert "httponly" in flags, cookies[name]
        assert "samesite=lax" in flags, cookies[name]
        assert "secure" not in flags, cookies[name]  # development over plain HTTP
    assert "strict-transport-security" not in entered.headers


async def test_secure_cookies_work_inside_the_messengers_iframes(make_app: MakeApp) -> None:
    app = make_app(secure_cookies=True)
    # Over HTTPS, as in production: the client returns Secure cookies only there.
    async with client_of(app, base_url="https://testserver") as client:
        cookies = await _cookies_of_a_sign_in(client, 7008)
        entered = await client.get("/")
        cookies |= _cookies(await client.get("/catalog?lang=en"))
    for name in (SESSION, "oi_csrf", "oi_flash", "oi_login", LOCALE_COOKIE):
        flags = [flag.strip().lower() for flag in cookies[name].split(";")]
        # A third-party iframe (vk.com → this site) gets the cookie only with SameSite=None,
        # which browsers accept only with Secure.
        assert {"httponly", "secure", "samesite=none"} <= set(flags), cookies[name]
    assert entered.headers["strict-transport-security"] == "max-age=31536000"


# The templates keep to the policy ------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def _templates(folder: str = "") -> list[Path]:
    found = sorted((TEMPLATES / folder).rglob("*.html"))
    assert found
    return found


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_runs_an_inline_script(template: Path) -> None:
    # script-src 'self' would silently drop it in the browser.
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to web/static/*.js"
    assert not EVENT_HANDLER.search(text), "on…= handler: attach it from web/static/*.js"
    assert not JS_URL.search(text), "javascript: URL"


def test_participants_pages_carry_no_inline_styles() -> None:
    participant = [p for p in _templates() if "backoffice" not in p.parts]
    offending = [
        str(p.relative_to(TEMPLATES))
        for p in participant
        if INLINE_STYLE.search(p.read_text(encoding="utf-8"))
    ]
    assert not offending, f"style-src 'self' would drop these inline styles: {offending}"
