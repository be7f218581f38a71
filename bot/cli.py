"""The command line: `minerwatch run | sandbox | db … | check | ledger | invite | doctor`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.deploy.startup import Unreachable, describe_startup_failure
from bot.filings.coverage import listings_without_cik
from bot.ledger import export_cli
from bot.ledger.records import LedgerFileError, check_ledger, load_ledger
from bot.logs import setup_logging
from bot.paths import LEDGER_PATH, ShippedDataMissing
from bot.settings import ConfigError, Settings, load_settings
from bot.store import Store, StoreError
from bot.store.copy import copy_store
from bot.store.postgres import PostgresDatabase
from bot.store_location import describe, is_postgres_url, redact
from bot.version import installed_version

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

SANDBOX_INSTEAD = (
    "No DISCORD_TOKEN set: starting the local sandbox. To use real Discord, put a bot token "
    "from https://discord.com/developers/applications in .env as DISCORD_TOKEN=..."
)


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(prog="minerwatch", description=__doc__)
    parser.add_argument("--version", action="version", version=f"minerwatch {installed_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser(
        "run", help="connect to Discord (or start the sandbox without a token)"
    )
    run_command.add_argument(
        "--shards",
        help="run only these gateway shards, e.g. 0-3 (needs --shard-count; "
        "default: MINERWATCH_SHARDS)",
    )
    run_command.add_argument(
        "--shard-count",
        type=int,
        help="the bot's total number of shards (default: MINERWATCH_SHARD_COUNT)",
    )
    sandbox = commands.add_parser("sandbox", help="try the bot against a local Discord")
    sandbox.add_argument(
        "--script", type=Path, help="run the commands in FILE, print the transcript"
    )
    commands.add_parser("check", help="validate the configuration and the shipped ledger")
    invite = commands.add_parser("invite", help="print the link that adds the bot to a server")
    invite.add_argument(
        "--application-id",
        type=int,
        help="the application's id (default: asked from Discord with DISCORD_TOKEN)",
    )
    commands.add_parser(
        "doctor", help="check the token, commands, channels, store and network; 0 when all is well"
    )
    db = commands.add_parser("db", help="manage the store")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("migrate", help="apply pending schema migrations")
    db_commands.add_parser("seed", help="load or update the shipped contract ledger")
    backup = db_commands.add_parser("backup", help="write a consistent copy of the store")
    backup.add_argument("path", type=Path)
    copy = db_commands.add_parser(
        "copy", help="copy the SQLite store into an empty PostgreSQL database, ids kept"
    )
    copy.add_argument(
        "--to", required=True, metavar="URL", help="the target: postgresql://USER@HOST/DATABASE"
    )
    export_cli.add_parser(commands)
    return parser


def main(
    argv: Sequence[str] | None = None, *, once_started: Callable[[], None] = lambda: None
) -> int:
    """Run the command line and return the process exit status.

    ``once_started`` runs when `run` has the bot logged in (the process entry point freezes
    the start-up heap there; a caller inside another program, a test, passes nothing).
    """
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(**sharding_overrides(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    secrets = [settings.discord_token.get_secret_value()] if settings.discord_token else []
    setup_logging(settings.log_level, secrets)
    if args.command == "check":
        return run_check(settings)
    if args.command == "db" and args.db_command == "copy":
        return asyncio.run(run_copy(settings, args.to))
    if args.command == "db":
        return asyncio.run(run_db(settings, args.db_command, getattr(args, "path", None)))
    if args.command == "ledger":
        return export_cli.run_export(settings.db_path, args.format, args.output, sys.stdout)
    if args.command == "run":
        return run(settings, once_started=once_started)
    if args.command == "sandbox":
        return sandbox(settings, args.script)
    if args.command == "invite":
        return asyncio.run(run_invite(settings, args.application_id))
    if args.command == "doctor":
        return asyncio.run(run_doctor(settings))
    return EXIT_USAGE


def sharding_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Return `run --shards/--shard-count` as settings (they win over the environment)."""
    options = {
        "shards": getattr(args, "shards", None),
        "shard_count": getattr(args, "shard_count", None),
    }
    return {name: value for name, value in options.items() if value is not None}


def _failed_to_start(exc: Exception, settings: Settings) -> int:
    """Print a known start-up failure as one line (its traceback at DEBUG); re-raise others."""
    message = describe_startup_failure(exc, settings)
    if message is None:
        raise exc
    log.debug("start-up failed", exc_info=exc)
    print(message, file=sys.stderr)
    return EXIT_PROBLEMS


def run(settings: Settings, *, once_started: Callable[[], None] = lambda: None) -> int:
    """Serve on Discord with a token; without one, start the sandbox."""
    if not settings.has_token:
        print(SANDBOX_INSTEAD, file=sys.stderr)
        return sandbox(settings, None)
    from bot.runtime import run_discord  # imported late: pulls in discord.py and the cogs

    try:
        asyncio.run(run_discord(settings, once_started=once_started))
    except Exception as exc:
        return _failed_to_start(exc, settings)
    return EXIT_OK


def sandbox(settings: Settings, script: Path | None) -> int:
    """Run the bot against the local Discord, interactively or from a script."""
    if script is not None and not script.is_file():
        print(f"no such script: {script}", file=sys.stderr)
        return EXIT_USAGE
    from bot.sandbox.console import run_sandbox  # imported late: the emulator is sandbox-only

    if "log_level" not in settings.model_fields_set:
        setup_logging("WARNING")  # keep the console readable; MINERWATCH_LOG_LEVEL overrides
    try:
        return asyncio.run(run_sandbox(settings, script=script))
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as exc:
        return _failed_to_start(exc, settings)


async def run_invite(settings: Settings, application_id: int | None) -> int:
    """Print the OAuth2 link with the scopes and permissions the bot needs."""
    from bot.deploy.invite import configured_application_id, invite_url
    from bot.deploy.rest import RestError

    if application_id is None:
        if settings.discord_token is None:
            print(
                "no application id: pass --application-id (General Information → Application "
                "ID in the developer portal), or set DISCORD_TOKEN to ask Discord",
                file=sys.stderr,
            )
            return EXIT_USAGE
        try:
            application_id = await configured_application_id(settings)
        except RestError as exc:
            reason = "Discord rejected DISCORD_TOKEN" if exc.status == 401 else "Discord said"
            print(f"{reason}: {exc}", file=sys.stderr)
            return EXIT_PROBLEMS
        except Unreachable as exc:
            print(f"cannot reach Discord: {exc.what} at {exc.url}", file=sys.stderr)
            return EXIT_PROBLEMS
    print(invite_url(application_id, guild_id=settings.dev_guild_id))
    return EXIT_OK


async def run_doctor(settings: Settings) -> int:
    """Print one line per check; exit 0 only when none failed."""
    from bot.deploy.doctor import all_well, diagnose

    findings = await diagnose(settings)
    for finding in findings:
        print(finding.render())
    failed = sum(f.level == "fail" for f in findings)
    print("all is well" if all_well(findings) else f"{failed} problem(s) to fix")
    return EXIT_OK if all_well(findings) else EXIT_PROBLEMS


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
    if missing := listings_without_cik(ledger.companies):
        # A note, not a failure: unknown stays unknown until someone looks the CIK up.
        print(
            f"note: filings are not watched for {len(missing)} US listing(s) without a CIK: "
            + ", ".join(missing)
        )
    print(
        f"configuration ok (prices: {settings.price_source}, store: {describe(settings.db_path)}); "
        f"ledger ok: {len(ledger.companies)} companies, {len(ledger.contracts)} contracts, "
        f"as of {ledger.as_of}"
    )
    return EXIT_OK


async def run_copy(settings: Settings, target_url: str) -> int:
    """Copy the SQLite store into an empty PostgreSQL database; 0 when the copy is proven."""
    if is_postgres_url(settings.db_path):
        print(
            "MINERWATCH_DB already names a PostgreSQL database: `db copy` reads the SQLite "
            "store (set MINERWATCH_DB to its path)",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    if not is_postgres_url(target_url):
        print("--to must be a postgresql:// URL", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        source = await Store.open(settings.db_path)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        target = await PostgresDatabase.connect(target_url.strip())
        try:
            report = await copy_store(source.db, target)
        finally:
            await target.close()
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_PROBLEMS
    finally:
        await source.close()
    for table in report:
        verdict = "ok" if table.matches else "MISMATCH"
        print(
            f"{table.table}: {table.source_rows} -> {table.target_rows} rows, "
            f"md5 {table.source_checksum} -> {table.target_checksum} {verdict}"
        )
    if all(table.matches for table in report):
        rows = sum(table.target_rows for table in report)
        print(
            f"copied {len(report)} tables, {rows} rows, to {redact(target_url)}: counts and "
            "checksums match; set MINERWATCH_DB to that URL to use it"
        )
        return EXIT_OK
    print("the copy differs from the store (see MISMATCH above): do not switch", file=sys.stderr)
    return EXIT_PROBLEMS


async def run_db(settings: Settings, action: str, path: Path | None) -> int:
    """Run one `db` subcommand against the configured store."""
    try:
        store = await Store.open(settings.db_path, migrate=False)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_PROBLEMS
    if action == "backup" and path is not None and not path.parent.is_dir():
        await store.close()
        print(
            f"backup directory {path.parent} does not exist: create it first or choose "
            "another path",
            file=sys.stderr,
        )
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
    except (StoreError, LedgerFileError, ShippedDataMissing) as exc:
        print(exc, file=sys.stderr)
        return EXIT_PROBLEMS
    finally:
        await store.close()
    return EXIT_OK
