"""A stand-in for Discord at the Sender boundary: scripted failures, enforced nonces."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.outbox.marker import marker_for
from bot.outbox.model import Destination, Payload
from bot.outbox.sender import SearchResult


class Crash(BaseException):
    """The process dies mid-send (nothing in the worker may swallow this)."""


@dataclass
class Posted:
    """A message as the fake Discord holds it."""

    message_id: int
    destination: str
    payload: Payload
    nonce: str


@dataclass
class FakeDiscord:
    """Discord's side: a reused nonce returns the message already created (enforce_nonce)."""

    messages: list[Posted] = field(default_factory=list)
    _by_nonce: dict[tuple[str, str], int] = field(default_factory=dict)

    def post(self, destination: str, payload: Payload, nonce: str) -> int:
        known = self._by_nonce.get((destination, nonce))
        if known is not None:
            return known
        message_id = 900_000 + len(self.messages)
        self.messages.append(Posted(message_id, destination, payload, nonce))
        self._by_nonce[(destination, nonce)] = message_id
        return message_id

    def to(self, destination: str) -> list[Posted]:
        return [m for m in self.messages if m.destination == destination]

    def forget_nonces(self) -> None:
        """Forget every nonce, as Discord does a few minutes after a send."""
        self._by_nonce.clear()


class FakeSender:
    """A Sender that records every attempt and fails as scripted per destination."""

    def __init__(self, discord: FakeDiscord | None = None, *, delay: float = 0.0) -> None:
        self.discord = discord or FakeDiscord()
        self.delay = delay
        self.attempts: list[tuple[str, str]] = []  # (destination, nonce) of every try
        self.failures: dict[str, list[BaseException]] = {}
        self.crash_after_posting: set[str] = set()  # nonces: post, then die before answering
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_per_destination: Counter[str] = Counter()
        self.max_in_flight_per_destination = 0
        self.searches: list[tuple[str, str, datetime]] = []  # (destination, marker, after)
        self.search_failures: list[BaseException] = []
        self.give_up_searches = False  # every search reaches its bound without the marker

    def fail(self, destination: str, *errors: BaseException) -> None:
        self.failures.setdefault(destination, []).extend(errors)

    async def send_channel(self, channel_id: int, payload: Payload, nonce: str) -> int:
        return await self._send(f"channel:{channel_id}", payload, nonce)

    async def send_dm(self, user_id: int, payload: Payload, nonce: str) -> int:
        return await self._send(f"user:{user_id}", payload, nonce)

    async def find(self, destination: Destination, marker: str, after: datetime) -> SearchResult:
        self.searches.append((str(destination), marker, after))
        if self.search_failures:
            raise self.search_failures.pop(0)
        if self.give_up_searches:
            return SearchResult(None, 5, gave_up=True)
        for message in self.discord.to(str(destination)):
            if marker_for(message.nonce) == marker:
                return SearchResult(message.message_id, 1)
        return SearchResult(None, 1)

    async def _send(self, destination: str, payload: Payload, nonce: str) -> int:
        self.attempts.append((destination, nonce))
        self.in_flight += 1
        self.in_flight_per_destination[destination] += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.max_in_flight_per_destination = max(
            self.max_in_flight_per_destination, self.in_flight_per_destination[destination]
        )
        try:
            await asyncio.sleep(self.delay)
            queued = self.failures.get(destination)
            if queued:
                raise queued.pop(0)
            message_id = self.discord.post(destination, payload, nonce)
            if nonce in self.crash_after_posting:
                self.crash_after_posting.discard(nonce)
                raise Crash(nonce)
            return message_id
        finally:
            self.in_flight -= 1
            self.in_flight_per_destination[destination] -= 1
