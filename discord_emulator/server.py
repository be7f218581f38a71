"""The HTTP side: one aiohttp app for REST v10, the gateway websocket and attachment downloads."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from aiohttp import web

from . import errors
from .backend import Backend
from .bodies import Body, read_body
from .checks import CHECKS
from .errors import ApiError, FieldError
from .faults import Fault, Faults
from .ratelimit import RateLimiter
from .recorder import RecordedRequest, Violation
from .routing import Match, Router
from .spec import Spec
from .state import Attachment

API_PREFIX = "/api/v10"


@dataclass
class Reply:
    """A successful answer: JSON body (None for 204) and extra headers."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """Everything a route handler needs about one request."""

    api: Backend
    request: web.Request
    template: str
    params: dict[str, str]
    body: Body
    record: RecordedRequest

    @property
    def json(self) -> dict[str, Any]:
        """Return the JSON object body ({} when absent or not an object)."""
        return self.body.json if isinstance(self.body.json, dict) else {}

    def snowflake(self, name: str, missing: Callable[[], ApiError] = errors.not_found_route) -> int:
        """Return a path parameter as an int, or raise the given 404."""
        value = self.params.get(name, "")
        if not value.isdigit():
            raise missing()
        return int(value)

    def flag(self, name: str) -> bool:
        """Read a boolean query parameter the way Discord does (1/true)."""
        return self.request.query.get(name, "").lower() in ("1", "true")


Handler = Callable[[Call], Awaitable[Reply]]
WebSocketHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    """A handled route: its handler, the own check for its body, and whether it needs the token."""

    handler: Handler
    check: str | None = None
    auth: bool = True


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Return JSON with Content-Type exactly application/json (discord.py rejects a charset)."""
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


@dataclass(eq=False)
class Server:
    """Pass requests through faults, auth, rate limits and validation to handlers; record all."""

    api: Backend
    router: Router[Route]
    _: KW_ONLY
    token: str
    faults: Faults
    ratelimits: RateLimiter
    spec: Spec | None
    spec_template: Callable[[str, str], str | None]
    gateway: WebSocketHandler
    find_attachment: Callable[[int], Attachment | None]
    port: int = field(default=0, init=False)
    _runner: web.AppRunner | None = field(default=None, init=False, repr=False)

    def app(self) -> web.Application:
        """Build the aiohttp application."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self.gateway)
        app.router.add_route("GET", "/resume-gateway", self.gateway)
        app.router.add_route(
            "GET", "/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment
        )
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._dispatch)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on host:port (port 0 picks a free one) and return the port."""
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        """Serve an uploaded file, like Discord's CDN."""
        attachment = self.find_attachment(int(request.match_info["attachment_id"]))
        if attachment is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(
            body=attachment.data,
            content_type=(attachment.content_type or "application/octet-stream").split(";")[0],
        )

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        """Run one REST request through faults, then the pipeline; faults may replace the answer."""
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        found = self.router.match(method, path)
        template = found.template if found is not None else self.spec_template(method, path)
        record = self.api.recorder.start(method, template, path, dict(request.query))
        route_key = f"{method} {template or path}"
        late: Fault | None = None
        hold = 0.0  # seconds between doing the work and answering
        for fault in self.faults.take(route_key):
            if fault.kind == "delay" and fault.after_handling:
                hold += fault.seconds
            elif fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
            elif fault.after_handling:
                late = fault
            else:
                return self._fail(request, record, fault)
        response = await self._handle(request, record, found, route_key, path)
        if hold:
            await asyncio.sleep(hold)
        # A failure after handling: Discord did the work but the answer is lost on the way.
        return response if late is None else self._fail(request, record, late)

    def _fail(self, request: web.Request, record: RecordedRequest, fault: Fault) -> web.Response:
        """Answer with an injected error status, or drop the connection (recorded as status 0)."""
        if fault.kind == "drop":
            record.status = 0
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable()
        return self._finish(record, fault.status, fault.body(), {})

    async def _handle(
        self,
        request: web.Request,
        record: RecordedRequest,
        found: Match[Route] | None,
        route_key: str,
        path: str,
    ) -> web.Response:
        """Check auth, rate limits and the body, then run the route's handler."""
        method = request.method.upper()
        headers: dict[str, str] = {}
        try:
            if found is None:
                self.api.recorder.unhandled.append(record)
                raise errors.not_found_route()
            route = found.target
            if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
                raise errors.unauthorized()
            verdict = self.ratelimits.check(
                route_key, path, found.params, token=request.headers.get("Authorization")
            )
            headers.update(verdict.headers)
            if verdict.refusal is not None:
                return self._finish(record, 429, verdict.refusal, headers)
            body = await read_body(request)
            record.body, record.files = body.json, body.files
            self._validate(method, found.template, path, body, route.check)
            call = Call(self.api, request, found.template, found.params, body, record)
            reply = await route.handler(call)
            headers.update(reply.headers)
            return self._finish(record, reply.status, reply.body, headers)
        except ApiError as error:
            headers.update(error.headers)
            return self._finish(record, error.status, error.body(), headers)

    def _finish(
        self, record: RecordedRequest, status: int, body: Any, headers: dict[str, str]
    ) -> web.Response:
        """Record the outcome and build the response."""
        record.status = status
        record.response = body
        if status == 204 or body is None:
            return web.Response(status=status, headers=headers)
        return json_response(body, status, headers)

    def _validate(
        self, method: str, template: str, path: str, body: Body, check: str | None
    ) -> None:
        """Validate a body against the spec and own checks; record and raise 50035 on failure."""
        if body.json is None:
            return
        started = time.perf_counter()
        found: list[FieldError] = []
        sources: list[str] = []
        spec = self.spec
        if spec is not None:
            spec_errors = spec.validate(method, template, body.json)
            if spec_errors:
                found.extend(spec_errors)
                sources.append("spec")
        if check is not None:
            seen = {(e.path, e.code) for e in found}
            own = [e for e in CHECKS[check](body.json) if (e.path, e.code) not in seen]
            if own:
                found.extend(own)
                sources.append("own")
        self.api.recorder.validation_seconds.append(time.perf_counter() - started)
        if found:
            self.api.recorder.violations.append(
                Violation(method, template, path, "+".join(sources), found, body.json)
            )
            raise errors.invalid_form_body(found)
