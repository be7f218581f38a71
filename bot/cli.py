"""The command line: `minerwatch run | sandbox | db migrate|seed|backup PATH | check`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.clock import SystemClock
from bot.ledger.records import LedgerFileError, check_ledger, load_ledger
from bot.logs import setup_logging
from bot.paths import LEDGER_PATH
from bot.settings import ConfigError, Settings, load_settings
from bot.store import Store, StoreError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

MISSING_CREDENTIALS_HELP = (
    "No DISCORD_TOKEN is set. To connect to Discord, create an application at "
    "https://discord.com/developers/applications, add a bot, copy its token into .env as "
    "DISCORD_TOKEN=..., and invite it with the applications.commands and bot scopes."
)


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(prog="minerwatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="connect to Discord (or start the sandbox without a token)")
    commands.add_parser("check", help="validate the configuration and the shipped ledger")
    db = commands.add_parser("db", help="manage the SQLite store")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("migrate", help="apply pending schema migrations")
    db_commands.add_parser("seed", help="load or update the shipped contract ledger")
    backup = db_commands.add_parser("backup", help="write a consistent copy of the store")
    backup.add_argument("path", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    secrets = [settings.discord_token.get_secret_value()] if settings.discord_token else []
    setup_logging(settings.log_level, secrets)
    if args.command == "check":
        return run_check(settings)
    if args.command == "db":
        return asyncio.run(run_db(settings, args.db_command, getattr(args, "path", None)))
    if args.command == "run":
        return run(settings)
    return EXIT_USAGE


def run(settings: Settings) -> int:
    """Serve on Discord with a token."""
    if not settings.has_token:
        print(MISSING_CREDENTIALS_HELP, file=sys.stderr)
        return EXIT_USAGE
    from bot.runtime import run_discord  # imported late: pulls in discord.py and the cogs

    asyncio.run(run_discord(settings))
    return EXIT_OK


def run_check(settings: Settings, ledger_path: Path = LEDGER_PATH) -> int:
    """Print every problem in the configuration and the shipped ledger; non-zero if any."""
    try:
        ledger = load_ledger(ledger_path)
    except LedgerFileError as exc:
        print(f"ledger {exc.path} is not valid:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in exc.problems), file=sys.stderr)
        return EXIT_PROBLEMS
    problems = check_ledger(ledger)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {ledger_path}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"configuration ok (prices: {settings.price_source}, store: {settings.db_path}); "
        f"ledger ok: {len(ledger.companies)} companies, {len(ledger.contracts)} contracts, "
        f"as of {ledger.as_of}"
    )
    return EXIT_OK


async def run_db(settings: Settings, action: str, path: Path | None) -> int:
    """Run one `db` subcommand against the configured store."""
    try:
        store = await Store.open(settings.db_path, migrate=False)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        applied = await store.db.migrate()
        if action == "migrate":
            version = await store.db.user_version()
            print(f"schema at version {version} ({len(applied)} migration(s) applied)")
        elif action == "seed":
            report = await store.ledger.apply_seed(
                load_ledger(LEDGER_PATH), now=SystemClock().now()
            )
            print(
                f"ledger applied: {report.companies} companies; contracts "
                f"{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.removed)} removed"
            )
        elif action == "backup":
            assert path is not None
            await store.db.backup(path)
            print(f"backup written to {path}")
    except (StoreError, LedgerFileError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_PROBLEMS
    finally:
        await store.close()
    return EXIT_OK
