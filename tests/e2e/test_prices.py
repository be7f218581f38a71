"""/price and its symbol autocomplete through the emulator, with replay and demo prices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from discord_emulator import InteractionResult


async def price(sandbox: SandboxSession, symbol: str) -> InteractionResult:
    """Run /price as a plain member and wait for the final answer."""
    result = await sandbox.invoke("price", {"symbol": symbol}, user=sandbox.world.member)
    return await result.wait_done(timeout=5)


async def private_reply(result: InteractionResult) -> str:
    """Return the text of the one ephemeral message the member sees (after a defer too)."""
    if result.deferred:
        await result.wait_for(lambda r: r.followups, timeout=5)
    shown = result.visible
    assert len(shown) == 1 and shown[0].ephemeral, [(m.content, m.flags) for m in shown]
    return shown[0].content


def field(embed: dict[str, Any], name: str) -> str:
    return next(str(f["value"]) for f in embed["fields"] if f["name"] == name)


async def test_fresh_quote_card_for_a_tracked_miner(sandbox: SandboxSession) -> None:
    result = await price(sandbox, "cipher")
    assert not result.ephemeral and not result.deferred  # answered at once from memory
    (embed,) = result.embeds
    assert embed["title"] == "CIFR · Cipher Digital Inc."  # renamed in February 2026
    assert embed["description"].startswith("**$15.50**  +$0.50 (+3.33 %)")
    assert "Stale" not in embed["description"]
    assert embed["color"] == 0x57F287  # up: green
    assert field(embed, "Day range") == "$15.50 – $15.50"
    assert field(embed, "Volume") == "2M"
    assert field(embed, "Market cap") == "—"  # the replay gives none: never guessed
    assert field(embed, "52-week range") == "—"
    assert field(embed, "Market") == "Regular session"
    assert field(embed, "As of").startswith("<t:")
    assert "MW (IT)" in field(embed, "Contracted AI power")
    assert "statuses as of 20" in field(embed, "Contracted AI power")  # the oldest it uses
    assert field(embed, "Contract value").lstrip("~").startswith("$")
    assert "Not investment advice" in embed["footer"]["text"]


async def test_down_move_is_red_and_btc_trades_around_the_clock(sandbox: SandboxSession) -> None:
    wulf = (await price(sandbox, "WULF")).embeds[0]
    assert wulf["color"] == 0xED4245 and "−$0.20 (−1.75 %)" in wulf["description"]
    btc = (await price(sandbox, "bitcoin")).embeds[0]
    assert btc["title"].startswith("BTC-USD")
    assert field(btc, "Market") == "24/7"
    assert "$91,000.00" in btc["description"]


async def test_stale_quote_is_marked(sandbox: SandboxSession, e2e_clock: ManualClock) -> None:
    # Three poll intervals (3 h here) without a poll during the session: the quote is stale.
    e2e_clock.advance(timedelta(hours=4))
    embed = (await price(sandbox, "IREN")).embeds[0]
    assert "⚠ Stale: last update <t:" in embed["description"]
    assert ":R>" in embed["description"]


@pytest.mark.parametrize("price_source", ["demo"])
async def test_demo_quote_is_marked_in_title_and_footer(sandbox: SandboxSession) -> None:
    embed = (await price(sandbox, "IREN")).embeds[0]
    assert embed["title"].startswith("[DEMO] IREN")
    assert embed["footer"]["text"].startswith("[DEMO]")
    assert field(embed, "Market cap").startswith("$")
    assert "–" in field(embed, "52-week range")


@pytest.mark.parametrize("price_source", ["demo"])
async def test_untracked_symbol_is_fetched_once_after_deferring(sandbox: SandboxSession) -> None:
    result = await price(sandbox, "tsla")
    assert result.deferred and not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == "[DEMO] TSLA"
    assert not any(f["name"] == "Contracted AI power" for f in embed["fields"])
    again = await price(sandbox, "TSLA")  # now cached: answered without a defer
    assert not again.deferred
    assert "TSLA" in await sandbox.bot.pipeline.watchlist()  # polled from now on


async def test_unknown_symbols_are_not_added_to_the_poll(sandbox: SandboxSession) -> None:
    await private_reply(await price(sandbox, "ZZZZ"))
    assert "ZZZZ" not in await sandbox.bot.pipeline.watchlist()


async def test_unknown_symbol_gets_a_private_reply_with_suggestions(
    sandbox: SandboxSession,
) -> None:
    text = await private_reply(await price(sandbox, "CIFT"))
    assert "No price found for CIFT" in text
    assert "Did you mean CIFR" in text
    assert not sandbox.emu.posts(sandbox.world.general.id)  # nothing public is left behind


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", "Type a symbol"),
        ("   ", "Type a symbol"),
        ("X" * 300, "300 characters, too long"),
        ("**CIFR**", "is not a ticker symbol"),
        ("@everyone", "is not a ticker symbol"),
        ("<@123456789012345678>", "is not a ticker symbol"),
        ("ABCDEFGHIJKLMNOP", "is not a ticker symbol"),  # 16 characters
    ],
)
async def test_malformed_symbol_is_refused_privately(
    sandbox: SandboxSession, typed: str, expected: str
) -> None:
    result = await price(sandbox, typed)
    assert not result.deferred  # refused before deferring
    text = await private_reply(result)
    assert expected in text
    assert "letters, digits" in text
    assert "@everyone" not in text and "<@123456789012345678>" not in text
    assert "**CIFR**" not in text


async def test_markdown_input_suggests_the_symbol_it_resembles(sandbox: SandboxSession) -> None:
    text = await private_reply(await price(sandbox, "**cifr**"))
    assert "Did you mean CIFR" in text


async def autocomplete(sandbox: SandboxSession, value: str) -> list[str]:
    choices = await sandbox.emu.autocomplete(
        sandbox.world.guild.id,
        sandbox.world.general.id,
        sandbox.world.member.id,
        "price",
        focused="symbol",
        value=value,
    )
    assert len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    return [c["value"] for c in choices]


@pytest.mark.parametrize(
    ("typed", "first", "included"),
    [
        ("ci", "CIFR", {"CIFR"}),
        ("bit", "BITF", {"BTC-USD", "BITF", "BTDR", "BTBT"}),
        ("neb", "NBIS", {"NBIS"}),
        ("nebius", "NBIS", {"NBIS"}),
        ("btc", "BTC-USD", {"BTC-USD"}),
        ("iren", "IREN", {"IREN"}),
        ("cipher", "CIFR", {"CIFR"}),
    ],
)
async def test_autocomplete_matches_symbols_and_aliases(
    sandbox: SandboxSession, typed: str, first: str, included: set[str]
) -> None:
    values = await autocomplete(sandbox, typed)
    assert values[0] == first
    assert included <= set(values)


async def test_autocomplete_offers_at_most_25_and_any_typed_ticker(
    sandbox: SandboxSession,
) -> None:
    assert len(await autocomplete(sandbox, "")) == 25
    assert (await autocomplete(sandbox, "tsla"))[-1] == "TSLA"
    assert await autocomplete(sandbox, "@everyone") == []


async def test_autocomplete_answers_from_memory(
    sandbox: SandboxSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def forbidden(*_: object, **__: object) -> None:
        raise AssertionError("autocomplete touched the store")

    monkeypatch.setattr(sandbox.bot.store.ledger, "companies", forbidden)
    monkeypatch.setattr(sandbox.bot.store.ledger, "aliases", forbidden)
    assert "CIFR" in await autocomplete(sandbox, "cif")
