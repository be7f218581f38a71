"""`python -m bot` and the `minerwatch` console script."""

from __future__ import annotations

import sys

from bot.cli import main as _cli_main


def main() -> None:
    """Run the command line and exit with its status."""
    sys.exit(_cli_main())


if __name__ == "__main__":
    main()
