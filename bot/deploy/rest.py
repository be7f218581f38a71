"""A small read-only Discord REST client for `invite` and `doctor` (no gateway session).

The health check may run every few minutes: it must not open a gateway connection, which
Discord counts against a daily budget of identifies.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Final

import aiohttp

from bot.deploy.startup import Unreachable

REQUEST_TIMEOUT: Final = 10.0  # seconds for one request, connection included


class RestError(Exception):
    """Discord answered with an error status."""

    def __init__(self, status: int, code: int, message: str, url: str) -> None:
        super().__init__(f"{status} {message} (code {code}) from {url}")
        self.status = status
        self.code = code
        self.message = message
        self.url = url


class DiscordRest:
    """GET requests against the configured API base with the bot token."""

    def __init__(self, api_base: str, token: str, *, timeout: float = REQUEST_TIMEOUT) -> None:
        self.api_base = api_base.rstrip("/")
        self._headers = {"Authorization": f"Bot {token}", "User-Agent": "minerwatch"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> DiscordRest:
        self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(self, path: str) -> Any:
        """Return the JSON body of GET ``path``; raise RestError or Unreachable."""
        assert self._session is not None, "use `async with DiscordRest(...)`"
        url = f"{self.api_base}{path}"
        try:
            async with self._session.get(url) as response:
                body: Any = await response.json(content_type=None)
                if response.status >= 400:
                    details = body if isinstance(body, dict) else {}
                    raise RestError(
                        response.status,
                        int(details.get("code", 0) or 0),
                        str(details.get("message", response.reason or "error")),
                        url,
                    )
                return body
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unreachable.from_error(url, exc) from exc
