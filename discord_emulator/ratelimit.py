"""Discord-style rate limits: per-route buckets per major parameter, plus a global limit.

The global limit is per bot token: every client and gateway shard of one bot shares it.
Requests without a bot token (interaction callbacks and their webhook follow-ups) are not
bound by it, as on Discord.

Every 429 served is counted by route template and kind ("global" or "route"), so a benchmark
can tell which requests were refused and why.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

# An interaction's id and token name its own bucket, as a webhook's id and token do: on
# Discord, answering one member's command never uses up the answers of another's.
MAJOR_PARAMETERS = (
    "channel_id",
    "guild_id",
    "webhook_id",
    "webhook_token",
    "interaction_id",
    "interaction_token",
)
# Interaction callbacks are not bound by the global limit on Discord.
GLOBAL_EXEMPT_PREFIX = "/interactions/"

DEFAULT_RULES: dict[str, tuple[int, float]] = {
    "POST /channels/{channel_id}/messages": (5, 5.0),
    "PATCH /channels/{channel_id}/messages/{message_id}": (5, 5.0),
    "DELETE /channels/{channel_id}/messages/{message_id}": (5, 1.0),
    "POST /webhooks/{webhook_id}/{webhook_token}": (5, 2.0),
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original": (5, 2.0),
    "POST /users/@me/channels": (5, 5.0),
}
DEFAULT_LIMIT = (50, 1.0)


@dataclass
class _Window:
    """One fixed window of a bucket for one major parameter."""

    start: float
    count: int = 0


@dataclass(frozen=True)
class Verdict:
    """The outcome of a rate-limit check: headers to add, and a 429 body when refused."""

    headers: dict[str, str]
    refusal: dict[str, object] | None = None


RefusalKind = Literal["global", "route"]


@dataclass
class RateLimiter:
    """Count requests per bucket and globally; off until a test enables it."""

    enabled: bool = False
    global_per_second: int = 50
    rules: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(DEFAULT_RULES))
    default: tuple[int, float] = DEFAULT_LIMIT
    served_429: int = 0
    served_global_429: int = 0
    # 429s served by (route as "METHOD /template", kind).
    refusals: Counter[tuple[str, RefusalKind]] = field(default_factory=Counter)
    _windows: dict[tuple[str, str], _Window] = field(default_factory=dict)
    # The global window of each bot token (the Authorization header) seen.
    _global: dict[str, _Window] = field(default_factory=dict)
    # Routes whose every bucket, whatever its major parameters, is spent until a time.
    _spent_until: dict[str, float] = field(default_factory=dict)

    def enable(self, *, global_per_second: int = 50) -> None:
        """Switch rate limiting on."""
        self.enabled = True
        self.global_per_second = global_per_second

    def disable(self) -> None:
        """Switch rate limiting off and forget all counts."""
        self.enabled = False
        self._windows.clear()
        self._global.clear()
        self._spent_until.clear()

    def set_bucket(self, route: str, limit: int, per: float) -> None:
        """Set the limit of a route, given as "METHOD /template"."""
        self.rules[route] = (limit, per)

    def exhaust(
        self, route: str, major: int | str = "", *, for_seconds: float | None = None
    ) -> None:
        """Use up a bucket as if other requests (e.g. before a restart) had already hit it."""
        limit, per = self.rules.get(route, self.default)
        self._windows[(route, str(major))] = _Window(
            time.monotonic() - per + (for_seconds or per), limit
        )

    def exhaust_global(self, token: str, *, for_seconds: float) -> None:
        """Use up a bot token's global limit for a while, as its other processes would."""
        now = time.monotonic()
        self._global[f"Bot {token}"] = _Window(now - 1.0 + for_seconds, self.global_per_second)

    def exhaust_every(self, route: str, *, for_seconds: float) -> None:
        """Use up every bucket of a route, including those of resources not seen yet.

        For buckets whose major parameters a test cannot know in advance, such as the
        callback of an interaction that does not exist yet.
        """
        self._spent_until[route] = time.monotonic() + for_seconds

    def refused(self, kind: RefusalKind | None = None) -> dict[str, int]:
        """Return the 429s served per route, of one kind or both, most refused first."""
        counts: Counter[str] = Counter()
        for (route, refused_kind), count in self.refusals.items():
            if kind is None or refused_kind == kind:
                counts[route] += count
        return dict(counts.most_common())

    def check(
        self, route: str, path: str, params: dict[str, str], *, token: str | None = None
    ) -> Verdict:
        """Count one request made with ``token`` (None: no bot token) and decide if it passes."""
        if not self.enabled:
            return Verdict({})
        now = time.monotonic()
        shared: _Window | None = None
        if token is not None and not path.startswith(GLOBAL_EXEMPT_PREFIX):
            shared = self._global.get(token)
            if shared is None or now - shared.start >= 1.0:
                shared = self._global[token] = _Window(now)
            if shared.count >= self.global_per_second:
                return self._refuse_global(route, 1.0 - (now - shared.start))
            shared.count += 1
        limit, per = self.rules.get(route, self.default)
        major = "+".join(params[k] for k in MAJOR_PARAMETERS if k in params)
        window = self._windows.get((route, major))
        if window is None or now - window.start >= per:
            window = self._windows[(route, major)] = _Window(now)
        reset_after = max(0.0, per - (now - window.start))
        spent_until = self._spent_until.get(route, 0.0)
        if now < spent_until and window.count < limit:
            # Spent as a whole by a test: refused until then, whatever this bucket counted.
            reset_after = spent_until - now
        if window.count >= limit or now < spent_until:
            if shared is not None:
                # A refused request does not count against the global limit.
                shared.count -= 1
            return self._refuse_bucket(route, limit, reset_after)
        window.count += 1
        return Verdict(_bucket_headers(route, limit, limit - window.count, reset_after))

    def _refuse_bucket(self, route: str, limit: int, reset_after: float) -> Verdict:
        """Build a per-route 429."""
        self.served_429 += 1
        self.refusals[(route, "route")] += 1
        headers = _bucket_headers(route, limit, 0, reset_after)
        headers.update(
            {
                "Retry-After": str(math.ceil(reset_after)),
                "X-RateLimit-Scope": "user",
                "Via": "1.1 google",
            }
        )
        body: dict[str, object] = {
            "message": "You are being rate limited.",
            "retry_after": _ceil_ms(reset_after),
            "global": False,
        }
        return Verdict(headers, body)

    def _refuse_global(self, route: str, retry_after: float) -> Verdict:
        """Build a global 429."""
        self.served_429 += 1
        self.served_global_429 += 1
        self.refusals[(route, "global")] += 1
        headers = {
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
            # Without Via, discord.py takes a 429 for a Cloudflare ban and raises.
            "Via": "1.1 google",
        }
        body: dict[str, object] = {
            "message": "You are being rate limited.",
            "retry_after": _ceil_ms(retry_after),
            "global": True,
            "code": 0,
        }
        return Verdict(headers, body)


def _bucket_headers(route: str, limit: int, remaining: int, reset_after: float) -> dict[str, str]:
    """Return the X-RateLimit-* headers of a bucket."""
    reset_after = _ceil_ms(reset_after)
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": hashlib.sha256(route.encode()).hexdigest()[:32],
    }


def _ceil_ms(seconds: float) -> float:
    """Round up to the millisecond, so a client waiting exactly this long is never early."""
    return math.ceil(seconds * 1000) / 1000
