"""The DiscordEmulator facade: serve, build the world, drive interactions, read what the bot did."""

from __future__ import annotations

import contextlib
import secrets
import statistics
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yarl

from . import permissions as perm
from .backend import Backend
from .commands import CommandStore, EmulatorUsageError
from .faults import Faults
from .gateway import GUILDS_INTENT, Gateway
from .interactions import InteractionFactory, Where
from .messaging import Messenger
from .options import Upload
from .payloads import channel_payload, member_payload
from .ratelimit import RateLimiter
from .recorder import RecordedRequest, Recorder, Violation
from .results import InteractionResult
from .routes import build_router
from .routing import template_finder
from .server import Server
from .sharding import recommended_shards
from .spec import Spec, resolve_spec_path
from .state import Attachment, Channel, Guild, Member, Message, Overwrite, Role, User, World

GUILD_MEMBERS_INTENT = 1 << 1


class DiscordEmulator:
    """A local Discord (REST v10 + gateway) on 127.0.0.1 for the unmodified discord.py client."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_name: str = "Minerwatch",
        spec_path: str | Path | None = None,
        use_spec: bool = True,
        heartbeat_interval_ms: int = 41250,
        interaction_window: float = 3.0,
        token_ttl: float = 900.0,
        nonce_window: float = 300.0,
        strict_embed_permission: bool = False,
    ) -> None:
        self.token = token or f"emulator.{secrets.token_hex(24)}"
        self.interaction_window = interaction_window
        self.token_ttl = token_ttl
        self.world = World(bot_name=bot_name)
        self.commands = CommandStore(self.world.ids, self.world.application.id)
        self.recorder = Recorder()
        self.ratelimits = RateLimiter()
        self.faults = Faults()
        self.gateway = Gateway(
            self.world,
            self.token,
            heartbeat_interval_ms=heartbeat_interval_ms,
            resume_url=self._resume_url,
        )
        self.messenger = Messenger(self.world, self.gateway, self._attachment_url)
        self.messenger.nonce_window = nonce_window
        self.messenger.strict_embed_permission = strict_embed_permission
        self.spec = self._load_spec(spec_path) if use_spec else None
        self.interactions: dict[int, InteractionResult] = {}
        self.interactions_by_token: dict[str, InteractionResult] = {}
        self._uploads: dict[int, Attachment] = {}
        self._factory = InteractionFactory(
            self.world,
            self.commands,
            window=lambda: self.interaction_window,
            token_ttl=lambda: self.token_ttl,
            new_attachment=self._upload,
        )
        router = build_router()
        self._find_template = template_finder(
            list(self.spec.templates()) if self.spec else list(router.templates())
        )
        self.backend = Backend(
            world=self.world,
            commands=self.commands,
            messenger=self.messenger,
            recorder=self.recorder,
            interactions=self.interactions,
            interactions_by_token=self.interactions_by_token,
            gateway_url=lambda: self.gateway_base,
            gateway_bot=self._gateway_bot,
        )
        self._server = Server(
            self.backend,
            router,
            token=self.token,
            faults=self.faults,
            ratelimits=self.ratelimits,
            spec=self.spec,
            spec_template=self.spec_template,
            gateway=self.gateway.handle,
            find_attachment=self.find_attachment,
        )
        self.port = 0

    @staticmethod
    def _load_spec(path: str | Path | None) -> Spec | None:
        """Load the OpenAPI spec if the file is there; without it only the own checks run."""
        resolved = resolve_spec_path(path)
        if resolved is None or not resolved.is_file():
            return None
        return Spec.load(resolved)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> DiscordEmulator:
        """Listen on 127.0.0.1 on a free port."""
        self.port = await self._server.start("127.0.0.1", 0)
        return self

    async def stop(self) -> None:
        """Close the gateway connections and stop the server."""
        await self.gateway.close()
        await self._server.stop()

    async def __aenter__(self) -> DiscordEmulator:
        """Start on entering `async with`."""
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop on leaving `async with`."""
        await self.stop()

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:PORT."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Return the value for discord.http.Route.BASE."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_base(self) -> str:
        """Return the gateway URL as a string."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def gateway_url(self) -> yarl.URL:
        """Return the value for DiscordWebSocket.DEFAULT_GATEWAY (a yarl.URL, not a str)."""
        return yarl.URL(self.gateway_base)

    def _resume_url(self) -> str:
        """Return READY's resume_gateway_url (its own path, so tests can see it was used)."""
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    def _gateway_bot(self) -> dict[str, Any]:
        """Return GET /gateway/bot: the URL, the recommended shards and the session starts."""
        return {
            "url": self.gateway_base,
            "shards": recommended_shards(len(self.world.guilds)),
            "session_start_limit": self.gateway.session_starts.payload(),
        }

    def _attachment_url(self, channel_id: int, attachment_id: int, filename: str) -> str:
        """Return the download URL of an attachment."""
        return f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"

    @contextlib.contextmanager
    def patch_discord_py(self) -> Iterator[None]:
        """Point discord.py's class-level REST base and gateway URL here, then restore them."""
        import discord.gateway
        import discord.http

        old_base, old_gateway = (
            discord.http.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        )
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self.gateway_url
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # -- the world -------------------------------------------------------------------------

    @property
    def bot_user(self) -> User:
        """Return the bot's user."""
        return self.world.bot

    @property
    def application_id(self) -> int:
        """Return the application id (equal to the bot user id)."""
        return self.world.application.id

    def add_user(self, username: str, *, dms_open: bool = True, bot: bool = False) -> User:
        """Create a user (not in any guild yet)."""
        return self.world.add_user(username, bot=bot, dms_open=dms_open)

    def add_guild(
        self,
        name: str,
        *,
        owner_id: int | None = None,
        bot_permissions: int = perm.DEFAULT_BOT,
        on_shard: tuple[int, int] | None = None,
    ) -> Guild:
        """Create a guild the bot is in; after READY the bot gets a GUILD_CREATE for it.

        ``on_shard=(shard_id, shard_count)`` picks an id that puts the guild on that shard.
        """
        guild = self.world.add_guild(
            name, owner_id=owner_id, bot_permissions=bot_permissions, on_shard=on_shard
        )
        self.gateway.announce_guild(guild)
        return guild

    def add_role(self, guild_id: int, name: str, permissions: int) -> Role:
        """Create a role."""
        return self.world.add_role(guild_id, name, permissions)

    def add_member(
        self,
        guild_id: int,
        user: int | str | User,
        *,
        permissions: int | None = None,
        roles: list[int] | None = None,
    ) -> User:
        """Add a user (id, User or new name) to a guild; `permissions` becomes their own role."""
        if isinstance(user, str):
            found = self.add_user(user)
        elif isinstance(user, User):
            found = user
        else:
            found = self.world.users[user]
        role_ids = list(roles or [])
        if permissions is not None:
            role_ids.append(self.add_role(guild_id, f"{found.username}-perms", permissions).id)
        member = self.world.add_member(guild_id, found.id, role_ids=role_ids)
        self._announce_member(member)
        return found

    def _announce_member(self, member: Member) -> None:
        """Dispatch GUILD_MEMBER_ADD to a session with the members intent."""
        payload = {**member_payload(self.world, member), "guild_id": str(member.guild_id)}
        self.gateway.dispatch(
            "GUILD_MEMBER_ADD", payload, guild_id=member.guild_id, intent=GUILD_MEMBERS_INTENT
        )

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        bot_can_view: bool = True,
        bot_can_send: bool = True,
        bot_can_embed: bool = True,
        bot_can_attach: bool = True,
        overwrites: list[Overwrite] | None = None,
    ) -> Channel:
        """Create a text channel; bot_can_*=False adds an overwrite denying the bot that."""
        deny = 0
        for allowed, bit in (
            (bot_can_view, perm.VIEW_CHANNEL),
            (bot_can_send, perm.SEND_MESSAGES),
            (bot_can_embed, perm.EMBED_LINKS),
            (bot_can_attach, perm.ATTACH_FILES),
        ):
            if not allowed:
                deny |= bit
        extra = list(overwrites or [])
        if deny:
            extra.append(Overwrite(id=self.world.bot.id, type=perm.MEMBER_OVERWRITE, deny=deny))
        channel = self.world.add_channel(guild_id, name, overwrites=extra)
        self.gateway.dispatch(
            "CHANNEL_CREATE",
            channel_payload(channel, self.world),
            guild_id=guild_id,
            intent=GUILDS_INTENT,
        )
        return channel

    def delete_channel(self, channel_id: int) -> None:
        """Delete a channel: later sends get 404 10003 Unknown Channel."""
        channel = self.world.channels[channel_id]
        channel.deleted = True
        self.gateway.dispatch(
            "CHANNEL_DELETE",
            channel_payload(channel, self.world),
            guild_id=channel.guild_id,
            intent=GUILDS_INTENT,
        )

    def set_dms_open(self, user_id: int, open_: bool) -> None:
        """Open or close a user's DMs to the bot (closed: sends get 403 50007)."""
        self.world.users[user_id].dms_open = open_

    def set_locale(self, user_id: int, locale: str) -> None:
        """Switch a user's Discord client to another language ("fr", "en-US")."""
        self.world.users[user_id].locale = locale

    def set_guild_locale(self, guild_id: int, locale: str) -> None:
        """Set a server's Discord language (its community locale), sent as ``guild_locale``."""
        self.world.guilds[guild_id].locale = locale

    def set_owner(self, user_id: int) -> None:
        """Make a user the application's owner (no team)."""
        self.world.application.owner_id = user_id
        self.world.application.team_id = None
        self.world.application.team_member_ids = []

    def set_team(self, member_ids: list[int], *, owner_id: int | None = None) -> int:
        """Make the application team-owned, with these members; return the team id."""
        app = self.world.application
        app.team_id = self.world.ids.next()
        app.team_member_ids = list(member_ids)
        app.owner_id = owner_id if owner_id is not None else member_ids[0]
        return app.team_id

    # -- interactions ----------------------------------------------------------------------

    def _upload(self, upload: Upload) -> Attachment:
        """Store a file a member attached to a command option."""
        attachment_id = self.world.ids.next()
        attachment = Attachment(
            id=attachment_id,
            filename=upload.filename,
            data=upload.data,
            url=self._attachment_url(0, attachment_id, upload.filename),
            content_type=upload.content_type,
        )
        self._uploads[attachment_id] = attachment
        return attachment

    def _send(self, result: InteractionResult) -> InteractionResult:
        """Register an interaction and dispatch INTERACTION_CREATE to the shard of its guild."""
        if not self.gateway.sessions_for(result.guild_id):
            raise EmulatorUsageError(
                "the bot has no gateway session for this guild's shard: nobody would receive "
                "the interaction"
            )
        self.interactions[result.id] = result
        self.interactions_by_token[result.token] = result
        self.gateway.dispatch("INTERACTION_CREATE", result.payload, guild_id=result.guild_id)
        return result

    def where(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        *,
        locale: str | None = None,
    ) -> Where:
        """Return a checked place for a user to act (guild_id None = the bot's DMs).

        The interaction carries the user's client language unless ``locale`` overrides it.
        """
        user = self.world.users.get(user_id)
        chosen = locale or (user.locale if user is not None else "en-US")
        return self._factory.where(guild_id, channel_id, user_id, chosen)

    async def invoke(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        locale: str | None = None,
    ) -> InteractionResult:
        """Run a synced slash command ("deals list"); raise if the client would not offer it."""
        where = self.where(guild_id, channel_id, user_id, locale=locale)
        return self._send(self._factory.command(where, command, options or {}))

    async def autocomplete(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        focused: str,
        value: str,
        timeout: float = 2.0,  # noqa: ASYNC109 - test-helper API
        locale: str | None = None,
    ) -> list[dict[str, Any]]:
        """Type `value` into an autocomplete option and return the choices the bot offers."""
        where = self.where(guild_id, channel_id, user_id, locale=locale)
        values = {**(options or {}), focused: value}
        result = self._send(self._factory.command(where, command, values, focused=focused))
        await result.wait_ack(timeout)
        return list(result.choices or [])

    def visible_commands(
        self, guild_id: int | None, user_id: int, channel_id: int | None = None
    ) -> list[str]:
        """Return the command paths a member sees in the picker ("price", "deals list", ...)."""
        return self._factory.visible_commands(self.where(guild_id, channel_id, user_id))

    async def click(
        self, message: Message | int, custom_id: str, *, user_id: int
    ) -> InteractionResult:
        """Click a button on a message as a user."""
        return self._component(message, custom_id, user_id, None)

    async def select(
        self, message: Message | int, custom_id: str, values: list[str], *, user_id: int
    ) -> InteractionResult:
        """Choose values in a select menu on a message as a user."""
        return self._component(message, custom_id, user_id, values)

    def _component(
        self, message: Message | int, custom_id: str, user_id: int, values: list[str] | None
    ) -> InteractionResult:
        """Build and send a component interaction."""
        found = self.world.messages.get(message if isinstance(message, int) else message.id)
        if found is None or found.deleted:
            raise EmulatorUsageError(f"no message {message}")
        where = self.where(found.guild_id, found.channel_id, user_id)
        return self._send(self._factory.component(where, found, custom_id, values))

    async def submit_modal(
        self, shown: InteractionResult, values: Mapping[str, Any], *, user_id: int | None = None
    ) -> InteractionResult:
        """Fill in and submit the modal the bot showed in answer to an interaction."""
        if shown.modal is None:
            raise EmulatorUsageError(f"no modal was shown: {shown.describe()}")
        where = self.where(shown.guild_id, shown.channel_id, user_id or shown.user_id)
        return self._send(self._factory.modal_submit(where, shown.modal, values, shown))

    def say(
        self,
        user_id: int,
        channel_id: int,
        content: str,
        *,
        embeds: list[dict[str, Any]] | None = None,
    ) -> Message:
        """Post a message as a user (a member talking in a channel), as Discord would show it."""
        channel = self.world.live_channel(channel_id)
        if channel is None:
            raise EmulatorUsageError(f"no channel {channel_id}")
        body: dict[str, Any] = {"content": content, "embeds": embeds or []}
        return self.messenger.create(channel, user_id, body, [])

    def forget_nonces(self) -> None:
        """Forget every nonce now: a resend creates a new message, as after Discord's window."""
        self.messenger.forget_nonces()

    # -- reading what the bot did -----------------------------------------------------------

    def posts(self, channel_id: int) -> list[Message]:
        """Return the messages everyone sees in a channel, oldest first."""
        return [
            m
            for m in self.world.channel_messages.get(channel_id, [])
            if not m.deleted and not m.ephemeral
        ]

    def dms(self, user_id: int) -> list[Message]:
        """Return the messages in the bot's DM channel with a user."""
        channel_id = self.world.dm_channel_of.get(user_id)
        return [] if channel_id is None else self.posts(channel_id)

    def message(self, message_id: int) -> Message | None:
        """Return any stored message by id."""
        return self.world.messages.get(message_id)

    async def wait_for_posts(
        self,
        channel_id: int,
        count: int = 1,
        timeout: float = 2.0,  # noqa: ASYNC109 - test-helper API
    ) -> list[Message]:
        """Wait until a channel has at least `count` visible posts and return them."""
        return await self._wait_for(
            lambda: self.posts(channel_id), count, timeout, f"channel {channel_id}", "post(s)"
        )

    async def next_post(self, channel_id: int, timeout: float = 2.0) -> Message:  # noqa: ASYNC109 - test-helper API
        """Wait for the next post in a channel after this call."""
        seen = len(self.posts(channel_id))
        posts = await self.wait_for_posts(channel_id, seen + 1, timeout)
        return posts[seen]

    async def wait_for_dms(
        self,
        user_id: int,
        count: int = 1,
        timeout: float = 2.0,  # noqa: ASYNC109 - test-helper API
    ) -> list[Message]:
        """Wait until the bot has sent a user at least `count` DMs and return them."""
        return await self._wait_for(
            lambda: self.dms(user_id), count, timeout, f"user {user_id}", "DM(s)"
        )

    async def _wait_for(
        self,
        messages: Callable[[], list[Message]],
        count: int,
        timeout: float,  # noqa: ASYNC109 - test-helper API
        where: str,
        what: str,
    ) -> list[Message]:
        """Wait until `messages()` holds at least `count`; on timeout say how many there were."""
        await self.messenger.posted.wait_until(
            lambda: len(messages()) >= count,
            timeout,
            lambda: f"{where} has {len(messages())} {what}, wanted {count}",
        )
        return messages()

    def find_attachment(self, attachment_id: int) -> Attachment | None:
        """Return an uploaded file by attachment id."""
        if attachment_id in self._uploads:
            return self._uploads[attachment_id]
        for message in self.world.messages.values():
            for attachment in message.attachments:
                if attachment.id == attachment_id:
                    return attachment
        return None

    # -- diagnostics --------------------------------------------------------------------------

    def spec_template(self, method: str, path: str) -> str | None:
        """Return the spec's path template for a request path (None if unknown)."""
        return self._find_template(method, path)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return every recorded request."""
        return self.recorder.requests

    @property
    def violations(self) -> list[Violation]:
        """Return request bodies Discord would have rejected."""
        return self.recorder.violations

    @property
    def unhandled(self) -> list[RecordedRequest]:
        """Return requests to routes the emulator does not implement."""
        return self.recorder.unhandled

    def unanswered(self) -> list[InteractionResult]:
        """Return interactions that never got an accepted first response."""
        return [i for i in self.interactions.values() if i.initial is None]

    def problems(self) -> list[str]:
        """Describe every violation, unhandled route and unanswered interaction."""
        found = [f"violation: {v}" for v in self.violations]
        found += [f"unhandled route: {r.method} {r.path}" for r in self.unhandled]
        found += [f"unanswered interaction: {i.describe()}" for i in self.unanswered()]
        return found

    def assert_clean(self) -> None:
        """Fail with a readable list if anything went wrong that Discord would not have accepted."""
        found = self.problems()
        assert not found, "Discord emulator saw problems:\n" + "\n".join(found)

    def validation_stats(self) -> dict[str, float]:
        """Return how many bodies were validated and how long it took (milliseconds)."""
        times = [t * 1000 for t in self.recorder.validation_seconds]
        if not times:
            return {"count": 0, "mean_ms": 0.0, "max_ms": 0.0}
        return {"count": len(times), "mean_ms": statistics.fmean(times), "max_ms": max(times)}
