"""Turn a test's option values into INTERACTION_CREATE options and `resolved`, like the client."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import permissions as perm
from .commands import SUBCOMMAND, SUBCOMMAND_GROUP, InvalidOptions, Resolved
from .payloads import attachment_payload, member_payload, role_payload, user_payload
from .state import Attachment, Channel, Role, User, World

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)
MAX_SAFE = 2**53
STRING_MAX = 6000


@dataclass(frozen=True)
class Upload:
    """A file a member attaches to an ATTACHMENT option."""

    filename: str
    data: bytes
    content_type: str | None = None


def build_options(
    world: World,
    resolved: Resolved,
    values: Mapping[str, Any],
    *,
    guild_id: int | None,
    new_attachment: Callable[[Upload], Attachment],
    focused: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Return (options, resolved); raise InvalidOptions where the client would refuse."""
    definitions = {o["name"]: o for o in resolved.options}
    unknown = sorted(set(values) - set(definitions))
    path = " ".join([resolved.command["name"], *(c["name"] for c in resolved.chain)])
    if unknown:
        raise InvalidOptions(
            f"/{path} has no option(s) {', '.join(unknown)} "
            f"(has: {', '.join(definitions) or 'none'})"
        )
    if focused is None:
        missing = [
            name for name, d in definitions.items() if d.get("required") and name not in values
        ]
        if missing:
            raise InvalidOptions(f"/{path} needs required option(s) {', '.join(missing)}")
    resolver = _Resolver(world, guild_id, new_attachment)
    leaf: list[dict[str, Any]] = []
    for name, value in values.items():
        definition = definitions[name]
        if name == focused:
            if not definition.get("autocomplete"):
                raise InvalidOptions(f"/{path} option {name!r} has no autocomplete")
            leaf.append(
                {"type": definition["type"], "name": name, "value": str(value), "focused": True}
            )
            continue
        converted = resolver.convert(definition, value, path)
        leaf.append({"type": definition["type"], "name": name, "value": converted})
    if focused is not None and focused not in values:
        raise InvalidOptions(f"autocomplete needs a value for the focused option {focused!r}")
    options = leaf
    for link in reversed(resolved.chain):
        options = [{"type": link["type"], "name": link["name"], "options": options}]
    return options, resolver.resolved


def _check_range(definition: dict[str, Any], value: float, where: str) -> None:
    """Check min_value/max_value."""
    low, high = definition.get("min_value"), definition.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidOptions(f"{where} must be between {low} and {high}, got {value}")


def _entity_id(value: Any) -> int:
    """Accept an id or an emulator object with an id."""
    if isinstance(value, (User, Role, Channel)):
        return value.id
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise InvalidOptions(f"expected an id or a User/Role/Channel, got {value!r}")


@dataclass
class _Resolver:
    """Converts one interaction's values where it happens, filling in its `resolved`."""

    world: World
    guild_id: int | None
    new_attachment: Callable[[Upload], Attachment]
    resolved: dict[str, dict[str, Any]] = field(default_factory=dict)

    def convert(self, definition: dict[str, Any], value: Any, path: str) -> Any:
        """Check one value against its definition and return it as Discord sends it."""
        kind = definition["type"]
        name = definition["name"]
        where = f"/{path} option {name!r}"
        if kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
            raise InvalidOptions(f"{where} is a subcommand: put it in the command path instead")
        if kind == STRING:
            if not isinstance(value, str):
                raise InvalidOptions(f"{where} takes a string, got {value!r}")
            low, high = definition.get("min_length", 0), definition.get("max_length", STRING_MAX)
            if not low <= len(value) <= high:
                raise InvalidOptions(f"{where} must be {low}-{high} characters long")
        elif kind == INTEGER:
            if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_SAFE:
                raise InvalidOptions(f"{where} takes an integer, got {value!r}")
            _check_range(definition, value, where)
        elif kind == NUMBER:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidOptions(f"{where} takes a number, got {value!r}")
            _check_range(definition, value, where)
        elif kind == BOOLEAN:
            if not isinstance(value, bool):
                raise InvalidOptions(f"{where} takes true or false, got {value!r}")
        elif kind in (USER, ROLE, MENTIONABLE, CHANNEL):
            return self._entity(definition, value, where)
        elif kind == ATTACHMENT:
            if not isinstance(value, Upload):
                raise InvalidOptions(
                    f"{where} takes an Upload(filename, data), got {type(value).__name__}"
                )
            attachment = self.new_attachment(value)
            self.resolved.setdefault("attachments", {})[str(attachment.id)] = attachment_payload(
                attachment
            )
            return str(attachment.id)
        else:
            raise InvalidOptions(f"{where} has an option type {kind} the emulator does not know")
        choices = definition.get("choices")
        if choices and value not in [c.get("value") for c in choices]:
            raise InvalidOptions(
                f"{where} must be one of {[c.get('value') for c in choices]}, got {value!r}"
            )
        return value

    def _entity(self, definition: dict[str, Any], value: Any, where: str) -> str:
        """Resolve a user, role, mentionable or channel option into `resolved`."""
        world, kind, target = self.world, definition["type"], _entity_id(value)
        guild = world.guilds.get(self.guild_id) if self.guild_id is not None else None
        if kind in (USER, MENTIONABLE) and target in world.users:
            self.resolved.setdefault("users", {})[str(target)] = user_payload(world.users[target])
            member = guild.members.get(target) if guild is not None else None
            if guild is not None and member is not None:
                perms = perm.guild_permissions(guild, target)
                payload = member_payload(world, member, with_user=False, permissions=perms)
                self.resolved.setdefault("members", {})[str(target)] = payload
            return str(target)
        if kind in (ROLE, MENTIONABLE) and guild is not None and target in guild.roles:
            self.resolved.setdefault("roles", {})[str(target)] = role_payload(guild.roles[target])
            return str(target)
        if kind == CHANNEL:
            channel = world.live_channel(target)
            if channel is None:
                raise InvalidOptions(f"{where}: no channel {target}")
            allowed = definition.get("channel_types")
            if allowed and channel.type not in allowed:
                raise InvalidOptions(f"{where} only takes channel types {allowed}")
            entry: dict[str, Any] = {
                "id": str(channel.id),
                "name": channel.name,
                "type": channel.type,
                "permissions": str(perm.ALL),
            }
            if guild is not None and channel.guild_id == guild.id:
                entry["permissions"] = str(world.bot_permissions_in(channel))
            self.resolved.setdefault("channels", {})[str(channel.id)] = entry
            return str(channel.id)
        raise InvalidOptions(f"{where}: nothing with id {target} can be picked here")
