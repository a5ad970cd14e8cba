"""What the fuzzer relies on, checked directly: the document's error declarations, its bearer
scheme, its file types, and the `Allow` header of a 405."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from openindustry.app import create_app
from openindustry.config import Settings

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
async def doc_client() -> AsyncIterator[httpx.AsyncClient]:
    # Neither the document nor a 405 touches the database.
    app = create_app(Settings(environment="test", database_url="sqlite+aiosqlite:///:memory:"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.engine.dispose()


@pytest.fixture(scope="module")
async def spec(doc_client: httpx.AsyncClient) -> dict[str, Any]:
    response = await doc_client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
        if method in METHODS
    ]


async def test_every_refusal_is_declared_in_the_error_shape(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas, "FastAPI's own 422 shape is still documented"
    assert schemas["ErrorBody"]["required"] == ["error"]
    assert set(schemas["ErrorDetail"]["required"]) == {"code", "message"}
    for method, path, operation in _operations(spec):
        responses = operation["responses"]
        for status in ("404", "409", "422", "429", "503"):
            assert status in responses, f"{method} {path} does not declare {status}"
        for status, response in responses.items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
        assert responses["429"]["headers"]["Retry-After"]["required"] is True


async def test_who_must_sign_in_is_declared(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = {(m, p): op for m, p, op in _operations(spec)}
    me = operations["GET", "/api/v1/me"]
    assert me["security"] == [{"bearer": []}]
    assert {"401", "403"} <= set(me["responses"])
    catalog = operations["GET", "/api/v1/slots"]
    assert {} in catalog["security"], "a public route must not require a token"
    assert "403" not in catalog["responses"]


async def test_files_declare_their_media_types(spec: dict[str, Any]) -> None:
    paths = spec["paths"]
    assert (
        "image/svg+xml"
        in (
            paths["/api/v1/registrations/{registration_id}/ticket.svg"]["get"]["responses"]["200"][
                "content"
            ]
        )
    )
    assert (
        "text/calendar"
        in (
            paths["/api/v1/registrations/{registration_id}/ticket.ics"]["get"]["responses"]["200"][
                "content"
            ]
        )
    )
    xlsx = paths["/api/v1/admin/slots/{slot_id}/guests.xlsx"]["get"]["responses"]["200"]
    assert next(iter(xlsx["content"])).endswith("spreadsheetml.sheet")
    registered = paths["/api/v1/slots/{slot_id}/registrations"]["post"]["responses"]
    for status in ("200", "201"):
        schema = registered[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/RegistrationRead"}


async def test_a_405_names_every_method_of_the_path(doc_client: httpx.AsyncClient) -> None:
    # GET, PATCH and DELETE /me live in different routes; the first one matched used to answer
    # `Allow: GET, HEAD` alone.
    response = await doc_client.request("PUT", "/api/v1/me")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}
