"""What a member sees of one interaction: response, deferral, edits, followups, modal, choices."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError
from .recorder import UploadedFile
from .state import EPHEMERAL, Message
from .waiting import Signal

PONG, MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE, MODAL = 1, 4, 5, 6, 7, 8, 9


@dataclass
class Callback:
    """One accepted initial response (POST /interactions/{id}/{token}/callback)."""

    type: int
    data: dict[str, Any]
    files: list[UploadedFile]
    at: float

    @property
    def ephemeral(self) -> bool:
        """Tell whether the response asked for flag 64."""
        flags = self.data.get("flags")
        return isinstance(flags, int) and bool(flags & EPHEMERAL)


@dataclass
class InteractionResult:
    """The life of one interaction as the invoking member experiences it."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    user_id: int
    channel_id: int
    guild_id: int | None
    name: str
    window: float
    token_ttl: float
    source_message_id: int | None = None
    created: float = field(default_factory=time.monotonic)
    initial: Callback | None = None
    rejected: list[ApiError] = field(default_factory=list)
    original_id: int | None = None
    followups: list[Message] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    edits: int = 0
    signal: Signal = field(default_factory=Signal, repr=False)
    messages: dict[int, Message] = field(default_factory=dict, repr=False)

    @property
    def acknowledged(self) -> bool:
        """Tell whether Discord accepted a first response."""
        return self.initial is not None

    @property
    def expired(self) -> bool:
        """Tell whether the window for a first response has passed without one."""
        return self.initial is None and time.monotonic() - self.created > self.window

    @property
    def failed(self) -> bool:
        """Tell whether the member saw "This interaction failed" (no first response in time)."""
        return self.initial is None and (
            self.expired or any(e.code == 10062 for e in self.rejected)
        )

    @property
    def token_valid(self) -> bool:
        """Tell whether the interaction token still works (15 minutes)."""
        return time.monotonic() - self.created <= self.token_ttl

    @property
    def deferred(self) -> bool:
        """Tell whether the first response was a deferral (type 5 or 6)."""
        return self.initial is not None and self.initial.type in (DEFERRED_MESSAGE, DEFERRED_UPDATE)

    @property
    def original(self) -> Message | None:
        """Return the @original message (the reply, or the component's message after 6/7)."""
        return None if self.original_id is None else self.messages.get(self.original_id)

    @property
    def ephemeral(self) -> bool:
        """Tell whether the reply is visible only to the member."""
        original = self.original
        if (
            original is not None
            and self.initial is not None
            and self.initial.type in (MESSAGE, DEFERRED_MESSAGE)
        ):
            return original.ephemeral
        return self.initial is not None and self.initial.ephemeral

    @property
    def visible(self) -> list[Message]:
        """Return what the member sees: the reply (unless still "thinking") and followups."""
        shown: list[Message] = []
        original = self.original
        if original is not None and not original.loading and not original.deleted:
            shown.append(original)
        shown.extend(m for m in self.followups if not m.deleted and m.id != self.original_id)
        return shown

    @property
    def content(self) -> str:
        """Return the content of the first visible message ("" if none)."""
        visible = self.visible
        return visible[0].content if visible else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """Return the embeds of the first visible message."""
        visible = self.visible
        return visible[0].embeds if visible else []

    def text(self) -> str:
        """Return all visible text (content and embeds of every visible message)."""
        return "\n".join(m.text() for m in self.visible)

    def is_done(self) -> bool:
        """Tell whether the member has a final visible answer."""
        initial = self.initial
        if initial is None:
            return False
        if initial.type in (PONG, MESSAGE, UPDATE, AUTOCOMPLETE, MODAL):
            return True
        if self.followups:
            return True
        original = self.original
        if initial.type == DEFERRED_MESSAGE:
            return original is not None and not original.loading
        return self.edits > 0

    async def wait_done(self, timeout: float = 2.0) -> InteractionResult:  # noqa: ASYNC109 - test-helper API
        """Wait for a final visible answer; AssertionError if it failed, TimeoutError if none."""
        await self.signal.wait_until(
            lambda: self.is_done() or self.failed_now(), timeout, self.describe
        )
        if not self.is_done():
            raise AssertionError(f"interaction failed for the member: {self.describe()}")
        return self

    async def wait_ack(self, timeout: float = 2.0) -> InteractionResult:  # noqa: ASYNC109 - test-helper API
        """Wait until Discord accepted a first response."""
        await self.signal.wait_until(lambda: self.acknowledged, timeout, self.describe)
        return self

    async def wait_for(self, condition: Any, timeout: float = 2.0) -> InteractionResult:  # noqa: ASYNC109 - test-helper API
        """Wait until `condition(self)` is true."""
        await self.signal.wait_until(lambda: bool(condition(self)), timeout, self.describe)
        return self

    def failed_now(self) -> bool:
        """Tell whether a late first response was refused (so waiting longer cannot help)."""
        return self.initial is None and any(e.code == 10062 for e in self.rejected)

    def describe(self) -> str:
        """Summarise the state for timeout and failure messages."""
        initial = "none" if self.initial is None else f"type {self.initial.type}"
        refused = ", ".join(f"{e.code} {e.message}" for e in self.rejected) or "none"
        return (
            f"/{self.name} (interaction {self.id}, type {self.type}): first response {initial}, "
            f"refused {refused}, {len(self.followups)} followup(s), {self.edits} edit(s)"
        )

    def changed(self) -> None:
        """Wake waiters after any change."""
        self.signal.notify()
