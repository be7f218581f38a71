"""The application commands the bot synced, and what a given member can see and invoke."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .ids import SnowflakeFactory

CHAT_INPUT = 1
SUBCOMMAND = 1
SUBCOMMAND_GROUP = 2
GUILD_CONTEXT = 0
BOT_DM_CONTEXT = 1


class EmulatorUsageError(Exception):
    """A test asked the emulator for something Discord's client would never let a user do."""


class CommandNotAvailable(EmulatorUsageError):
    """The command is not offered to this member here (unknown, not synced, or hidden)."""


class InvalidOptions(EmulatorUsageError):
    """The options given to a command are unknown, missing or of the wrong kind."""


@dataclass(frozen=True)
class Resolved:
    """A command path resolved against the synced definitions."""

    command: dict[str, Any]
    chain: tuple[dict[str, Any], ...]
    options: list[dict[str, Any]]

    @property
    def leaf(self) -> dict[str, Any]:
        """Return the innermost definition (the subcommand, or the command itself)."""
        return self.chain[-1] if self.chain else self.command


class CommandStore:
    """Global and per-guild command definitions, as Discord stores them after a sync."""

    def __init__(self, ids: SnowflakeFactory, application_id: int) -> None:
        self._ids = ids
        self._application_id = application_id
        self._scopes: dict[int | None, dict[tuple[int, str], dict[str, Any]]] = {}

    def overwrite(
        self, guild_id: int | None, definitions: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Replace a scope's commands, keeping ids of commands that survive (as Discord does)."""
        old = self._scopes.get(guild_id, {})
        new: dict[tuple[int, str], dict[str, Any]] = {}
        for definition in definitions:
            key = (int(definition.get("type") or CHAT_INPUT), str(definition["name"]))
            previous = old.get(key)
            new[key] = self._stored(guild_id, definition, previous["id"] if previous else None)
        self._scopes[guild_id] = new
        return self.in_scope(guild_id)

    def upsert(self, guild_id: int | None, definition: dict[str, Any]) -> dict[str, Any]:
        """Create or replace one command."""
        scope = self._scopes.setdefault(guild_id, {})
        key = (int(definition.get("type") or CHAT_INPUT), str(definition["name"]))
        previous = scope.get(key)
        scope[key] = self._stored(guild_id, definition, previous["id"] if previous else None)
        return copy.deepcopy(scope[key])

    def delete(self, guild_id: int | None, command_id: str) -> bool:
        """Delete one command by id; tell whether it existed."""
        scope = self._scopes.get(guild_id, {})
        for key, stored in list(scope.items()):
            if stored["id"] == command_id:
                del scope[key]
                return True
        return False

    def get(self, guild_id: int | None, command_id: str) -> dict[str, Any] | None:
        """Return one command by id."""
        for stored in self._scopes.get(guild_id, {}).values():
            if stored["id"] == command_id:
                return copy.deepcopy(stored)
        return None

    def in_scope(self, guild_id: int | None) -> list[dict[str, Any]]:
        """Return a scope's commands (guild_id None = global)."""
        return [copy.deepcopy(c) for c in self._scopes.get(guild_id, {}).values()]

    def _stored(
        self, guild_id: int | None, definition: dict[str, Any], command_id: str | None
    ) -> dict[str, Any]:
        """Return the definition as Discord echoes it back: ids, version and defaults filled in."""
        kind = int(definition.get("type") or CHAT_INPUT)
        dmp = definition.get("default_member_permissions")
        stored: dict[str, Any] = {
            "id": command_id or str(self._ids.next()),
            "application_id": str(self._application_id),
            "version": str(self._ids.next()),
            "type": kind,
            "name": definition["name"],
            "name_localizations": definition.get("name_localizations"),
            "description": definition.get("description") or "",
            "description_localizations": definition.get("description_localizations"),
            "default_member_permissions": None if dmp is None else str(dmp),
            "dm_permission": definition.get("dm_permission", True) if guild_id is None else None,
            "nsfw": bool(definition.get("nsfw", False)),
            "contexts": definition.get("contexts"),
            "integration_types": definition.get("integration_types") or [0],
        }
        if kind == CHAT_INPUT:
            stored["options"] = copy.deepcopy(definition.get("options") or [])
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def find(
        self, guild_id: int | None, name: str, kind: int = CHAT_INPUT
    ) -> dict[str, Any] | None:
        """Return the command a user gets for a name here (guild commands shadow global ones)."""
        for scope in (guild_id, None) if guild_id is not None else (None,):
            found = self._scopes.get(scope, {}).get((kind, name))
            if found is not None:
                return found
        return None

    def available(self, guild_id: int | None) -> list[dict[str, Any]]:
        """Return every command present in a guild (or in DMs when guild_id is None)."""
        seen: dict[tuple[int, str], dict[str, Any]] = {}
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for key, command in self._scopes.get(scope, {}).items():
                seen.setdefault(key, command)
        return list(seen.values())


def allowed_in_context(command: dict[str, Any], *, in_guild: bool) -> bool:
    """Tell whether a command is offered in a guild, or in the bot's DMs."""
    contexts = command.get("contexts")
    if contexts is not None:
        return (GUILD_CONTEXT if in_guild else BOT_DM_CONTEXT) in contexts
    return in_guild or command.get("dm_permission") is not False


def allowed_for(command: dict[str, Any], member_permissions: int, *, is_admin: bool) -> bool:
    """Tell whether default_member_permissions lets a member see a command ("0" = admins)."""
    required = command.get("default_member_permissions")
    if required is None or is_admin:
        return True
    needed = int(required)
    return needed != 0 and member_permissions & needed == needed


def resolve_path(command: dict[str, Any], words: list[str]) -> Resolved:
    """Walk "group sub" words below a command to the subcommand whose options the user fills in."""
    chain: list[dict[str, Any]] = []
    options = list(command.get("options") or [])
    for word in words:
        nested = [o for o in options if o.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP)]
        match = next((o for o in nested if o.get("name") == word), None)
        if match is None:
            names = ", ".join(sorted(o["name"] for o in nested)) or "none"
            raise CommandNotAvailable(
                f"/{command['name']} has no subcommand or group {word!r} (has: {names})"
            )
        chain.append(match)
        options = list(match.get("options") or [])
    if any(o.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP) for o in options):
        names = ", ".join(sorted(o["name"] for o in options))
        path = " ".join([command["name"], *words])
        raise CommandNotAvailable(f"/{path} cannot be run by itself: pick one of {names}")
    return Resolved(command, tuple(chain), options)


def leaf_paths(command: dict[str, Any]) -> list[str]:
    """Return every invocable path of a command: "price", or "deals list", "deals add"..."""

    def walk(prefix: str, options: list[dict[str, Any]]) -> list[str]:
        nested = [o for o in options if o.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP)]
        if not nested:
            return [prefix]
        paths: list[str] = []
        for option in nested:
            paths.extend(walk(f"{prefix} {option['name']}", list(option.get("options") or [])))
        return paths

    return walk(str(command["name"]), list(command.get("options") or []))
