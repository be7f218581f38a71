"""`minerwatch ledger export --format csv|json`: the store's global ledger on stdout or a file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Final, TextIO

from bot.clock import SystemClock
from bot.ledger.export import contracts_csv, contracts_json
from bot.store import Store, StoreError
from bot.store_location import describe

FORMATS: Final = ("csv", "json")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `ledger export` subcommand to the command line."""
    ledger = commands.add_parser("ledger", help="read the contract ledger")
    ledger_commands = ledger.add_subparsers(dest="ledger_command", required=True)
    export = ledger_commands.add_parser(
        "export", help="write the global ledger with kinds, exactness, shares and sources"
    )
    export.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or json")
    export.add_argument("--output", type=Path, help="write to FILE instead of the screen")


def run_export(db_path: Path | str, fmt: str, output: Path | None, stdout: TextIO) -> int:
    """Write the store's global ledger; 0 when written, 1 when it cannot be read or written."""
    if output is not None and not output.parent.is_dir():
        print(f"no such directory: {output.parent}", file=sys.stderr)
        return 1
    try:
        count, text = asyncio.run(_read(db_path, fmt))
    except (StoreError, LookupError) as exc:
        print(exc, file=sys.stderr)
        return 1
    if output is None:
        stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        print(f"{count} contract(s) written to {output}", file=sys.stderr)
    return 0


async def _read(db_path: Path | str, fmt: str) -> tuple[int, str]:
    store = await Store.open(db_path)
    try:
        if await store.ledger.shipped_ledger_as_of() is None:
            raise LookupError(
                f"the store at {describe(db_path)} holds no ledger yet: "
                "run `minerwatch db seed` first"
            )
        contracts = await store.ledger.contracts(guild_id=None)
    finally:
        await store.close()
    today = SystemClock().now().date()
    text = (contracts_json if fmt == "json" else contracts_csv)(contracts, today)
    return len(contracts), text
