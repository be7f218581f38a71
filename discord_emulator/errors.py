"""Discord's JSON error bodies, including the 50035 "Invalid Form Body" tree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PathPart = str | int


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a request body."""

    path: tuple[PathPart, ...]
    code: str
    message: str

    def dotted(self) -> str:
        """Return the path as `embeds.0.title` for human-readable reports."""
        return ".".join(str(part) for part in self.path) or "<body>"


def error_tree(errors: Iterable[FieldError]) -> dict[str, Any]:
    """Nest field errors the way Discord does: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    tree: dict[str, Any] = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": error.code, "message": error.message})
    return tree


@dataclass
class ApiError(Exception):
    """An error response that a route handler wants to send."""

    status: int
    code: int
    message: str
    errors: dict[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """Return the JSON body Discord would send."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def invalid_form_body(errors: Sequence[FieldError]) -> ApiError:
    """Build the 400 / 50035 error for a list of field errors."""
    return ApiError(400, 50035, "Invalid Form Body", error_tree(errors))


def unknown_channel() -> ApiError:
    """Build Discord's 404 for a channel that does not exist (any more)."""
    return ApiError(404, 10003, "Unknown Channel")


def unknown_message() -> ApiError:
    """Build Discord's 404 for a message that does not exist."""
    return ApiError(404, 10008, "Unknown Message")


def unknown_webhook() -> ApiError:
    """Build Discord's 404 for a webhook (or interaction token) it does not know."""
    return ApiError(404, 10015, "Unknown Webhook")


def unknown_interaction() -> ApiError:
    """Build Discord's 404 for an interaction that expired or never existed."""
    return ApiError(404, 10062, "Unknown interaction")


def already_acknowledged() -> ApiError:
    """Build Discord's 400 for a second initial response."""
    return ApiError(400, 40060, "Interaction has already been acknowledged.")


def missing_permissions() -> ApiError:
    """Build Discord's 403 for a permission the bot lacks."""
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    """Build Discord's 403 for a channel the bot cannot see."""
    return ApiError(403, 50001, "Missing Access")


def cannot_dm() -> ApiError:
    """Build Discord's 403 for a user who does not accept DMs from the bot."""
    return ApiError(403, 50007, "Cannot send messages to this user")


def empty_message() -> ApiError:
    """Build Discord's 400 for a message with nothing to show."""
    return ApiError(400, 50006, "Cannot send an empty message")


def unauthorized() -> ApiError:
    """Build Discord's 401 for a missing or wrong bot token."""
    return ApiError(401, 0, "401: Unauthorized")


def invalid_webhook_token() -> ApiError:
    """Build Discord's 401 for an interaction token past its 15 minutes."""
    return ApiError(401, 50027, "Invalid Webhook Token")


def not_found_route() -> ApiError:
    """Build Discord's 404 for a route it does not have."""
    return ApiError(404, 0, "404: Not Found")
