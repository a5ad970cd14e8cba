"""Schemathesis over /openapi.json: every operation, with the caller each one is meant for.

The app runs in-process (ASGI) on SQLite and on PostgreSQL, over a seeded program (world.py).
Each operation gets the coverage phase's boundary and negative values (the first of each kind) and
a few generated requests, positive and negative; in positive ones, some ids, codes and names are
swapped for ones that exist, so the fuzzer reaches the rules behind the 404s. Every response must:

- not be a 5xx (not_a_server_error);
- carry a status the document declares for the operation, with a declared media type, a body that
  matches the declared schema and the declared required headers (`Retry-After`, `WWW-Authenticate`);
- refuse schema-violating input with a 4xx, and accept schema-valid input (a 2xx, or a refusal of
  the rules: 400/401/403/404/409/422/429);
- refuse a missing or invalid token where one is required (ignored_auth);
- answer an undeclared method with 405 and an `Allow` naming exactly the declared methods;
- when it is an error, be `{"error": {"code": <snake_case>, "message", ["details"]}}` (error_shape).

Deterministic: the same requests every run. To look harder while developing:
FUZZ_EXAMPLES=100 FUZZ_COVERAGE_PER_KIND=1000 pytest tests/fuzz -s (prints how far it got).
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.core.failures import AcceptedNegativeData, Failure
from schemathesis.openapi.checks import UnsupportedMethodResponse
from schemathesis.python import asgi
from schemathesis.schemas import BaseSchema
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.app import create_app
from openindustry.config import Settings
from openindustry.kit.types import MAX_ID
from tests.api.test_access_matrix import ADMIN, HOST, ORGANIZER, RULES
from tests.conftest import TokenFor
from tests.fuzz.world import World, build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
COVERAGE_PER_KIND = int(os.environ.get("FUZZ_COVERAGE_PER_KIND", "1"))
CONFIG = schemathesis.Config.from_dict(
    {
        # A sync of 500 offline scans is one transaction per scan; a loaded CI machine is slow.
        "request-timeout": 60,
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            "mode": "all",
            # Tokens come from the world, never made up by the generator.
            "with-security-parameters": False,
        },
        "checks": {
            # 422 is also how the rules refuse a well-formed value the schema cannot express
            # (ends before it starts, a companion not in the profile, an unknown invite code),
            # and 400 how they refuse a one-time code that does not match.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]
            },
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
CALLER_FOR_LEVEL = {HOST: "host", ORGANIZER: "organizer", ADMIN: "admin"}
# These end the caller's session or account: each runs as a participant of its own.
SELF_ENDING = {("POST", "/api/v1/auth/logout"): "logout", ("DELETE", "/api/v1/me"): "leaver"}
CHANGING = re.compile(r"/(cancel|move)$")
# Fewer operations answering 2xx than this means the world or the tokens broke, not the app.
MIN_REACH = 0.6

REACH: dict[str, list[int]] = {}  # operation → statuses answered
SENT: dict[tuple[str, str], int] = {}  # (operation, coverage scenario) → cases sent


@schemathesis.check
def error_shape(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every refusal is JSON `{"error": {"code": <snake_case>, "message": <text>[, "details"]}}`."""
    if response.status_code < 400:
        return None
    content_type = next(
        (v[0] for k, v in response.headers.items() if k.lower() == "content-type" and v), ""
    )
    if not content_type.startswith("application/json"):
        raise AssertionError(f"an error answered as {content_type!r}, not JSON")
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(body) != {"error"}:
        raise AssertionError(f'not {{"error": {{...}}}}: {response.text[:200]}')
    extra = set(error) - {"code", "message", "details"}
    if extra:
        raise AssertionError(f"unexpected error fields {sorted(extra)}")
    if not isinstance(error.get("code"), str) or not CODE.match(error["code"]):
        raise AssertionError(f"error code {error.get('code')!r} is not snake_case")
    if not isinstance(error.get("message"), str) or not error["message"].strip():
        raise AssertionError("an error without a message")
    return None


def filter_failure(context: Any, failure: Failure, case: Case, response: Response) -> bool:
    """Keep every failure but two kinds that are not faults of the app."""
    if isinstance(failure, AcceptedNegativeData) and "Incorrect type" in failure.message:
        # Pydantic's lax mode, which the HTML forms rely on, reads 0/1 as booleans, booleans as
        # 0/1 and a number as a Unix time; the value is then checked like any other.
        return False
    # `PATCH /admin/slots/bulk` is `PATCH /admin/slots/{slot_id}` with slot_id "bulk": the
    # document itself serves that method at that URL, and the answer is a 422 for the id.
    return not (
        isinstance(failure, UnsupportedMethodResponse) and _served_elsewhere(case, response)
    )


def _served_elsewhere(case: Case, response: Response) -> bool:
    method = str(response.request.method).lower()
    path = urlsplit(str(response.request.url)).path
    for template, operations in case.operation.schema.raw_schema["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if method in operations and re.fullmatch(pattern, path):
            return True
    return False


def after_call(context: Any, case: Case, response: Response) -> None:
    REACH.setdefault(case.operation.label, []).append(response.status_code)


@pytest.fixture
async def fuzz_world(session: AsyncSession, settings: Settings, token_for: TokenFor) -> World:
    return await build_world(session, settings, token_for)


@pytest.fixture
def api_schema(
    request: pytest.FixtureRequest, settings: Settings, fuzz_world: World
) -> Iterator[BaseSchema]:
    # Schemathesis (4.32) renames the running item per operation through `_nodeid`, which
    # pytest 9.2 no longer has; giving it one keeps the per-operation subtests working.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    # Rate limits would answer most generated requests with 429 before any rule runs; they are
    # tested on their own. The sweeper would race the fuzzer for the same rows.
    quiet = {"rate_limit_enabled": False, "run_sweeper": False}
    app = create_app(settings.model_copy(update=quiet))
    REACH.clear()
    SENT.clear()
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    loaded.hook(filter_failure)
    loaded.hook(after_call)
    yield loaded
    # Schemathesis runs the app (and its database pool) on an event loop of its own; stopping the
    # lifespan there closes the pool on the loop that opened it.
    asgi.shutdown_lifespans()
    _check_reach()


def _check_reach() -> None:
    succeeded = {op for op, statuses in REACH.items() if any(s < 300 for s in statuses)}
    sent = sum(map(len, REACH.values()))
    print(
        f"\n{sent} requests to {len(REACH)} operations, {len(succeeded)} answered 2xx at least once"
    )
    for op in sorted(set(REACH) - succeeded):
        print(f"  never 2xx: {op} {sorted(set(REACH[op]))}")
    if len(succeeded) < MIN_REACH * len(REACH):
        pytest.fail(f"only {len(succeeded)} of {len(REACH)} operations ever answered 2xx")


schema = schemathesis.pytest.from_fixture("api_schema")


def _caller(case: Case) -> str:
    method, path = case.operation.method.upper(), case.operation.path
    if (method, path) in SELF_ENDING:
        return SELF_ENDING[method, path]
    return CALLER_FOR_LEVEL.get(RULES.get((method, path), ""), "participant")


def _aim(value: Any, pool: list[Any], salt: str) -> Any:
    """Swap a valid generated value for a known one in three requests out of four."""
    if isinstance(value, bool) or not isinstance(value, int | str | list):
        return value
    if isinstance(value, int) and not 1 <= value <= MAX_ID:
        return value
    pick = zlib.crc32(f"{salt}:{value}".encode()) % (4 * len(pool))
    return pool[pick % len(pool)] if pick < 3 * len(pool) else value


def aim(case: Case, world: World) -> None:
    """Point a positive case at the world: ids, codes and names that exist."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    method, path = case.operation.method.upper(), case.operation.path
    changing = method in {"PATCH", "PUT", "DELETE"} or CHANGING.search(path) is not None
    # Which known value a field gets depends on the whole request, so that requests alike but
    # for one field do not all get the same one.
    salt = repr((case.operation.label, case.path_parameters, case.query, case.body))

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        if not isinstance(node, dict):
            return
        for name, value in node.items():
            pool = [
                known
                for known in world.known.get(name, [])
                if not (changing and isinstance(known, int) and (name, known) in world.keep)
            ]
            if pool:
                node[name] = _aim(value, pool, salt)
            else:
                walk(value)

    for container in (case.path_parameters, case.query, case.body):
        walk(container)


def worth_sending(case: Case) -> bool:
    """Of the coverage phase's cases, the first few of each kind per operation.

    The phase enumerates every property: a wrong type for each of 40 fields, each unsupported
    method... The first ones of a kind already exercise the code that answers all of them.
    """
    scenario = getattr(case.meta.phase.data, "scenario", None) if case.meta else None
    if scenario is None:
        return True
    key = (case.operation.label, str(scenario))
    SENT[key] = SENT.get(key, 0) + 1
    return SENT[key] <= COVERAGE_PER_KIND


@schema.parametrize()
def test_api(case: Case, fuzz_world: World) -> None:
    if not worth_sending(case):
        return
    aim(case, fuzz_world)
    token = fuzz_world.tokens[_caller(case)]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
