"""The installed version of minerwatch, from the package metadata (one source: pyproject)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def installed_version() -> str:
    """Return the version pip installed, or say it is unknown (running from a bare copy)."""
    try:
        return version("minerwatch")
    except PackageNotFoundError:
        return "unknown (not installed)"
