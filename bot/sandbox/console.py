"""The sandbox console: type slash commands, read the bot's answers and automatic posts."""

from __future__ import annotations

import asyncio
import logging
import shlex
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.sandbox.command_line import parse_command
from bot.sandbox.controls import Choice, ControlError, find_button, find_selection, find_turn
from bot.sandbox.markup import Names
from bot.sandbox.session import SandboxSession
from bot.sandbox.terminal import Interrupts, LineReader
from bot.sandbox.transcript import Transcript
from bot.settings import Settings
from discord_emulator import EmulatorUsageError, InteractionResult, Message, User
from discord_emulator.checks import LOCALES
from discord_emulator.state import World

log = logging.getLogger(__name__)

# Discord's own codes, with the two short spellings a console user types most.
SHORT_LOCALES = {"en": "en-US", "fr": "fr"}
ANSWER_TIMEOUT = 10.0  # seconds to wait for a final answer (a chart or a Yahoo fetch)
YAHOO_PROBE = ("query2.finance.yahoo.com", 443)
MAX_WAIT = 600.0
SETTLE_SECONDS = 0.15  # an answer unchanged this long is final
HELP = """Type a slash command as in Discord, e.g.  /price IREN   /deals list company:CIFR
  option:value pairs, or values in order; quote values with spaces ("core scientific").
Console commands:
  /as admin | /as member    act as the server admin (default) or a plain member
  /in #channel              run commands in another channel (#general, #alerts, #daily)
  /locale fr | /locale en   switch the Discord client's language (any Discord locale code)
  /press LABEL|NUMBER       press a button of the last message with buttons (/next, /prev)
  /select OPTION            choose an option in the select menu of the last message
  /tick                     poll prices now (alerts are evaluated on each poll)
  /wait SECONDS             wait for automatic posts (0 to 600 seconds)
  /commands                 list the bot's commands      /quit (or Ctrl-C)  leave"""
USAGE = {
    "as": "/as admin | /as member",
    "in": "/in #channel",
    "locale": "/locale fr | /locale en | /locale CODE  (a Discord locale: fr, en-US, en-GB…)",
    "press": "/press LABEL | /press NUMBER",
    "next": "/next",
    "prev": "/prev",
    "select": "/select OPTION [OPTION…]",
    "tick": "/tick",
    "wait": "/wait SECONDS  (a number from 0 to 600)",
    "commands": "/commands",
    "quit": "/quit",
    "exit": "/exit",
}
COMPONENT_UPDATES = (6, 7)  # deferred update, update message: the clicked message changes
CastFn = Callable[[str], Any]


class ConsoleUsageError(ValueError):
    """A console command got arguments it cannot use; the message is its usage line."""


def _boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise ValueError(value)


_CASTS: dict[int, CastFn] = {4: int, 10: float, 5: _boolean}


def yahoo_reachable(timeout: float = 2.0) -> bool:
    """Tell whether Yahoo Finance answers on this machine (a TCP connect, nothing sent)."""
    try:
        with socket.create_connection(YAHOO_PROBE, timeout=timeout):
            return True
    except OSError:
        return False


async def sandbox_settings(settings: Settings) -> tuple[Settings, list[str]]:
    """Adapt the settings for a sandbox run: a throw-away store, demo prices without Yahoo."""
    notes: list[str] = []
    update: dict[str, Any] = {}
    if "db_path" not in settings.model_fields_set:
        folder = Path(tempfile.mkdtemp(prefix="minerwatch-sandbox-"))
        update["db_path"] = folder / "sandbox.sqlite3"
        notes.append(f"store: {update['db_path']} (kept only for this session)")
    if settings.price_source == "yahoo" and not await asyncio.to_thread(yahoo_reachable):
        update["price_source"] = "demo"
        notes.append("Yahoo Finance is not reachable: using bundled DEMO prices (synthetic).")
    return settings.model_copy(update=update), notes


@dataclass
class Console:
    """Parses typed lines into interactions and prints what the member would see."""

    session: SandboxSession
    out: TextIO = sys.stdout
    attachments_dir: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="minerwatch-files-"))
    )
    user: User | None = None
    channel_name: str = "general"
    failures: int = 0
    last_with_controls: int | None = None  # id of the last message shown with components
    prompt_shown: bool = False

    def __post_init__(self) -> None:
        self.user = self.session.world.admin
        self.transcript = Transcript(
            names=_names(self.session.emu.world), attachments_dir=self.attachments_dir
        )
        self.session.emu.messenger.listeners.append(self._on_message)

    def print(self, *lines: str) -> None:
        """Write lines to the console."""
        for line in lines:
            print(line, file=self.out, flush=True)

    async def run_lines(self, lines: Iterable[str], *, echo: bool) -> int:
        """Run each line; return how many commands failed."""
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if echo:
                self.print(f"> {line}")
            if not await self.handle(line):
                break
        return self.failures

    async def interact(self, reader: LineReader) -> int:
        """Read commands from the terminal until /quit or end of input."""
        self.print(HELP, "")
        while True:
            self._prompt()
            line = await reader.readline()
            self.prompt_shown = False
            if line is None:
                self.print("")
                return self.failures
            line = line.strip()
            if line and not await self.handle(line):
                return self.failures

    def _prompt(self) -> None:
        self.out.write(f"[{self.channel_name} as {self._who()}] > ")
        self.out.flush()
        self.prompt_shown = True

    async def handle(self, line: str) -> bool:
        """Run one line; return False when the console should stop. Never raises."""
        try:
            return await self._handle(line)
        except ConsoleUsageError as exc:
            self.print(f"! {exc}")
        except (EmulatorUsageError, ControlError, ValueError) as exc:
            self.print(f"! {exc}")
        except (AssertionError, TimeoutError) as exc:
            self.print(f"! the command got no answer: {exc}")
        except Exception as exc:  # a console bug must not take the bot and its store down
            log.exception("console command failed: %s", line)
            self.print(f"! the console could not run that: {exc!r}")
        self.failures += 1
        return True

    async def _handle(self, line: str) -> bool:
        if not line.startswith("/"):
            raise ConsoleUsageError("commands start with /  (type /commands for the list)")
        try:
            words = shlex.split(line[1:])
        except ValueError as exc:
            raise ConsoleUsageError(f"cannot read that line: {exc}") from None
        if not words:
            return True
        verb, args = words[0], words[1:]
        if verb in ("quit", "exit"):
            self._expect(verb, args, 0)
            return False
        local: dict[str, Callable[[list[str]], Awaitable[None]]] = {
            "as": self._switch_user,
            "in": self._switch_channel,
            "locale": self._switch_locale,
            "tick": self._tick,
            "wait": self._wait,
            "commands": self._list_commands,
            "press": self._press,
            "next": self._next,
            "prev": self._previous,
            "select": self._select,
        }
        if verb in local:
            await local[verb](args)
        else:
            await self._invoke(words)
        return True

    @staticmethod
    def _expect(verb: str, args: list[str], count: int) -> None:
        if len(args) != count:
            raise ConsoleUsageError(f"usage: {USAGE[verb]}")

    async def _invoke(self, words: list[str]) -> None:
        emu, guild_id = self.session.emu, self.session.world.guild.id
        definition = emu.commands.find(guild_id, words[0])
        if definition is None:
            raise ConsoleUsageError(f"no command /{words[0]} (type /commands)")
        parsed = parse_command(definition, words[1:])
        options = {name: self._cast(o, value) for name, (o, value) in parsed.values.items()}
        result = await self.session.invoke(
            parsed.path, options, user=self.user, channel=self._channel()
        )
        await self._show(result)

    async def _show(self, result: InteractionResult) -> None:
        """Wait for the final answer and print it as the member sees it."""
        failures_before = len(self.session.bot.tree.failures)
        await result.wait_done(timeout=ANSWER_TIMEOUT)
        await _settled(result)
        if len(self.session.bot.tree.failures) > failures_before:
            self.failures += 1
        initial = result.initial
        if initial is not None and initial.type in COMPONENT_UPDATES:
            marker = "(the message was updated)"
        elif result.ephemeral or (result.visible and all(m.ephemeral for m in result.visible)):
            marker = "(only you can see this)"
        else:
            marker = f"(posted in #{self._channel_of(result.channel_id)})"
        self.print(marker)
        for message in result.visible:
            self._remember(message)
            self.print(*self.transcript.message(message))
        self.print("")

    def _remember(self, message: Message) -> None:
        if message.components:
            self.last_with_controls = message.id

    def _controls_message(self) -> Message:
        found = (
            None
            if self.last_with_controls is None
            else self.session.emu.message(self.last_with_controls)
        )
        if found is None or found.deleted or not found.components:
            raise ControlError("no message with buttons or menus yet (try /deals list)")
        return found

    async def _click(self, message: Message, choice: Choice) -> None:
        user = self.user
        assert user is not None
        if choice.values is None:
            result = await self.session.emu.click(message, choice.custom_id, user_id=user.id)
        else:
            result = await self.session.emu.select(
                message, choice.custom_id, choice.values, user_id=user.id
            )
        await self._show(result)

    async def _press(self, args: list[str]) -> None:
        if not args:
            raise ConsoleUsageError(f"usage: {USAGE['press']}")
        message = self._controls_message()
        await self._click(message, find_button(message, " ".join(args)))

    async def _next(self, args: list[str]) -> None:
        self._expect("next", args, 0)
        message = self._controls_message()
        await self._click(message, find_turn(message, forward=True))

    async def _previous(self, args: list[str]) -> None:
        self._expect("prev", args, 0)
        message = self._controls_message()
        await self._click(message, find_turn(message, forward=False))

    async def _select(self, args: list[str]) -> None:
        message = self._controls_message()
        await self._click(message, find_selection(message, args))

    def _cast(self, option: dict[str, Any], value: str) -> Any:
        kind = option["type"]
        if kind == 7:  # channel: #name
            return self._channel(value.lstrip("#")).id
        if kind == 6:  # user: @you / @member
            return self._user(value.lstrip("@")).id
        try:
            return _CASTS.get(kind, str)(value)
        except ValueError:
            wanted = "true or false" if kind == 5 else "a number"
            raise ValueError(f"{option['name']} must be {wanted}, got {value!r}") from None

    def _channel(self, name: str | None = None) -> Any:
        world = self.session.world
        channels = {"general": world.general, "alerts": world.alerts, "daily": world.daily}
        wanted = name or self.channel_name
        if wanted not in channels:
            raise ValueError(f"no channel #{wanted} (have {', '.join('#' + c for c in channels)})")
        return channels[wanted]

    def _channel_of(self, channel_id: int) -> str:
        channel = self.session.emu.world.channels.get(channel_id)
        return channel.name if channel is not None else self.channel_name

    def _user(self, name: str) -> User:
        world = self.session.world
        people = {"you": world.admin, "admin": world.admin, "member": world.member}
        if name not in people:
            raise ValueError(f"no user @{name} (have @you, @member)")
        return people[name]

    def _who(self) -> str:
        return "member" if self.user is self.session.world.member else "admin"

    async def _switch_user(self, args: list[str]) -> None:
        if len(args) != 1 or args[0] not in ("member", "admin"):
            raise ConsoleUsageError(f"usage: {USAGE['as']}")
        self.user = self._user(args[0])
        self.print(f"now acting as the {args[0]}")

    async def _switch_channel(self, args: list[str]) -> None:
        self._expect("in", args, 1)
        self.channel_name = self._channel(args[0].lstrip("#")).name
        self.print(f"now in #{self.channel_name}")

    async def _switch_locale(self, args: list[str]) -> None:
        self._expect("locale", args, 1)
        code = SHORT_LOCALES.get(args[0], args[0])
        if code not in LOCALES:
            raise ConsoleUsageError(f"usage: {USAGE['locale']}")
        world = self.session.world
        for person in (world.admin, world.member):  # the console's people share one client
            self.session.emu.set_locale(person.id, code)
        self.transcript.locale = code  # the client draws timestamps in its own language
        self.print(f"Discord client language: {code}")

    async def _tick(self, args: list[str]) -> None:
        self._expect("tick", args, 0)
        result = await self.session.bot.pipeline.tick()
        self.print(f"polled {len(result.updates)} symbols ({len(result.accepted())} new quotes)")
        await asyncio.sleep(0.2)  # give the outbox worker a moment to post what fired

    async def _wait(self, args: list[str]) -> None:
        if len(args) > 1:
            raise ConsoleUsageError(f"usage: {USAGE['wait']}")
        try:
            seconds = float(args[0]) if args else 1.0
        except ValueError:
            raise ConsoleUsageError(f"usage: {USAGE['wait']}") from None
        if not 0.0 <= seconds <= MAX_WAIT:  # also refuses nan
            raise ConsoleUsageError(f"usage: {USAGE['wait']}")
        await asyncio.sleep(seconds)

    async def _list_commands(self, args: list[str]) -> None:
        self._expect("commands", args, 0)
        guild_id, user = self.session.world.guild.id, self.user
        assert user is not None
        for path in self.session.emu.visible_commands(guild_id, user.id):
            self.print(f"  /{path}")

    def _on_message(self, event: str, message: Message) -> None:
        """Print the bot's own posts (alerts, summaries, watch posts) as they arrive."""
        emu = self.session.emu
        automatic = message.interaction_id is None and message.webhook_id is None
        if event != "MESSAGE_CREATE" or not automatic or message.author_id != emu.world.bot.id:
            return
        channel = emu.world.channels.get(message.channel_id)
        where = f"#{channel.name}" if channel and channel.guild_id else "a DM"
        self._remember(message)
        self.print(f"\n── automatic post in {where} ──", *self.transcript.message(message), "")
        if self.prompt_shown:
            self._prompt()  # the post was printed over the prompt: show it again


async def _settled(result: InteractionResult) -> None:
    """Wait until the answer stops changing.

    A first answer is not always the last: a failing command fills its "thinking…" placeholder
    with "…", deletes it and sends the error as a new message right after.
    """
    deadline = time.monotonic() + ANSWER_TIMEOUT

    def state() -> tuple[Any, ...]:
        shown = tuple((m.id, m.content, len(m.embeds), m.deleted) for m in result.visible)
        return result.edits, len(result.followups), shown

    seen = state()
    while time.monotonic() < deadline:
        await asyncio.sleep(SETTLE_SECONDS)
        now = state()
        if now == seen:
            return
        seen = now


def _names(world: World) -> Names:
    """Look names up in the emulator's world, as the client looks them up in its cache."""

    def channel(channel_id: int) -> str | None:
        found = world.channels.get(channel_id)
        return None if found is None or found.deleted else found.name

    def user(user_id: int) -> str | None:
        found = world.users.get(user_id)
        return None if found is None else found.global_name or found.username

    def role(role_id: int) -> str | None:
        for guild in world.guilds.values():
            if role_id in guild.roles:
                return guild.roles[role_id].name
        return None

    return Names(channel=channel, user=user, role=role)


def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()


async def run_sandbox(
    settings: Settings,
    *,
    script: Path | None = None,
    out: TextIO = sys.stdout,
    stdin_fd: int | None = None,
) -> int:
    """Start the bot against the local Discord and drive it from a script or the terminal."""
    settings, notes = await sandbox_settings(settings)
    print("Minerwatch sandbox: a local Discord on 127.0.0.1, no Discord account needed.", file=out)
    for note in notes:
        print(f"  {note}", file=out)
    session = await SandboxSession.start(settings)
    console = Console(session, out=out)
    if script is not None:
        lines = await asyncio.to_thread(script.read_text, encoding="utf-8")
        work = asyncio.create_task(console.run_lines(lines.splitlines(), echo=True))
    else:
        reader = LineReader(sys.stdin.fileno() if stdin_fd is None else stdin_fd)
        work = asyncio.create_task(console.interact(reader))
    interrupts = Interrupts(stop=lambda: _cancel(work), say=console.print)
    try:
        with interrupts.installed(asyncio.get_running_loop()):
            try:
                failures = await work
            except asyncio.CancelledError:
                if not interrupts.presses:
                    raise
                failures = console.failures
            finally:
                # Closing the bot flushes and closes the store: nothing written is lost.
                await session.stop()
    finally:
        if not work.done():
            work.cancel()
    if script is not None:
        if interrupts.presses:
            print("stopped before the end of the script", file=out)
        else:
            print(
                f"{failures} command(s) failed" if failures else "all commands answered", file=out
            )
    else:
        print("Sandbox stopped.", file=out)
    return 1 if failures or (script is not None and interrupts.presses) else 0
