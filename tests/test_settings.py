"""Settings: every bad value names its variable; the token never leaks."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bot.logs import REDACTED, RedactSecrets
from bot.settings import ConfigError, Settings, load_settings

FAKE_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GfakeT.this-is-not-a-real-token-0123456789abcd"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own environment out of these tests."""
    for name in (
        "DISCORD_TOKEN",
        "DISCORD_API_BASE",
        "DISCORD_GATEWAY_URL",
        "MINERWATCH_DEV_GUILD_ID",
        "MINERWATCH_DB",
        "MINERWATCH_PRICE_SOURCE",
        "MINERWATCH_POLL_SECONDS",
        "MINERWATCH_CACHE_DIR",
        "MINERWATCH_LOG_LEVEL",
        "MINERWATCH_MAX_ALERTS_PER_USER",
        "MINERWATCH_MAX_ALERTS_PER_GUILD",
        "MINERWATCH_DEFAULT_TIMEZONE",
        "MINERWATCH_BTC_NETWORK_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_match_the_documented_table() -> None:
    """With nothing set, the bot runs on Yahoo every 60 s against var/ and has no token."""
    settings = load_settings(None)
    assert settings.discord_token is None and not settings.has_token
    assert settings.discord_api_base == "https://discord.com/api/v10"
    assert settings.price_source == "yahoo"
    assert settings.poll_seconds == 60
    assert settings.db_path == Path("var/minerwatch.sqlite3")
    assert settings.cache_dir == Path("var/cache")
    assert (settings.max_alerts_per_user, settings.max_alerts_per_guild) == (25, 500)
    assert settings.sec_contact is None  # the filings watcher is off until it is set
    assert (settings.sec_data_url, settings.sec_archives_url) == (
        "https://data.sec.gov",
        "https://www.sec.gov",
    )
    assert settings.sec_poll_seconds == 60


def test_a_local_edgar_may_be_polled_faster_than_sec() -> None:
    """The 10-second floor protects SEC; a loopback EDGAR (tests, benchmarks) has none."""
    local = load_settings(None, sec_data_url="http://127.0.0.1:8000", sec_poll_seconds=0.5)
    assert local.sec_poll_seconds == 0.5
    with pytest.raises(ConfigError, match=r"MINERWATCH_SEC_POLL_SECONDS: must be .* at least 10"):
        load_settings(None, sec_poll_seconds=0.5)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("MINERWATCH_POLL_SECONDS", "0", "at least 15"),
        ("MINERWATCH_POLL_SECONDS", "-5", "at least 15"),
        ("MINERWATCH_POLL_SECONDS", "soon", "must be a number of seconds"),
        ("DISCORD_API_BASE", "discord.com/api", "http://"),
        ("DISCORD_API_BASE", "ftp://discord.com/api", "http://"),
        ("DISCORD_GATEWAY_URL", "https://gateway.discord.gg", "ws://"),
        ("MINERWATCH_PRICE_SOURCE", "bloomberg", "'yahoo', 'demo' or 'replay:PATH'"),
        ("MINERWATCH_PRICE_SOURCE", "replay:/no/such/file.csv", "missing or unreadable"),
        ("MINERWATCH_DEFAULT_TIMEZONE", "Mars/Olympus_Mons", "unknown time zone"),
        ("MINERWATCH_LOG_LEVEL", "LOUD", "DEBUG"),
        ("MINERWATCH_DEV_GUILD_ID", "-3", "server id"),
        ("MINERWATCH_MAX_ALERTS_PER_USER", "0", "between 1 and"),
        ("MINERWATCH_SEC_CONTACT", "jane@example.com", "your name and e-mail address"),
        ("MINERWATCH_SEC_CONTACT", "Jane Doe", "your name and e-mail address"),
        ("MINERWATCH_SEC_POLL_SECONDS", "5", "at least 10"),
        ("MINERWATCH_SEC_POLL_SECONDS", "often", "must be a number of seconds"),
        ("MINERWATCH_SEC_DATA_URL", "data.sec.gov", "http://"),
        ("MINERWATCH_SEC_ARCHIVES_URL", "ftp://www.sec.gov", "http://"),
    ],
)
def test_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{variable}: ")
    assert expected in problem


def test_replay_source_accepts_a_readable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay = tmp_path / "prices.csv"
    replay.write_text("timestamp,symbol,price\n+0,IREN,40\n")
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", f"replay:{replay}")
    assert load_settings(None).price_source == f"replay:{replay}"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("MINERWATCH_POLL_SECONDS=15\nMINERWATCH_LOG_LEVEL=debug\n")
    settings = load_settings(env_file)
    assert settings.poll_seconds == 15
    assert settings.log_level == "DEBUG"


def test_token_is_hidden_in_repr_str_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    settings = load_settings(None)
    assert FAKE_TOKEN not in repr(settings)
    assert FAKE_TOKEN not in str(settings)
    assert FAKE_TOKEN not in str(settings.model_dump())
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == FAKE_TOKEN


def test_malformed_token_error_does_not_echo_it(monkeypatch: pytest.MonkeyPatch) -> None:
    leaked = FAKE_TOKEN[:30] + " " + FAKE_TOKEN[30:]
    monkeypatch.setenv("DISCORD_TOKEN", leaked)
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    assert caught.value.problems[0].startswith("DISCORD_TOKEN: ")
    assert FAKE_TOKEN[:30] not in str(caught.value)
    assert caught.value.__suppress_context__  # the pydantic error (which holds the input) is hidden


def test_settings_are_immutable() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="frozen"):
        settings.poll_seconds = 1  # type: ignore[misc]


def test_log_filter_redacts_the_token_in_messages_and_tracebacks() -> None:
    record_filter = RedactSecrets([FAKE_TOKEN])
    try:
        raise RuntimeError(f"login failed with {FAKE_TOKEN}")
    except RuntimeError:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "token=%s", (FAKE_TOKEN,), sys.exc_info()
        )
    assert record_filter.filter(record)
    assert FAKE_TOKEN not in record.getMessage()
    assert REDACTED in record.getMessage()
    assert record.exc_text is not None and FAKE_TOKEN not in record.exc_text


# Outside feeds that follow the price source: the setting read, the option that sets it,
# its default, a local URL as given and as read, and "off" as someone might spell it.
@pytest.mark.parametrize(
    ("attribute", "option", "default", "given", "read", "off"),
    [
        pytest.param(
            "network_url",
            "btc_network_url",
            "https://mempool.space/api",
            "http://127.0.0.1:9/api/",
            "http://127.0.0.1:9/api",
            "OFF",
            id="network-data",
        ),
        pytest.param(
            "stream_endpoint",
            "stream_url",
            "wss://streamer.finance.yahoo.com/?version=2",
            "ws://127.0.0.1:9/",
            "ws://127.0.0.1:9/",
            "Off",
            id="price-stream",
        ),
    ],
)
def test_an_outside_feed_follows_the_price_source_unless_set(
    tmp_path: Path, attribute: str, option: str, default: str, given: str, read: str, off: str
) -> None:
    """Yahoo prices use mempool.space and Yahoo's stream; demo and replayed ones stay offline."""
    replay = tmp_path / "prices.csv"
    replay.write_text("timestamp,symbol,price\n+0,BTC-USD,1\n")
    assert getattr(load_settings(None), attribute) == default
    assert getattr(load_settings(None, price_source="demo"), attribute) is None
    assert getattr(load_settings(None, price_source=f"replay:{replay}"), attribute) is None
    local = load_settings(None, price_source="demo", **{option: given})
    assert getattr(local, attribute) == read
    assert getattr(load_settings(None, **{option: off}), attribute) is None


@pytest.mark.parametrize(
    ("option", "value", "problem_start"),
    [
        pytest.param(
            "btc_network_url",
            "mempool.space",
            "MINERWATCH_BTC_NETWORK_URL: must be a URL starting with http://",
            id="network-data",
        ),
        pytest.param(
            "stream_url",
            "https://streamer.finance.yahoo.com",
            "MINERWATCH_STREAM_URL: must be a URL starting with ws:// or wss://",
            id="price-stream-not-a-websocket",
        ),
    ],
)
def test_a_bad_feed_url_names_its_variable(option: str, value: str, problem_start: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, **{option: value})
    (problem,) = caught.value.problems
    assert problem.startswith(problem_start)
