"""Each new alert kind fires once, through the emulator, from a replayed year and day.

The replay file holds a year of HUT closes (12.00 every session, one 14.00 high and one 10.00
low) and then this morning's prints, so the bot's own daily-history refresh, its facts and
its evaluation all run on what the file says:
  +60  HUT opens at 12.90 (+7.5 % from 12.00), 400,000 shares by 10:01 (4× the pace of a
       1 M-a-day average at the 10 % floor), above its 50-day average of 12.00; bitcoin is
       up 1.1 %, so HUT leads it by 6.4 points
  +120 HUT at 14.50: above the year's 14.00 high
  +180 HUT at 9.50: below the year's 10.00 low, and back below its 50-day average
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.alerts.model import AlertState
from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import CREATED, WAIT, add_alert, command, settled, stored, tick_at
from tests.e2e.conftest import REPLAY_CSV
from tests.e2e.deals_helpers import run

LAST_SESSION = date(2026, 11, 24)


def _history() -> str:
    rows = []
    day, sessions = LAST_SESSION, 0
    while sessions < 260:
        if day.weekday() < 5:
            price = 14.0 if sessions == 100 else 10.0 if sessions == 150 else 12.0
            stamp = datetime.combine(day, time(20, 0), UTC).isoformat()
            rows.append(f"{stamp},HUT,{price:.2f},,1000000")
            sessions += 1
        day -= timedelta(days=1)
    return "\n".join(reversed(rows)) + "\n"


TODAY = "+60,HUT,12.90,12.00,400000\n+120,HUT,14.50,12.00,900000\n+180,HUT,9.50,12.00,2000000\n"


@pytest.fixture
def replay_csv() -> str:
    return REPLAY_CSV + _history() + TODAY


async def _ready(sandbox: SandboxSession) -> None:
    """Load the year of history the way the daily job does, before any alert is made."""
    written = await sandbox.bot.pipeline.refresh_history()
    assert written.get("HUT", 0) >= 260


async def _fires_once(
    sandbox: SandboxSession, clock: ManualClock, alert_id: int, moments: list[int]
) -> dict[str, object]:
    """Tick through ``moments``; the alert must post exactly one embed in #alerts."""
    channel = sandbox.world.alerts.id
    for moment in moments:
        await tick_at(sandbox, clock, moment)
    await settled(sandbox)
    (post,) = await sandbox.emu.wait_for_posts(channel, 1, WAIT)
    assert post.content == f"<@{sandbox.world.member.id}> your price alert fired."
    (embed,) = post.embeds
    assert f"Alert #{alert_id}" in embed["footer"]["text"]
    assert "Not investment advice" in embed["footer"]["text"]
    assert len(sandbox.emu.posts(channel)) == 1
    return embed


async def _created(sandbox: SandboxSession, **options: object) -> tuple[str, int | None]:
    """Run /alert add for HUT in #alerts; return the reply and the new id."""
    world = sandbox.world
    result = await run(
        sandbox, "alert add", {"symbol": "HUT", **options}, user=world.member, channel=world.alerts
    )
    assert result.ephemeral, result.describe()
    found = CREATED.search(result.content)
    return result.content, int(found.group(1)) if found else None


async def _add(sandbox: SandboxSession, **options: object) -> int:
    reply, alert_id = await _created(sandbox, **options)
    assert alert_id is not None, reply
    return alert_id


async def test_high52_fires_on_the_first_print_above_the_years_high(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await _ready(sandbox)
    alert_id = await _add(sandbox, condition="high52")
    embed = await _fires_once(sandbox, e2e_clock, alert_id, [60, 120, 180])
    assert embed["title"] == "HUT made a new 52-week high at $14.50 (previous high $14.00)"
    assert (await stored(sandbox, alert_id)).state is AlertState.FIRED


async def test_low52_fires_on_a_print_below_the_years_low(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await _ready(sandbox)
    alert_id = await _add(sandbox, condition="low52", repeat=True)
    embed = await _fires_once(sandbox, e2e_clock, alert_id, [60, 120, 180, 180])
    assert embed["title"] == "HUT made a new 52-week low at $9.50 (previous low $10.00)"
    # A repeating alert stays armed for the next session, and says so in the list.
    assert (await stored(sandbox, alert_id)).state is AlertState.ARMED
    assert "makes a new 52-week low" in await command(sandbox, "list")


async def test_ma_cross_fires_when_the_price_clears_its_50_day_average(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await _ready(sandbox)
    reply, alert_id = await _created(sandbox, condition="ma_cross", versus="ma50")
    assert "50-day MA cross, either way" in reply
    assert alert_id is not None
    embed = await _fires_once(sandbox, e2e_clock, alert_id, [60, 120, 180])
    assert embed["title"] == "HUT crossed above its 50-day average ($12.00)"


async def test_volume_fires_at_a_multiple_of_the_pace_for_the_time_of_day(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await _ready(sandbox)
    alert_id = await _add(sandbox, condition="volume", value=3)
    embed = await _fires_once(sandbox, e2e_clock, alert_id, [60, 120, 180])
    assert embed["title"].startswith("HUT is trading 4")
    assert "its usual volume for the time of day (20-day average 1M a day)" in embed["title"]


async def test_gap_fires_at_the_open(sandbox: SandboxSession, e2e_clock: ManualClock) -> None:
    await _ready(sandbox)
    alert_id = await _add(sandbox, condition="gap", value=5)
    embed = await _fires_once(sandbox, e2e_clock, alert_id, [60, 120, 180])
    assert embed["title"] == "HUT opened up +7.5 % from the previous close"


async def test_relative_fires_when_the_lead_over_bitcoin_reaches_the_points(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await _ready(sandbox)
    reply, alert_id = await _created(sandbox, condition="relative", value=5, versus="BTC-USD")
    assert "moves ±5 points more than bitcoin (BTC-USD) today" in reply, reply
    assert alert_id is not None
    embed = await _fires_once(sandbox, e2e_clock, alert_id, [60, 120, 180])
    assert embed["title"] == (
        "HUT is up 6.4 points more than bitcoin today (HUT +7.5 %, bitcoin +1.1 %)"
    )


async def test_a_refused_new_kind_stores_nothing_and_names_the_bounds(
    sandbox: SandboxSession,
) -> None:
    reply, alert_id = await add_alert(sandbox, symbol="HUT", condition="volume", value=50)
    assert alert_id is None
    assert "value: must be a multiple of the average between 1.5 and 20 for volume" in reply
    reply, alert_id = await add_alert(sandbox, symbol="HUT", condition="ma_cross")
    assert alert_id is None
    assert "versus: ma_cross needs one of ma200, ma50, ma50_ma200 (got nothing)" in reply
    reply, alert_id = await add_alert(sandbox, symbol="BTC-USD", condition="gap", value=2)
    assert alert_id is None and "no opening gap" in reply
    reply, alert_id = await add_alert(sandbox, symbol="RIOT", condition="filing")
    assert alert_id is None and "filings are not watched for RIOT: no CIK" in reply
    assert "no alerts" in await command(sandbox, "list")


async def test_a_filing_alert_made_while_the_watcher_is_off_says_so(
    sandbox: SandboxSession,
) -> None:
    reply, alert_id = await add_alert(sandbox, symbol="CIFR", condition="filing", value=1)
    assert alert_id is not None
    assert "CIFR new SEC filing, possible or likely deals" in reply
    assert "The filings watcher is off at the moment" in reply
    assert "MINERWATCH_SEC_CONTACT is not set" in reply


async def test_help_alerts_explains_every_kind_with_an_example(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "help", {"topic": "alerts"}, user=sandbox.world.member)
    assert result.ephemeral
    text = result.text()
    kinds = ("above", "move_pct", "high52", "ma_cross", "volume", "gap", "relative", "filing")
    for condition in kinds:
        assert f"condition:{condition}" in text, condition
    assert "`2`: a likely deal only" in text
    assert "versus:ma50_ma200" in text and "golden cross" in text
    assert "not investment advice" in text


async def test_the_list_says_which_history_a_kind_still_waits_for(
    sandbox: SandboxSession,
) -> None:
    await _add(sandbox, condition="high52")
    await _add(sandbox, condition="volume", value=2)
    listed = await command(sandbox, "list")
    assert "waiting for 240 sessions of history (0 stored so far)" in listed
    assert "waiting for 20 sessions of volume in the stored history" in listed
    await _ready(sandbox)  # the daily refresh arrives: the list reads the facts again
    listed = await command(sandbox, "list")
    assert "makes a new 52-week high" in listed and "waiting for" not in listed


def _correlated_sessions() -> str:
    """40 sessions where CLSK and bitcoin move alike, then one where they part ways."""
    days: list[date] = []
    day = LAST_SESSION - timedelta(days=1)
    while len(days) < 40:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    rows, clsk, btc = [], 10.0, 80_000.0
    for n, session in enumerate(reversed(days)):
        factor = 1.01 if n % 2 == 0 else 0.995
        clsk, btc = clsk * factor, btc * factor
        stamp = datetime.combine(session, time(20, 0), UTC).isoformat()
        rows += [f"{stamp},CLSK,{clsk:.4f},,1000000", f"{stamp},BTC-USD,{btc:.2f},,1000"]
    stamp = datetime.combine(LAST_SESSION, time(20, 0), UTC).isoformat()
    rows += [f"{stamp},CLSK,{clsk * 1.5:.4f},,1000000", f"{stamp},BTC-USD,{btc * 0.5:.2f},,1000"]
    header, body = REPLAY_CSV.split("\n", 1)
    # Each symbol's rows in time order: the history first, then the morning's.
    return f"{header}\n" + "\n".join(rows) + f"\n{body}+60,CLSK,15.50,15.00,100000\n"


# This test replays its own file: the module's year of HUT is not needed.
@pytest.mark.parametrize("replay_csv", [pytest.param(_correlated_sessions(), id="correlated")])
async def test_correlation_fires_when_the_miner_stops_trading_like_bitcoin(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    # Yesterday's session is the first in which CLSK rose while bitcoin fell: the
    # correlation read for today drops from 1.00 to below zero.
    written = await sandbox.bot.pipeline.refresh_history()
    assert written.get("CLSK", 0) >= 41
    world = sandbox.world
    options = {"symbol": "CLSK", "condition": "correlation", "value": 0.3, "versus": "BTC-USD"}
    result = await run(sandbox, "alert add", options, user=world.member, channel=world.alerts)
    assert "CLSK 30-day correlation to bitcoin (BTC-USD) crosses 0.30, either way" in (
        result.content
    ), result.content
    found = CREATED.search(result.content)
    assert found is not None
    embed = await _fires_once(sandbox, e2e_clock, int(found.group(1)), [60, 120])
    assert embed["title"].startswith("CLSK's 30-day correlation to bitcoin fell below 0.30 (now -")
