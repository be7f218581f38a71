"""What members read: wording, numbers and the symbols they may type (replay prices)."""

from __future__ import annotations

import re

import pytest

from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import add_alert
from tests.e2e.deals_helpers import add_deal, run, worker
from tests.e2e.test_prices import price


async def test_a_deal_watch_post_names_the_ledger_once(sandbox: SandboxSession) -> None:
    delivery = await worker(sandbox)
    await run(sandbox, "deals watch", {"channel": sandbox.world.alerts.id})
    await add_deal(sandbox, sandbox.world.admin)
    await delivery.deliver_due()
    (post,) = sandbox.emu.posts(sandbox.world.alerts.id)
    intro = post.embeds[0]["description"].splitlines()[0]
    assert intro.startswith("Contract added in this server's ledger by <@")
    assert "the this" not in intro


async def test_an_edit_confirmation_names_fields_in_words(sandbox: SandboxSession) -> None:
    _, contract_id = await add_deal(sandbox, sandbox.world.admin)
    edited = await run(sandbox, "deals edit", {"id": contract_id, "mw_it": 60.0, "value_usd": 2e9})
    assert edited.content.startswith(f"Changed contract #{contract_id}:")
    assert "• Critical IT power (MW): 50 → 60" in edited.content
    assert "• Total contract value (USD): " in edited.content
    assert "mw_it" not in edited.content and "value_usd" not in edited.content


@pytest.mark.parametrize("value", [1e308, 123456789012345678.0])
async def test_an_absurd_level_is_echoed_short(sandbox: SandboxSession, value: float) -> None:
    reply, created = await add_alert(sandbox, symbol="CIFR", condition="above", value=value)
    assert created is None and "value: must be a price between" in reply
    echoed = reply.split("got ", 1)[1]
    digits = re.sub(r"e\+\d+", "", echoed)  # the exponent is not a significant digit
    assert sum(c.isdigit() for c in digits) <= 12, reply


async def test_a_negative_level_reads_with_a_minus_before_the_dollar(
    sandbox: SandboxSession,
) -> None:
    reply, created = await add_alert(sandbox, symbol="CIFR", condition="above", value=-5.0)
    assert created is None
    assert "got −$5.00)" in reply and "$-" not in reply


async def test_a_level_just_below_the_price_is_told_apart_from_it(
    sandbox: SandboxSession,
) -> None:
    # CIFR is at $15.50: a level of 15.499 reads $15.50 at two decimals.
    reply, created = await add_alert(sandbox, symbol="CIFR", condition="above", value=15.499)
    assert created is not None
    assert "**CIFR above $15.499** (now $15.500)" in reply
    assert "CIFR is already above $15.499 (now $15.500)" in reply


async def test_an_unknown_company_lists_what_may_be_picked(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "company", {"symbol": "bogus"})
    assert result.ephemeral
    assert result.content.startswith("symbol: “bogus” is not a tracked company")
    tracked = result.content.split("Tracked: ", 1)[1]
    assert "CIFR" in tracked and "WULF" in tracked
    close = await run(sandbox, "company", {"symbol": "cipherr"})
    assert "Did you mean CIFR" in close.content and "Tracked:" not in close.content


async def test_a_multi_word_name_is_one_symbol(sandbox: SandboxSession) -> None:
    (embed,) = (await price(sandbox, "core scientific")).embeds
    assert embed["title"].startswith("CORZ")


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("price", {"symbol": "$CIFR"}),
        ("company", {"symbol": "$cifr"}),
        ("deals list", {"company": "$CIFR"}),
    ],
)
async def test_a_cashtag_is_a_symbol(
    sandbox: SandboxSession, command: str, options: dict[str, str]
) -> None:
    result = await run(sandbox, command, options, user=sandbox.world.member)
    assert not result.ephemeral, result.content
    assert "CIFR" in result.text()


async def test_an_alert_takes_a_cashtag(sandbox: SandboxSession) -> None:
    reply, created = await add_alert(sandbox, symbol="$CIFR", condition="above", value=16.0)
    assert created is not None and "**CIFR above $16.00**" in reply
