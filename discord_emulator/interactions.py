"""Build INTERACTION_CREATE for slash commands, autocomplete, component clicks and modals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any

from . import permissions as perm
from .commands import (
    CommandNotAvailable,
    CommandStore,
    EmulatorUsageError,
    allowed_for,
    allowed_in_context,
    leaf_paths,
    resolve_path,
)
from .ids import new_token
from .options import Upload, build_options
from .payloads import channel_payload, member_payload, message_payload, user_payload
from .results import InteractionResult
from .state import Attachment, Channel, Guild, Message, World, iter_components

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
TEXT_INPUT, LABEL, ACTION_ROW, STRING_SELECT = 4, 18, 1, 3
SELECTS = (3, 5, 6, 7, 8)


@dataclass(frozen=True)
class Where:
    """Who acts where: a member in a guild channel, or a user in the bot's DMs."""

    user_id: int
    channel: Channel
    guild: Guild | None
    locale: str = "en-US"


@dataclass(eq=False)
class InteractionFactory:
    """Create interactions the way Discord's client would allow them."""

    world: World
    commands: CommandStore
    _: KW_ONLY
    # Read at each interaction: tests change the emulator's window and token lifetime.
    window: Callable[[], float]
    token_ttl: Callable[[], float]
    new_attachment: Callable[[Upload], Attachment]

    def where(
        self, guild_id: int | None, channel_id: int | None, user_id: int, locale: str = "en-US"
    ) -> Where:
        """Check that the user can act in that place and return it."""
        if user_id not in self.world.users:
            raise EmulatorUsageError(f"no user {user_id}")
        if guild_id is None:
            channel = (
                self.world.dm_channel(user_id)
                if channel_id is None
                else self.world.live_channel(channel_id)
            )
            if channel is None or channel.guild_id is not None:
                raise EmulatorUsageError(f"channel {channel_id} is not a DM channel")
            return Where(user_id, channel, None, locale)
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            raise EmulatorUsageError(f"no guild {guild_id}")
        if user_id not in guild.members:
            raise EmulatorUsageError(f"user {user_id} is not a member of guild {guild.name!r}")
        if channel_id is None:
            live = [c for c in guild.channel_ids if self.world.live_channel(c) is not None]
            if not live:
                raise EmulatorUsageError(f"guild {guild.name!r} has no channel")
            channel_id = live[0]
        channel = self.world.live_channel(channel_id)
        if channel is None or channel.guild_id != guild_id:
            raise EmulatorUsageError(
                f"channel {channel_id} is not a live channel of guild {guild.name!r}"
            )
        return Where(user_id, channel, guild, locale)

    def visible_commands(self, where: Where) -> list[str]:
        """Return the command paths ("price", "deals list") this member would see in the picker."""
        return sorted(p for c in self._visible(where) for p in leaf_paths(c))

    def _visible(self, where: Where) -> list[dict[str, Any]]:
        """Return the synced chat-input commands this member may use here."""
        guild_id = where.guild.id if where.guild is not None else None
        usable = self._member_can_use_commands(where)
        commands = []
        for command in self.commands.available(guild_id):
            if (
                command["type"] != 1
                or not usable
                or not allowed_in_context(command, in_guild=where.guild is not None)
            ):
                continue
            if where.guild is not None:
                perms = perm.guild_permissions(where.guild, where.user_id)
                if not allowed_for(command, perms, is_admin=perms == perm.ALL):
                    continue
            commands.append(command)
        return commands

    def _member_can_use_commands(self, where: Where) -> bool:
        """Tell whether the member may use application commands in the channel at all."""
        if where.guild is None:
            return True
        perms = perm.channel_permissions(where.guild, where.channel, where.user_id)
        return perm.has_all(perms, perm.VIEW_CHANNEL | perm.USE_APPLICATION_COMMANDS)

    def command(
        self, where: Where, path: str, values: Mapping[str, Any], *, focused: str | None = None
    ) -> InteractionResult:
        """Build a slash command (or, with `focused`, an autocomplete) interaction."""
        words = path.strip().lstrip("/").split()
        if not words:
            raise CommandNotAvailable("empty command path")
        guild_id = where.guild.id if where.guild is not None else None
        command = self.commands.find(guild_id, words[0])
        if command is None:
            synced = (
                ", ".join(sorted(c["name"] for c in self.commands.available(guild_id))) or "none"
            )
            raise CommandNotAvailable(f"/{words[0]} was never synced here (synced: {synced})")
        if command not in self._visible(where):
            raise CommandNotAvailable(
                f"/{words[0]} is hidden from user {where.user_id} here (default_member_permissions="
                f"{command.get('default_member_permissions')}, contexts={command.get('contexts')})"
            )
        resolved = resolve_path(command, words[1:])
        options, resolved_data = build_options(
            self.world,
            resolved,
            values,
            guild_id=guild_id,
            new_attachment=self.new_attachment,
            focused=focused,
        )
        data: dict[str, Any] = {
            "id": command["id"],
            "name": command["name"],
            "type": 1,
            "options": options,
        }
        if resolved_data and focused is None:
            data["resolved"] = resolved_data
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        kind = AUTOCOMPLETE if focused is not None else APPLICATION_COMMAND
        return self._build(where, kind, data, " ".join(words))

    def component(
        self, where: Where, message: Message, custom_id: str, values: list[str] | None
    ) -> InteractionResult:
        """Build a button click or select choice on a message."""
        if message.ephemeral and message.interaction_user_id not in (None, where.user_id):
            raise EmulatorUsageError(
                "only the invoking user can see (and click) an ephemeral message"
            )
        component = next(
            (c for c in iter_components(message.components) if c.get("custom_id") == custom_id),
            None,
        )
        if component is None:
            raise EmulatorUsageError(
                f"message {message.id} has no component {custom_id!r} (has: {message.custom_ids()})"
            )
        if component.get("disabled"):
            raise EmulatorUsageError(f"component {custom_id!r} is disabled")
        kind = component.get("type")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if component.get("id") is not None:
            data["id"] = component["id"]
        if kind in SELECTS:
            if values is None:
                raise EmulatorUsageError(f"{custom_id!r} is a select menu: pass values")
            _check_select(component, values)
            data["values"] = list(values)
        elif values is not None:
            raise EmulatorUsageError(f"{custom_id!r} is not a select menu")
        result = self._build(where, COMPONENT, data, f"component {custom_id}", message=message)
        result.source_message_id = message.id
        return result

    def modal_submit(
        self,
        where: Where,
        modal: dict[str, Any],
        values: Mapping[str, Any],
        source: InteractionResult,
    ) -> InteractionResult:
        """Build a modal submission with the member's answers to the modal the bot showed."""
        known: set[str] = set()
        components = [_answer(c, values, known) for c in modal.get("components") or []]
        unknown = sorted(set(values) - known)
        if unknown:
            raise EmulatorUsageError(
                f"modal {modal.get('custom_id')!r} has no input(s) {unknown} (has: {sorted(known)})"
            )
        data = {"custom_id": modal.get("custom_id"), "components": components}
        message = (
            self.world.messages.get(source.source_message_id)
            if source.source_message_id is not None
            else None
        )
        result = self._build(
            where, MODAL_SUBMIT, data, f"modal {modal.get('custom_id')}", message=message
        )
        result.source_message_id = source.source_message_id
        return result

    def _build(
        self,
        where: Where,
        kind: int,
        data: dict[str, Any],
        name: str,
        *,
        message: Message | None = None,
    ) -> InteractionResult:
        """Assemble the INTERACTION_CREATE payload and its result tracker."""
        world = self.world
        interaction_id = world.ids.next()
        token = new_token("aW50ZXJhY3Rpb246")
        channel = where.channel
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(world.application.id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "locale": where.locale,
            "channel_id": str(channel.id),
            "channel": channel_payload(channel, world),
            "app_permissions": str(world.bot_permissions_in(channel)),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        user = world.users[where.user_id]
        if where.guild is not None:
            guild = where.guild
            perms = perm.channel_permissions(guild, channel, where.user_id)
            payload.update(
                {
                    "guild_id": str(guild.id),
                    "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
                    "guild_locale": guild.locale,
                    "member": member_payload(
                        world, guild.members[where.user_id], permissions=perms
                    ),
                    "authorizing_integration_owners": {"0": str(guild.id)},
                    "context": 0,
                }
            )
        else:
            payload.update(
                {
                    "user": user_payload(user),
                    "authorizing_integration_owners": {"0": "0"},
                    "context": 1,
                }
            )
        if message is not None:
            payload["message"] = message_payload(world, message)
        return InteractionResult(
            id=interaction_id,
            token=token,
            type=kind,
            payload=payload,
            user_id=where.user_id,
            channel_id=channel.id,
            guild_id=where.guild.id if where.guild is not None else None,
            name=name,
            window=self.window(),
            token_ttl=self.token_ttl(),
            messages=world.messages,
        )


def _check_select(component: dict[str, Any], values: list[str]) -> None:
    """Check a select choice against min/max values and (for string selects) the offered options."""
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    if not low <= len(values) <= high:
        raise EmulatorUsageError(
            f"select {component.get('custom_id')!r} takes {low}-{high} value(s)"
        )
    if component.get("type") == STRING_SELECT:
        offered = [o.get("value") for o in component.get("options") or []]
        stray = [v for v in values if v not in offered]
        if stray:
            raise EmulatorUsageError(
                f"select {component.get('custom_id')!r} does not offer {stray} (offers {offered})"
            )


def _answer(
    component: dict[str, Any], values: Mapping[str, Any], known: set[str]
) -> dict[str, Any]:
    """Mirror one modal component with the member's answer filled in."""
    kind = component.get("type")
    if kind == ACTION_ROW:
        return {
            "type": ACTION_ROW,
            "components": [_answer(c, values, known) for c in component.get("components") or []],
        }
    if kind == LABEL and isinstance(component.get("component"), dict):
        return {"type": LABEL, "component": _answer(component["component"], values, known)}
    custom_id = component.get("custom_id")
    answer: dict[str, Any] = {"type": kind}
    if component.get("id") is not None:
        answer["id"] = component["id"]
    if not isinstance(custom_id, str):
        return answer
    known.add(custom_id)
    answer["custom_id"] = custom_id
    if kind == TEXT_INPUT:
        value = values.get(custom_id, component.get("value") or "")
        if not isinstance(value, str):
            raise EmulatorUsageError(f"text input {custom_id!r} takes a string")
        if component.get("required", True) and not value:
            raise EmulatorUsageError(f"text input {custom_id!r} is required")
        low, high = component.get("min_length", 0), component.get("max_length", 4000)
        if value and not low <= len(value) <= high:
            raise EmulatorUsageError(f"text input {custom_id!r} takes {low}-{high} characters")
        answer["value"] = value
    elif kind in SELECTS:
        chosen = values.get(custom_id, [])
        answer["values"] = list(chosen)
    return answer
