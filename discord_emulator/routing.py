"""Match concrete request paths to Discord's path templates (`/channels/{channel_id}/messages`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Match(Generic[T]):
    """A matched route: its template, the value registered for it and the path parameters."""

    template: str
    target: T
    params: dict[str, str]


class Router(Generic[T]):
    """Map (method, path) to a registered target; literal segments win over parameters."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, str, re.Pattern[str], int, T]] = []

    def add(self, method: str, template: str, target: T) -> None:
        """Register a target for a method and a path template."""
        pattern, literals = compile_template(template)
        self._routes.append((method.upper(), template, pattern, literals, target))
        # Most specific first, so "@original" beats "{message_id}".
        self._routes.sort(key=lambda route: -route[3])

    def match(self, method: str, path: str) -> Match[T] | None:
        """Return the best match for a request, or None."""
        for route_method, template, pattern, _, target in self._routes:
            if route_method != method.upper():
                continue
            found = pattern.fullmatch(path)
            if found is not None:
                return Match(template, target, found.groupdict())
        return None

    def templates(self) -> Iterable[tuple[str, str]]:
        """Return every registered (method, template)."""
        return [(method, template) for method, template, *_ in self._routes]


def compile_template(template: str) -> tuple[re.Pattern[str], int]:
    """Turn a path template into a regex and count its literal segments."""
    parts: list[str] = []
    literals = 0
    for segment in template.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literals += 1
    return re.compile("/" + "/".join(parts)), literals


def template_finder(templates: Iterable[tuple[str, str]]) -> Callable[[str, str], str | None]:
    """Build a function naming the template of any known route (to record unhandled calls)."""
    router: Router[None] = Router()
    for method, template in templates:
        router.add(method, template, None)

    def find(method: str, path: str) -> str | None:
        found = router.match(method, path)
        return None if found is None else found.template

    return find
