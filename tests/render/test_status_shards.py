"""/status's shard line: the shards this process runs and the asking server's, in each language."""

from __future__ import annotations

from bot.i18n import speaking
from bot.render.status import shards_line
from bot.shards import ShardPlan
from bot.status import ShardStatus

PLAN = ShardPlan((0, 1, 2, 3, 6), 8)


def test_the_line_names_the_process_shards_and_the_servers() -> None:
    assert shards_line(ShardStatus(PLAN, 2)) == (
        "Shards: 0-3, 6 of 8 run by this process · this server is on shard 2"
    )


def test_outside_a_server_only_the_process_shards_are_named() -> None:
    assert shards_line(ShardStatus(PLAN, None)) == "Shards: 0-3, 6 of 8 run by this process"


def test_the_line_is_translated() -> None:
    with speaking("fr"):
        assert shards_line(ShardStatus(PLAN, 6)) == (
            "Shards : 0-3, 6 sur 8 gérés par ce processus · ce serveur est sur le shard 6"
        )
