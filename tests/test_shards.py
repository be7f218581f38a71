"""Sharding: shard ids from the command line or the environment; the servers a process owns."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from bot.settings import ConfigError, load_settings
from bot.shards import (
    ShardPlan,
    describe_ids,
    owner_check,
    parse_shard_ids,
    shard_of,
    shares_token,
)

# A real-looking server id (a snowflake: its shard comes from the timestamp bits).
SERVER = 197038439483310086


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's environment and .env out of these tests."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "MINERWATCH_SHARDS",
        "MINERWATCH_SHARD_COUNT",
        "MINERWATCH_REST_PACE",
        "DISCORD_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", "demo")


def test_a_server_is_on_the_shard_discord_computes() -> None:
    assert shard_of(SERVER, 1) == 0
    # 197038439483310086 >> 22 is 46977624770: 2 more than a multiple of 3, 6 of 7.
    assert (shard_of(SERVER, 3), shard_of(SERVER, 7)) == (2, 6)
    assert shard_of(5 << 22, 8) == 5 and shard_of((13 << 22) + 12345, 8) == 5


@pytest.mark.parametrize(
    ("text", "ids"),
    [("0-3", (0, 1, 2, 3)), ("5", (5,)), ("0, 2,4-5", (0, 2, 4, 5)), ("3-3,1", (1, 3))],
)
def test_shard_ids_are_read_as_ids_and_ranges(text: str, ids: tuple[int, ...]) -> None:
    assert parse_shard_ids(text) == ids


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("3-1", "the range 3-1 goes down: write it 1-3"),
        ("a", "must be shard ids such as 0-3, 5 or 0,2,4-7"),
        ("-1", "must be shard ids"),
        ("0-", "must be shard ids"),
        ("1,,2", "must be shard ids"),
        ("0-100000", "shard ids must be below 100000"),
    ],
)
def test_bad_shard_ids_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_shard_ids(text)


def test_ids_are_written_back_compactly() -> None:
    assert describe_ids([6, 0, 1, 2, 3, 9, 10]) == "0-3, 6, 9-10"


def test_a_process_owns_the_servers_of_its_shards() -> None:
    plan = ShardPlan((0, 1, 2, 3), 8)
    assert [plan.owns(n << 22) for n in range(9)] == [True] * 4 + [False] * 4 + [True]
    assert plan.describe() == "0-3 of 8"
    assert owner_check(None)(SERVER) and owner_check(plan)(5 << 22) is False
    with pytest.raises(ValueError, match="do not fit"):
        ShardPlan((8,), 8)


def test_no_sharding_by_default() -> None:
    assert load_settings(None).shard_plan is None


def test_shards_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINERWATCH_SHARDS", "4-7")
    monkeypatch.setenv("MINERWATCH_SHARD_COUNT", "8")
    assert load_settings(None).shard_plan == ShardPlan((4, 5, 6, 7), 8)


def test_a_shard_count_alone_runs_every_shard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINERWATCH_SHARD_COUNT", "3")
    assert load_settings(None).shard_plan == ShardPlan((0, 1, 2), 3)


@pytest.mark.parametrize(
    ("shards", "count", "problem"),
    [
        ("0-3", None, "MINERWATCH_SHARDS: needs the total number of shards too"),
        ("6-9", "8", "MINERWATCH_SHARDS: shard(s) 8-9 do not exist with 8 shard(s)"),
        ("2-1", "8", "MINERWATCH_SHARDS: the range 2-1 goes down"),
        ("0", "0", "MINERWATCH_SHARD_COUNT: must be a whole number of shards from 1 to"),
        ("0", "two", "MINERWATCH_SHARD_COUNT: Input should be a valid integer"),
    ],
)
def test_bad_sharding_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, shards: str, count: str | None, problem: str
) -> None:
    monkeypatch.setenv("MINERWATCH_SHARDS", shards)
    if count is not None:
        monkeypatch.setenv("MINERWATCH_SHARD_COUNT", count)
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    (found,) = caught.value.problems
    assert found.startswith(problem), found


def test_run_options_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINERWATCH_SHARDS", "0-1")
    monkeypatch.setenv("MINERWATCH_SHARD_COUNT", "2")
    args = cli.build_parser().parse_args(["run", "--shards", "0-3", "--shard-count", "8"])
    settings = load_settings(None, **cli.sharding_overrides(args))
    assert settings.shard_plan == ShardPlan((0, 1, 2, 3), 8)
    plain = cli.build_parser().parse_args(["run"])
    assert load_settings(None, **cli.sharding_overrides(plain)).shard_plan == ShardPlan((0, 1), 2)


def test_run_with_shards_outside_the_count_stops_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["run", "--shards", "0-9", "--shard-count", "8"]) == cli.EXIT_USAGE
    assert "MINERWATCH_SHARDS: shard(s) 8-9 do not exist with 8 shard(s)" in capsys.readouterr().err


def test_run_rejects_a_shard_count_that_is_not_a_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["run", "--shards", "0", "--shard-count", "many"])
    assert stopped.value.code == 2
    assert "--shard-count: invalid int value: 'many'" in capsys.readouterr().err


def test_only_a_process_running_part_of_the_shards_shares_the_token_s_pace() -> None:
    # Other processes may run the rest of the shards: Discord's limit is shared with them.
    assert shares_token(ShardPlan((0, 1), 4))
    assert not shares_token(ShardPlan.every(4))
    assert not shares_token(None)  # unsharded: the bot's only process


def test_part_of_the_shards_paces_with_the_other_processes_unless_set_local(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MINERWATCH_SHARDS", "0-1")
    monkeypatch.setenv("MINERWATCH_SHARD_COUNT", "4")
    assert load_settings(None).shares_rest_pace
    # Behind a REST proxy that enforces the token's limit, each process paces itself.
    monkeypatch.setenv("MINERWATCH_REST_PACE", "local")
    assert not load_settings(None).shares_rest_pace
    monkeypatch.delenv("MINERWATCH_REST_PACE")
    monkeypatch.setenv("MINERWATCH_SHARDS", "0-3")
    assert not load_settings(None).shares_rest_pace
