"""Where the bot finds the data it ships with: the schema migrations and the seed ledger.

They are package data (``bot/data``), read through importlib.resources, so a built wheel
works from any directory exactly as a checkout does.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


class ShippedDataMissing(Exception):
    """A file the program ships with is not where the package says (a broken install)."""


def _on_disk(resource: Traversable) -> Path:
    """Return a shipped resource as a file-system path.

    pip installs packages unpacked, so the resources are plain files; a zipped import would
    need extraction, which nothing here does, so it is refused clearly instead.
    """
    if not isinstance(resource, Path):
        raise ShippedDataMissing(f"minerwatch must be installed unpacked; found {resource!r}")
    return resource


DATA_DIR = _on_disk(files("bot").joinpath("data"))
MIGRATIONS_DIR = DATA_DIR / "migrations"
LEDGER_PATH = DATA_DIR / "ledger.yaml"
