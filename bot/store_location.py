"""Where the store is: a SQLite file's path, or a PostgreSQL URL (MINERWATCH_DB).

Kept apart from bot.store so the settings can tell the two apart without loading the store.
"""

from __future__ import annotations

import re
from pathlib import Path

_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)
# user:password@ in a URL's authority: the password is never shown.
_PASSWORD = re.compile(r"^(postgres(?:ql)?://[^:/@]*):[^@/]*@", re.IGNORECASE)


def is_postgres_url(location: object) -> bool:
    """True when ``location`` names a PostgreSQL database rather than a SQLite file."""
    return isinstance(location, str) and _URL.match(location.strip()) is not None


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return _PASSWORD.sub(r"\1:***@", url)


def describe(location: Path | str) -> str:
    """The store's location as shown to people: a path, or a URL without its password."""
    return redact(location) if isinstance(location, str) else str(location)
