"""Discord's OpenAPI spec for the tests: found, or downloaded once into the cache.

Where from, in order: MINERWATCH_DISCORD_SPEC, ../shared/discord-api-spec/openapi.json beside
the checkout, a cached download of the pinned commit (var/cache/discord-api-spec/…), or a new
download of it when the network allows. Without any of them the spec-only checks are one
skipped module, whose reason says how to enable them.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from discord_emulator.spec import (
    PINNED_URL,
    SPEC_ENV,
    download_pinned_spec,
    resolve_spec_path,
)

REPO = Path(__file__).resolve().parents[2]
HOW_TO_ENABLE = (
    "Discord's OpenAPI spec is not available: set MINERWATCH_DISCORD_SPEC=/path/to/openapi.json, "
    f"or let the tests download {PINNED_URL} into var/cache/discord-api-spec/"
)


@functools.cache
def spec_path() -> Path | None:
    """Return the spec file to test against, or None when there is none and no network."""
    found = resolve_spec_path()
    if found is not None or SPEC_ENV in os.environ:  # an explicit choice: no download
        return found if found is not None and found.is_file() else None
    try:
        return download_pinned_spec(REPO / "var" / "cache", timeout=10)
    except OSError:
        return None
