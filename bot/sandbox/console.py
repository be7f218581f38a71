"""The sandbox console: type slash commands, read the bot's answers and automatic posts."""

from __future__ import annotations

import asyncio
import shlex
import socket
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.sandbox.emulator import EmulatorUsageError, Message, User
from bot.sandbox.session import SandboxSession
from bot.sandbox.transcript import render_message
from bot.settings import Settings

ANSWER_TIMEOUT = 10.0  # seconds to wait for a final answer (a chart or a Yahoo fetch)
YAHOO_PROBE = ("query2.finance.yahoo.com", 443)
HELP = """Type a slash command as in Discord, e.g.  /price IREN   /deals list company:CIFR
  option:value pairs, or values in order for the first options; quote values with spaces.
Console commands:
  /as admin | /as member    act as the server admin (default) or a plain member
  /in #channel              run commands in another channel (#general, #alerts, #daily)
  /tick                     poll prices now (alerts are evaluated on each poll)
  /wait SECONDS             wait for automatic posts
  /commands                 list the bot's commands      /quit  leave"""
SUBCOMMAND, GROUP, STRING = 1, 2, 3


def _boolean(value: str) -> bool:
    return value.lower() in ("true", "yes", "1", "on")


_CASTS: dict[int, Callable[[str], Any]] = {4: int, 10: float, 5: _boolean}


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

    def __post_init__(self) -> None:
        self.user = self.session.world.admin
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

    async def interact(self) -> int:
        """Read commands from the terminal until /quit or end of input."""
        self.print(HELP, "")
        while True:
            self.out.write(f"[{self.channel_name} as {self._who()}] > ")
            self.out.flush()
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                return self.failures
            line = line.strip()
            if line and not await self.handle(line):
                return self.failures

    async def handle(self, line: str) -> bool:
        """Run one line; return False when the console should stop."""
        if not line.startswith("/"):
            self.print("Commands start with /  (type /commands for the list)")
            return True
        try:
            words = shlex.split(line[1:])
        except ValueError as exc:
            self.print(f"! cannot read that line: {exc}")
            self.failures += 1
            return True
        if not words:
            return True
        verb = words[0]
        if verb in ("quit", "exit"):
            return False
        local = {
            "as": self._switch_user,
            "in": self._switch_channel,
            "tick": self._tick,
            "wait": self._wait,
            "commands": self._list_commands,
        }
        if verb in local and (verb != "in" or len(words) == 2):
            await local[verb](words[1:])
            return True
        await self._invoke(words)
        return True

    async def _invoke(self, words: list[str]) -> None:
        failures_before = len(self.session.bot.tree.failures)
        try:
            path, options = self._parse(words)
            result = await self.session.invoke(
                path, options, user=self.user, channel=self._channel()
            )
            await result.wait_done(timeout=ANSWER_TIMEOUT)
        except (EmulatorUsageError, ValueError) as exc:
            self.print(f"! {exc}")
            self.failures += 1
            return
        except (AssertionError, TimeoutError) as exc:
            self.print(f"! the command got no answer: {exc}")
            self.failures += 1
            return
        if len(self.session.bot.tree.failures) > failures_before:
            self.failures += 1
        marker = (
            "(only you can see this)" if result.ephemeral else f"(posted in #{self.channel_name})"
        )
        self.print(marker)
        for message in result.visible:
            self.print(*render_message(message, self.attachments_dir))
        self.print("")

    def _parse(self, words: list[str]) -> tuple[str, dict[str, Any]]:
        """Turn `/deals list company:CIFR` or `/price IREN` into a command path and options."""
        emu, guild_id = self.session.emu, self.session.world.guild.id
        definition = emu.commands.find(guild_id, words[0])
        if definition is None:
            raise ValueError(f"no command /{words[0]} (type /commands)")
        path, rest, options_def = [words[0]], words[1:], definition.get("options") or []
        while rest and any(
            o["name"] == rest[0] and o["type"] in (SUBCOMMAND, GROUP) for o in options_def
        ):
            chosen = next(o for o in options_def if o["name"] == rest[0])
            path.append(rest.pop(0))
            options_def = chosen.get("options") or []
        ordered = sorted(options_def, key=lambda o: not o.get("required", False))
        values: dict[str, Any] = {}
        positional = iter(o for o in ordered)
        last: dict[str, Any] | None = None  # the option the previous word gave a value
        for word in rest:
            name, sep, value = word.partition(":")
            if sep and any(o["name"] == name for o in options_def):
                option = next(o for o in options_def if o["name"] == name)
            else:
                option = next((o for o in positional if o["name"] not in values), None)
                value = word
                if option is None and last is not None and last["type"] == STRING:
                    # As in Discord, a text value runs on: `/price core scientific`.
                    values[last["name"]] += f" {word}"
                    continue
                if option is None:
                    raise ValueError(f"too many values for /{' '.join(path)}: {word!r}")
            values[option["name"]] = self._cast(option, value)
            last = option
        return " ".join(path), values

    def _cast(self, option: dict[str, Any], value: str) -> Any:
        kind = option["type"]
        if kind == 7:  # channel: #name
            return self._channel(value.lstrip("#")).id
        if kind == 6:  # user: @you / @member
            return self._user(value.lstrip("@")).id
        try:
            return _CASTS.get(kind, str)(value)
        except ValueError:
            raise ValueError(f"{option['name']} must be a number, got {value!r}") from None

    def _channel(self, name: str | None = None) -> Any:
        world = self.session.world
        channels = {"general": world.general, "alerts": world.alerts, "daily": world.daily}
        wanted = name or self.channel_name
        if wanted not in channels:
            raise ValueError(f"no channel #{wanted} (have {', '.join('#' + c for c in channels)})")
        return channels[wanted]

    def _user(self, name: str) -> User:
        world = self.session.world
        people = {"you": world.admin, "admin": world.admin, "member": world.member}
        if name not in people:
            raise ValueError(f"no user @{name} (have @you, @member)")
        return people[name]

    def _who(self) -> str:
        return "member" if self.user is self.session.world.member else "admin"

    async def _switch_user(self, args: list[str]) -> None:
        if args and args[0] in ("member", "admin"):
            self.user = self._user(args[0])
            self.print(f"now acting as the {args[0]}")
        else:
            self.print("use /as admin or /as member")

    async def _switch_channel(self, args: list[str]) -> None:
        try:
            self.channel_name = self._channel(args[0].lstrip("#")).name
            self.print(f"now in #{self.channel_name}")
        except ValueError as exc:
            self.print(f"! {exc}")

    async def _tick(self, _: list[str]) -> None:
        result = await self.session.bot.pipeline.tick()
        self.print(f"polled {len(result.updates)} symbols ({len(result.accepted())} new quotes)")
        await asyncio.sleep(0.2)  # give the outbox worker a moment to post what fired

    async def _wait(self, args: list[str]) -> None:
        seconds = float(args[0]) if args else 1.0
        await asyncio.sleep(min(max(seconds, 0.0), 600.0))

    async def _list_commands(self, _: list[str]) -> None:
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
        self.print(
            f"\n── automatic post in {where} ──", *render_message(message, self.attachments_dir), ""
        )


async def run_sandbox(
    settings: Settings, *, script: Path | None = None, out: TextIO = sys.stdout
) -> int:
    """Start the bot against the local Discord and drive it from a script or the terminal."""
    settings, notes = await sandbox_settings(settings)
    print("Minerwatch sandbox: a local Discord on 127.0.0.1, no Discord account needed.", file=out)
    for note in notes:
        print(f"  {note}", file=out)
    session = await SandboxSession.start(settings)
    try:
        console = Console(session, out=out)
        if script is not None:
            lines = await asyncio.to_thread(script.read_text, encoding="utf-8")
            failures = await console.run_lines(lines.splitlines(), echo=True)
            print(
                f"{failures} command(s) failed" if failures else "all commands answered", file=out
            )
        else:
            failures = await console.interact()
    finally:
        await session.stop()
    return 1 if failures else 0
