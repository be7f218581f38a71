"""Settings a new operator gets wrong: the poll interval, the store's path, the time zone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import cli
from bot.settings import ConfigError, load_settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    for name in ("DISCORD_TOKEN", "MINERWATCH_PRICE_SOURCE", "MINERWATCH_POLL_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MINERWATCH_DB", str(tmp_path / "var" / "store.sqlite3"))
    return tmp_path


def problem(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    (only,) = caught.value.problems
    return only


def promised() -> str:
    """Return the poll message the README promises, as one line."""
    found = re.search(r"`(MINERWATCH_POLL_SECONDS: must be [^`]+)`", README)
    assert found, "the README no longer shows the poll message"
    return " ".join(found.group(1).split())


@pytest.mark.parametrize("value", ["abc", "0.001", "14.9", "0", "nan", "inf", "86401"])
def test_a_bad_poll_interval_reads_as_the_readme_promises(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    message = problem(monkeypatch, MINERWATCH_POLL_SECONDS=value)
    assert message == f"{promised()} (got {value!r})"


@pytest.mark.parametrize(("value", "seconds"), [("15", 15.0), (" 60 ", 60.0), ("86400", 86400.0)])
def test_a_poll_interval_from_15_seconds_is_accepted(
    monkeypatch: pytest.MonkeyPatch, value: str, seconds: float
) -> None:
    monkeypatch.setenv("MINERWATCH_POLL_SECONDS", value)
    assert load_settings(None).poll_seconds == seconds


def test_local_prices_may_be_polled_faster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", "demo")
    monkeypatch.setenv("MINERWATCH_POLL_SECONDS", "0.1")
    assert load_settings(None).poll_seconds == 0.1
    message = problem(monkeypatch, MINERWATCH_POLL_SECONDS="0.01")
    assert message.startswith("MINERWATCH_POLL_SECONDS: must be a number of seconds, at least 0.1")


@pytest.mark.parametrize("url", ["sqlite:///var/x.sqlite3", "mysql://minerwatch:s3cret@db/mw"])
def test_a_database_url_is_refused_and_nothing_is_created(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated: Path,
    url: str,
) -> None:
    monkeypatch.setenv("MINERWATCH_DB", url)
    assert cli.main(["db", "migrate"]) == 2
    err = capsys.readouterr().err
    scheme = url.split(":", 1)[0]
    assert f"MINERWATCH_DB: must be the path of a SQLite file; {scheme}:// URLs" in err
    assert "s3cret" not in err  # a URL may carry a password: it is not echoed
    assert list(isolated.iterdir()) == []  # no directory named "postgresql:"


@pytest.mark.parametrize("zone", ["EST", "Etc/GMT+5"])
def test_a_fixed_offset_default_zone_is_refused(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    message = problem(monkeypatch, MINERWATCH_DEFAULT_TIMEZONE=zone)
    assert message.startswith(f"MINERWATCH_DEFAULT_TIMEZONE: {zone} is a fixed offset")
    assert "America/New_York" in message


@pytest.mark.parametrize(
    "url",
    ["postgresql://minerwatch:s3cret@127.0.0.1:5432/minerwatch", "postgres://mw@localhost/mw"],
)
def test_a_postgresql_url_names_the_postgresql_store(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated: Path,
    url: str,
) -> None:
    monkeypatch.setenv("MINERWATCH_DB", f" {url} ")
    assert load_settings(None).db_path == url  # kept as text: a path would mangle "//"
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert "store: postgres" in out
    assert "s3cret" not in out  # the password is never shown
    assert list(isolated.iterdir()) == []  # nothing created on disk
