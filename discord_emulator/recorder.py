"""The record of everything the bot did: requests, rule violations and unhandled routes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .errors import FieldError


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class RecordedRequest:
    """One HTTP request the bot made, and how the emulator answered it."""

    method: str
    template: str | None
    path: str
    query: dict[str, str]
    body: Any
    files: list[UploadedFile]
    time: float
    status: int | None = None
    response: Any = None

    @property
    def route(self) -> str:
        """Return "METHOD /template" (the concrete path when no template matched)."""
        return f"{self.method} {self.template or self.path}"


@dataclass
class Violation:
    """A request body Discord would reject with 50035 (or that broke a documented rule)."""

    method: str
    template: str
    path: str
    source: str
    errors: list[FieldError]
    body: Any = None

    def __str__(self) -> str:
        """Describe the violation on one line per field."""
        details = "; ".join(f"{e.dotted()}: {e.code} {e.message}" for e in self.errors)
        return f"{self.method} {self.template} [{self.source}] {details}"


@dataclass
class Recorder:
    """Collect requests, violations and unhandled routes for test assertions."""

    requests: list[RecordedRequest] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    unhandled: list[RecordedRequest] = field(default_factory=list)
    validation_seconds: list[float] = field(default_factory=list)

    def start(
        self, method: str, template: str | None, path: str, query: dict[str, str]
    ) -> RecordedRequest:
        """Record the start of a request."""
        record = RecordedRequest(method, template, path, query, None, [], time.monotonic())
        self.requests.append(record)
        return record

    def matching(self, route: str) -> list[RecordedRequest]:
        """Return requests to one route, given as "METHOD /template"."""
        return [r for r in self.requests if r.route == route]

    def clear(self) -> None:
        """Forget everything recorded so far."""
        self.requests.clear()
        self.violations.clear()
        self.unhandled.clear()
        self.validation_seconds.clear()
