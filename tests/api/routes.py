"""Every route the app serves, walked from its routers (so nothing can hide from the checks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every endpoint, HEAD left out."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from walk(included.routes, prefix + route.include_context.prefix)
        elif getattr(route, "methods", None):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, prefix + route.path


def endpoints(app: Any) -> list[tuple[str, str]]:
    return sorted(set(walk(app.routes)))
