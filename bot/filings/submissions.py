"""EDGAR's submissions JSON (data.sec.gov/submissions/CIK##########.json), read strictly.

``filings.recent`` holds parallel arrays, one entry per index, newest first. Anything else
(missing arrays, arrays of different lengths, a malformed accession number) is refused whole:
a half-read listing could make the watcher skip filings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final

from bot.filings.model import Listing

ACCESSION: Final = re.compile(r"^\d{10}-\d{2}-\d{6}$")
_COLUMNS: Final = ("accessionNumber", "form", "filingDate", "primaryDocument")


class SubmissionsError(ValueError):
    """The submissions document is not in EDGAR's documented shape."""


def parse_submissions(data: Any) -> list[Listing]:
    """Return the recent filings listed in ``data``, in EDGAR's order (newest first)."""
    if not isinstance(data, dict):
        raise SubmissionsError("not a JSON object")
    recent = (
        data.get("filings", {}).get("recent") if isinstance(data.get("filings"), dict) else None
    )
    if not isinstance(recent, dict):
        raise SubmissionsError("no filings.recent")
    missing = [name for name in _COLUMNS if not isinstance(recent.get(name), list)]
    if missing:
        raise SubmissionsError(f"filings.recent lacks {', '.join(missing)}")
    columns: dict[str, list[Any]] = {name: recent[name] for name in _COLUMNS}
    count = len(columns["accessionNumber"])
    optional: dict[str, list[Any]] = {
        name: recent.get(name) or [""] * count
        for name in ("items", "acceptanceDateTime", "primaryDocDescription")
    }
    if any(not isinstance(v, list) for v in optional.values()):
        raise SubmissionsError("filings.recent has a column that is not a list")
    lengths = {len(v) for v in (*columns.values(), *optional.values())}
    if lengths != {count}:
        raise SubmissionsError("filings.recent arrays differ in length")
    listings = []
    for i in range(count):
        accession = columns["accessionNumber"][i]
        if not isinstance(accession, str) or not ACCESSION.match(accession):
            raise SubmissionsError(f"malformed accession number {str(accession)[:30]!r}")
        items = str(optional["items"][i] or "")
        listings.append(
            Listing(
                accession=accession,
                form=str(columns["form"][i]),
                items=tuple(item.strip() for item in items.split(",") if item.strip()),
                filed=str(columns["filingDate"][i]),
                accepted=_accepted(optional["acceptanceDateTime"][i]),
                primary_document=str(columns["primaryDocument"][i] or ""),
                description=str(optional["primaryDocDescription"][i] or ""),
            )
        )
    return listings


def _accepted(value: Any) -> datetime | None:
    """Read EDGAR's acceptance time ("2026-03-02T16:05:11.000Z"); None when absent or odd."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def company_name(data: Any) -> str | None:
    """Return the filer's name from the submissions document, if present."""
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else None
