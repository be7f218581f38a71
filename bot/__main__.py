"""`python -m bot` and the `minerwatch` console script."""

from __future__ import annotations

import gc
import sys

from bot.cli import main as _cli_main


def main() -> None:
    """Run the command line and exit with its status."""
    # Everything loaded at start-up (libraries, calendar, ledger) lives as long as the
    # process: once the bot is logged in, freezing it keeps full collections off the hot
    # paths. Only the process entry point may: a bot started inside another program (a
    # test runner) leaves that program's heap alone.
    sys.exit(_cli_main(once_started=gc.freeze))


if __name__ == "__main__":
    main()
