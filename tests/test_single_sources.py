"""Single sources: Discord's limits, the contract's field list and the quotas live in one place."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

from bot import limits
from bot.alerts.service import AlertService
from bot.ledger.model import CONTRACT_FIELDS, Contract
from bot.ledger.records import ContractRecord
from bot.outbox.model import NONCE_LENGTH
from bot.settings import DEFAULT_MAX_ALERTS_PER_GUILD, DEFAULT_MAX_ALERTS_PER_USER, Settings
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
# Numbers that are Discord's limits; one spelled out anywhere but bot/limits.py is a copy.
DISCORD_NUMBERS = {6_000, 4_096, 2_048, 2_000, 1_024, 256}
# Sizes that happen to share a value with a limit but measure something of our own.
NOT_LIMITS = {
    ("bot/outbox/discord_sender.py", "DM_CACHE_SIZE"),
    ("bot/market/demo.py", "_INTRADAY_CACHE"),
    ("bot/i18n/catalogue.py", "LOOKUPS_KEPT"),  # a cache's size, not Discord's 4,096
    ("bot/ledger/limits.py", "MAX_URL_LENGTH"),  # what the ledger accepts as a link
    ("bot/ledger/limits.py", "EARLIEST_DATE"),  # what the ledger accepts as a link
    ("bot/sandbox/terminal.py", None),  # bytes read from a terminal at a time
    ("bot/ledger/counting.py", None),  # the year 2000, the ledger's earliest date
}
# Contract columns that are bookkeeping, not facts.
CONTRACT_META = ("id", "key", "guild_id", "origin", "created_by", "created_at", "updated_at")


def _limit_copies(path: Path) -> list[str]:
    where = path.relative_to(ROOT).as_posix()
    if (where, None) in NOT_LIMITS:
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours = {
        id(leaf)
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and (where, target.id) in NOT_LIMITS
        for leaf in ast.walk(node.value)
    }
    return [
        f"{where}:{leaf.lineno} {leaf.value}"
        for leaf in ast.walk(tree)
        if isinstance(leaf, ast.Constant)
        and type(leaf.value) is int
        and leaf.value in DISCORD_NUMBERS
        and id(leaf) not in ours
    ]


def test_discord_limits_are_written_only_in_bot_limits() -> None:
    sources = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "cogs").rglob("*.py")]
    copies = sorted(
        {
            copy
            for path in sources
            if path.name != "limits.py" or path.parent.name != "bot"
            if "emulator" not in path.parts  # the local Discord keeps its own, as Discord does
            for copy in _limit_copies(path)
        }
    )
    assert copies == []


def test_message_nonce_fits_discords_limit() -> None:
    assert 0 < NONCE_LENGTH <= limits.NONCE


def test_alert_quotas_are_written_only_in_the_settings() -> None:
    # A quota spelled out in the service would silently outlive a change of the setting.
    tree = ast.parse(Path(inspect.getfile(AlertService)).read_text(encoding="utf-8"))
    numbers = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and node.value in (DEFAULT_MAX_ALERTS_PER_USER, DEFAULT_MAX_ALERTS_PER_GUILD)
        and type(node.value) is int
    ]
    assert numbers == []
    parameters = inspect.signature(AlertService).parameters
    assert (
        parameters["max_per_member"].default == Settings.model_fields["max_alerts_per_user"].default
    )
    assert (
        parameters["max_per_guild"].default == Settings.model_fields["max_alerts_per_guild"].default
    )


def test_contract_model_holds_exactly_the_fact_fields() -> None:
    model = [f.name for f in dataclasses.fields(Contract)]
    facts = [name for name in model if name not in {*CONTRACT_META, "deleted_at", "sources"}]
    assert sorted(facts) == sorted(CONTRACT_FIELDS)
    assert len(set(CONTRACT_FIELDS)) == len(CONTRACT_FIELDS)


def test_shipped_record_carries_every_contract_field() -> None:
    # The shipped file names the host "host"; the store calls the column host_symbol.
    shipped = {"host_symbol" if name == "host" else name for name in ContractRecord.model_fields}
    assert shipped - {"key", "sources"} == set(CONTRACT_FIELDS)


async def test_contracts_table_has_a_column_for_every_field(store: Store) -> None:
    columns = {row["name"] for row in await store.db.fetch_all("PRAGMA table_info(contracts)")}
    assert set(CONTRACT_FIELDS) | set(CONTRACT_META) | {"deleted_at"} <= columns


def test_history_rows_are_mapped_in_one_place() -> None:
    # The ledger's history and the summary's changes read the same table: one mapper.
    builders = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "bot").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "HistoryEntry"
    )
    assert builders == ["bot/store/ledger.py"]
