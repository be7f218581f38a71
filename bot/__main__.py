"""`python -m bot` and the `minerwatch` console script."""

from __future__ import annotations

import sys

from bot.cli import main as _cli_main
from bot.heap import settle_heap


def main() -> None:
    """Run the command line and exit with its status."""
    # Once the bot is logged in, what start-up loaded is frozen and young collections are
    # spaced out (bot/heap.py). Only the process entry point may: a bot started inside
    # another program (a test runner) leaves that program's collector alone.
    sys.exit(_cli_main(once_started=settle_heap))


if __name__ == "__main__":
    main()
