"""The in-memory symbol index: resolving input, autocomplete ranking, close matches."""

from __future__ import annotations

import pytest

from bot.ledger.records import LedgerFile
from bot.limits import AUTOCOMPLETE_CHOICES as MAX_CHOICES
from bot.store import Store
from bot.symbols import Entry, MalformedSymbol, SymbolIndex, UnknownSymbol, did_you_mean

INDEX = SymbolIndex(
    [
        Entry("CIFR", "Cipher Mining Inc.", ("cipher", "cipher mining"), on_board=True),
        Entry("CORZ", "Core Scientific, Inc.", ("core scientific",), on_board=True),
        Entry("BITF", "Bitfarms Ltd.", ("bitfarms",), on_board=True),
        Entry("BTC-USD", "Bitcoin", ("btc", "bitcoin")),
        Entry("NBIS", "Nebius Group N.V.", ("nebius", "nebius group")),
        Entry("AMZN", "Amazon.com, Inc.", ("amazon", "aws", "amazon web services")),
    ]
)


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        ("CIFR", "CIFR"),
        ("  cifr ", "CIFR"),
        ("cipher", "CIFR"),
        ("$CIFR", "CIFR"),  # a cashtag
        (" $cifr ", "CIFR"),
        ("eth", "ETH-USD"),
        ("Ethereum", "ETH-USD"),
        ("Cipher   Mining", "CIFR"),
        ("bitcoin", "BTC-USD"),
        ("BTC", "BTC-USD"),
        ("amazon web services", "AMZN"),  # an alias longer than any ticker
        ("tsla", "TSLA"),  # any well-formed ticker
        ("brk-b", "BRK-B"),
        ("^gspc", "^GSPC"),
        ("eurusd=x", "EURUSD=X"),
        ("capio.st", "CAPIO.ST"),
        ("ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO"),  # 15 characters: the most allowed
    ],
)
def test_resolve(typed: str, symbol: str) -> None:
    assert INDEX.resolve(typed) == symbol


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 300, "too_long"),
        ("ABCDEFGHIJKLMNOP", "spelling"),  # 16 characters
        ("**CIFR**", "spelling"),
        ("@everyone", "spelling"),
        ("<@123456789012345678>", "spelling"),
        ("CI FR", "spelling"),
        ("$$CIFR", "spelling"),
        ("$", "spelling"),
        ("$ CIFR", "spelling"),
        ("cifr\u200b", "spelling"),
    ],
)
def test_resolve_refuses_what_cannot_be_a_symbol(typed: str, reason: str) -> None:
    with pytest.raises(MalformedSymbol) as caught:
        INDEX.resolve(typed)
    assert caught.value.reason == reason
    message = caught.value.user_message
    assert "letters, digits" in message
    assert "@everyone" not in message and "<@1234" not in message and "**" not in message


def test_malformed_message_suggests_close_matches() -> None:
    with pytest.raises(MalformedSymbol) as caught:
        INDEX.resolve("**cifr**")
    assert caught.value.suggestions[0] == "CIFR"
    assert "Did you mean CIFR" in caught.value.user_message


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ci", ["CIFR"]),
        ("co", ["CORZ"]),
        ("bit", ["BITF", "BTC-USD"]),  # symbol prefix before name prefix
        ("neb", ["NBIS"]),
        ("btc", ["BTC-USD"]),
        ("scientific", ["CORZ"]),  # a word inside a name
        ("web", ["AMZN"]),
        ("mining", ["CIFR"]),
    ],
)
def test_suggest_ranks_symbols_then_names(typed: str, expected: list[str]) -> None:
    values = [value for _, value in INDEX.suggest(typed)]
    assert values[: len(expected)] == expected


def test_suggest_labels_and_typed_ticker() -> None:
    assert INDEX.suggest("cif")[0] == ("CIFR · Cipher Mining Inc.", "CIFR")
    assert INDEX.suggest("tsla") == [("TSLA · look up this ticker", "TSLA")]
    assert INDEX.suggest("@everyone") == []
    assert INDEX.suggest("x" * 300) == []


def test_suggest_empty_lists_the_board_first() -> None:
    values = [value for _, value in INDEX.suggest("")]
    assert values[:3] == ["BITF", "CIFR", "CORZ"]
    assert len(values) == 6


def test_suggest_caps_at_25() -> None:
    many = SymbolIndex(Entry(f"A{i:03d}", f"Alpha {i}") for i in range(100))
    assert len(many.suggest("a")) == MAX_CHOICES
    assert len(many.suggest("")) == MAX_CHOICES


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("CIFT", ["CIFR"]), ("nebuis", ["NBIS"]), ("bitcon", ["BTC-USD"]), ("ZZZZ", [])],
)
def test_close_matches(typed: str, expected: list[str]) -> None:
    assert INDEX.close_matches(typed)[: len(expected)] == expected


def test_unknown_symbol_messages() -> None:
    unknown = UnknownSymbol("CIFT", ["CIFR", "CORZ"])
    assert "No price found for CIFT" in unknown.user_message
    assert unknown.user_message.endswith("Did you mean CIFR or CORZ?")
    assert "try again" in UnknownSymbol("CIFR", unavailable=True).user_message


@pytest.mark.parametrize(
    ("names", "text"),
    [([], ""), (["A"], " Did you mean A?"), (["A", "B", "C"], " Did you mean A, B or C?")],
)
def test_did_you_mean(names: list[str], text: str) -> None:
    assert did_you_mean(names) == text


async def test_index_from_the_seeded_store(seeded_store: Store, shipped_ledger: LedgerFile) -> None:
    index = SymbolIndex.from_companies(await seeded_store.ledger.companies())
    assert len(index) == len(shipped_ledger.companies)
    for alias, symbol in (await seeded_store.ledger.aliases()).items():
        assert index.resolve(alias) == symbol
    assert {e.symbol for e in index.board()} >= {"CIFR", "WULF", "IREN"}
    assert "BTC-USD" not in {e.symbol for e in index.board()}
