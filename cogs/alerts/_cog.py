"""/alert add, list, remove, pause, resume and snooze: price alerts, managed in Discord.

The rules (validation, quotas, who may manage what) live in the AlertService; this cog
resolves what the member typed, checks the bot can post where the alert will, and words
the replies. Every reply is ephemeral: alerts are personal.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any, Final

from discord import app_commands
from discord.ext import commands

from bot.alerts.model import DEFAULT_COOLDOWN, Alert, AlertKind, AlertSession, Basis
from bot.alerts.validation import (
    MAX_EXPIRES_DAYS,
    MAX_NOTE_LENGTH,
    MAX_SNOOZE_MINUTES,
    MIN_EXPIRES_DAYS,
    MIN_SNOOZE_MINUTES,
    check_new_alert,
)
from bot.errors import InvalidInput
from bot.format import figure, money
from bot.i18n import N_, _
from bot.limits import AUTOCOMPLETE_CHOICES
from bot.market import Quote
from bot.network.hashprice import HASHPRICE_BELOW, HASHPRICE_SYMBOL
from bot.render.alert_replies import (
    choice_label,
    created_reply,
    empty_list_reply,
    list_pages,
    paused_reply,
    removed_reply,
    resumed_reply,
    snoozed_reply,
)
from bot.symbols import MAX_INPUT_LENGTH
from cogs._ui.access import member_for
from cogs._ui.choices import fixed_choices, suggest_symbols
from cogs._ui.interaction import Interaction
from cogs._ui.options import RowNumber
from cogs._ui.pager import PAGE_TIMEOUT_SECONDS, Pages
from cogs._ui.replies import reply_privately
from cogs.alerts._access import check_can_post_here

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

# Each condition as the choice list shows it.
CONDITIONS: Final = {
    "above: the price rises above the level": AlertKind.ABOVE,
    "below: the price falls below the level": AlertKind.BELOW,
    "move_pct: the day's move vs previous close reaches ±value %": AlertKind.MOVE_PCT,
    "high52: a new 52-week high": AlertKind.HIGH52,
    "low52: a new 52-week low": AlertKind.LOW52,
    "ma_cross: the price crosses a moving average (pick it in versus)": AlertKind.MA_CROSS,
    "volume: the day's volume reaches value × its 20-day average": AlertKind.VOLUME,
    "gap: the open is ±value % from the previous close": AlertKind.GAP,
    "relative: the move beats BTC or NVDA (versus) by ±value points": AlertKind.RELATIVE,
    "correlation: the 30-day correlation to BTC or NVDA (versus) crosses value": (
        AlertKind.CORRELATION
    ),
    "earnings: a reminder value days (1-14) before earnings, and on the day": AlertKind.EARNINGS,
    "filing: a new SEC filing; value 0 any, 1 possible or likely deal, 2 likely only": (
        AlertKind.FILING
    ),
    "hashprice_below: bitcoin's hashprice ($/PH/s/day) falls below the value": HASHPRICE_BELOW,
}
CONDITION_CHOICES: Final = fixed_choices(CONDITIONS)
# What a moving-average or relative alert compares against.
VERSUS: Final = {
    "ma50: the 50-day moving average": Basis.MA50.value,
    "ma200: the 200-day moving average": Basis.MA200.value,
    "ma50_ma200: 50-day vs 200-day (golden / death cross)": Basis.MA50_MA200.value,
    "BTC-USD: bitcoin (relative, correlation)": Basis.BTC.value,
    "NVDA: NVIDIA (relative, correlation)": Basis.NVDA.value,
}
VERSUS_CHOICES: Final = fixed_choices(VERSUS)
# Which trades an alert watches.
SESSIONS: Final = {
    "regular: regular-hours trades only": AlertSession.REGULAR.value,
    "extended: pre- and post-market trades too": AlertSession.EXTENDED.value,
}
SESSION_CHOICES: Final = fixed_choices(SESSIONS)
HASHPRICE_ON: Final = "BTC-USD"
SYMBOL_HELP: Final = N_("Ticker or name, e.g. CIFR, cipher, IREN, BTC-USD, bitcoin")
ID_HELP: Final = N_("The alert's number, as /alert list shows it")


class Alerts(commands.Cog):
    """Alerts: add, list, remove, pause, resume, snooze."""

    alert = app_commands.Group(
        name="alert",
        description="Alerts: levels, moves, 52-week extremes, averages, volume, gaps, earnings, "
        "filings",
        guild_only=True,
    )

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot
        self.prices = bot.services.prices
        self.page_timeout = PAGE_TIMEOUT_SECONDS  # tests shorten it
        self._pages = Pages(bot)

    async def cog_unload(self) -> None:
        """Stop the page buttons this cog opened (a click on them is answered as expired)."""
        self._pages.close()

    # ----- /alert add ---------------------------------------------------------------------

    @alert.command(
        name="add",
        description="Be pinged on a price level, a move, a new high, a cross, volume, a gap, "
        "earnings, filings",
    )
    @app_commands.describe(
        symbol=SYMBOL_HELP,
        condition="Price level, move, 52-week extreme, moving average, volume, gap, vs BTC/NVDA, "
        "hashprice_below",
        value="Price or $/PH/s/day (above, below, hashprice_below) · % (move_pct, gap) · ×volume "
        "· points, level",
        versus="ma_cross: which average · relative, correlation: bitcoin or NVIDIA",
        repeat="Fire again each time the price comes back and crosses again (default: once)",
        dm="Send it to you by direct message instead of posting in this channel",
        expires_days=f"Remove it after this many days ({MIN_EXPIRES_DAYS} to "
        f"{MAX_EXPIRES_DAYS}, default 90)",
        note="A reminder shown with the alert when it fires",
        session="Stocks: regular hours only (default), or pre- and post-market trades too",
    )
    @app_commands.choices(
        condition=CONDITION_CHOICES, versus=VERSUS_CHOICES, session=SESSION_CHOICES
    )
    async def add(
        self,
        interaction: Interaction,
        symbol: app_commands.Range[str, 1, MAX_INPUT_LENGTH],
        condition: str,
        value: float | None = None,
        versus: str | None = None,
        repeat: bool = False,
        dm: bool = False,
        expires_days: app_commands.Range[int, MIN_EXPIRES_DAYS, MAX_EXPIRES_DAYS] | None = None,
        note: app_commands.Range[str, 1, MAX_NOTE_LENGTH] | None = None,
        session: str | None = None,
    ) -> None:
        """Create an alert here (or by DM) after checking it against the current price."""
        member = member_for(interaction)
        resolved = self.prices.index.resolve(symbol)  # before any defer: errors stay instant
        if not dm:
            check_can_post_here(interaction)
        quote: Quote | None
        if condition == HASHPRICE_BELOW:
            resolved, condition, quote = self._hashprice_alert(resolved)
        else:
            quote = self.prices.quote(resolved)
        if quote is None or condition in (AlertKind.EARNINGS, AlertKind.FILING):
            # Everything that needs no price is checked before the member waits for one.
            check_without_price(resolved, condition, value, expires_days, note, versus)
            await interaction.response.defer(ephemeral=True, thinking=True)
        if quote is None and condition != AlertKind.FILING:  # a filing alert needs no price
            quote = await self.prices.fetch_quote(resolved)
        if condition == AlertKind.EARNINGS:
            # Asked at most once a day per symbol, so the reply can show the next date.
            await self.bot.alerts.look_up_earnings(resolved)
        assert interaction.channel_id is not None  # a guild command always has its channel
        result = await self.bot.alerts.create(
            member,
            channel_id=interaction.channel_id,
            symbol=resolved,
            condition=condition,
            value=value,
            quote=quote,
            repeat=repeat,
            dm=dm,
            expires_days=expires_days,
            note=note,
            versus=versus,
            session=session,
        )
        known = (await self.bot.alerts.list_notes([result.alert])).get(result.alert.id)
        text = created_reply(
            result.alert, quote, waiting=result.waiting, cooldown=DEFAULT_COOLDOWN, known=known
        )
        off = self.bot.services.filings.watcher.off_notice()
        if result.alert.kind is AlertKind.FILING and off is not None:
            # Stored all the same: it fires once the operator turns the watcher on.
            text += "\n" + off
        await reply_privately(interaction, text)

    def _hashprice_alert(self, resolved: str) -> tuple[str, str, Quote]:
        """Return what a hashprice alert is stored as: a "below" alert on HASHPRICE."""
        if resolved != HASHPRICE_ON:
            raise InvalidInput(
                [
                    _(
                        "condition: hashprice_below watches bitcoin's hashprice: use symbol "
                        "{symbol} (got {got})",
                        symbol=HASHPRICE_ON,
                        got=resolved,
                    )
                ]
            )
        quote = self.bot.services.network.hashprice_quote()
        if quote is None:
            raise InvalidInput(
                [
                    _(
                        "condition: the hashprice is unknown right now (no recent bitcoin "
                        "network data); try again in a few minutes (nothing was created)"
                    )
                ]
            )
        return HASHPRICE_SYMBOL, AlertKind.BELOW.value, quote

    @add.autocomplete("symbol")
    async def _symbol(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return suggest_symbols(self.prices.index, current)

    # ----- /alert list --------------------------------------------------------------------

    @alert.command(
        name="list", description="Your alerts here; all:true lists the server's (admins)"
    )
    @app_commands.describe(everyone="List every alert in this server (server admins only)")
    @app_commands.rename(everyone="all")
    async def list_(self, interaction: Interaction, everyone: bool = False) -> None:
        """List the member's alerts (or, for an admin, the server's), paged."""
        member = member_for(interaction)
        alerts = await self.bot.alerts.list_alerts(member, everyone=everyone)
        if not alerts:
            await reply_privately(interaction, empty_list_reply(everyone=everyone))
            return
        settings = self.bot.settings
        limit = settings.max_alerts_per_guild if everyone else settings.max_alerts_per_user

        async def render(alerts: list[Alert]) -> list[dict[str, Any]]:
            gaps = await self.bot.alerts.list_notes(alerts)
            now = self.bot.clock.now()
            return list_pages(alerts, now, everyone=everyone, limit=limit, gaps=gaps)

        async def pages() -> list[dict[str, Any]]:
            alerts = await self.bot.alerts.list_alerts(member, everyone=everyone)
            return await render(alerts) if alerts else []

        await self._pages.send(
            interaction,
            pages,
            rendered=await render(alerts),
            buttons_for=self.page_timeout,
            ephemeral=True,
        )

    # ----- managing one alert ---------------------------------------------------------------

    @alert.command(name="remove", description="Remove an alert for good")
    @app_commands.describe(alert_id=ID_HELP)
    @app_commands.rename(alert_id="id")
    async def remove(self, interaction: Interaction, alert_id: RowNumber) -> None:
        """Remove an alert the member owns (admins: any in this server)."""
        member = member_for(interaction)
        removed = await self.bot.alerts.remove(member, alert_id)
        await reply_privately(interaction, removed_reply(removed, member.user_id))

    @alert.command(name="pause", description="Stop an alert from firing until you resume it")
    @app_commands.describe(alert_id=ID_HELP)
    @app_commands.rename(alert_id="id")
    async def pause(self, interaction: Interaction, alert_id: RowNumber) -> None:
        """Pause an alert the member may manage."""
        member = member_for(interaction)
        before = await self.bot.alerts.get(member, alert_id, "pause")
        paused = await self.bot.alerts.pause(member, alert_id)
        await reply_privately(
            interaction, paused_reply(paused, already=before.state == paused.state)
        )

    @alert.command(name="resume", description="Resume a paused alert from the current price")
    @app_commands.describe(alert_id=ID_HELP)
    @app_commands.rename(alert_id="id")
    async def resume(self, interaction: Interaction, alert_id: RowNumber) -> None:
        """Resume a paused alert; it never fires for a crossing made while it was paused."""
        member = member_for(interaction)
        alert = await self.bot.alerts.get(member, alert_id, "resume")
        if not alert.via_dm:
            check_can_post_here_for(interaction, alert.channel_id)
        quote = self.bot.market.quote(alert.symbol)
        result = await self.bot.alerts.resume(member, alert_id, quote)
        await reply_privately(
            interaction, resumed_reply(result.alert, quote, waiting=result.waiting)
        )

    @alert.command(name="snooze", description="Keep an alert quiet for some minutes")
    @app_commands.describe(
        alert_id=ID_HELP,
        minutes=f"How long, in minutes ({MIN_SNOOZE_MINUTES} to {MAX_SNOOZE_MINUTES}, a week)",
    )
    @app_commands.rename(alert_id="id")
    async def snooze(
        self,
        interaction: Interaction,
        alert_id: RowNumber,
        minutes: app_commands.Range[int, MIN_SNOOZE_MINUTES, MAX_SNOOZE_MINUTES],
    ) -> None:
        """Snooze an alert: crossings meanwhile are skipped."""
        member = member_for(interaction)
        snoozed = await self.bot.alerts.snooze(member, alert_id, minutes)
        await reply_privately(interaction, snoozed_reply(snoozed))

    @remove.autocomplete("alert_id")
    @pause.autocomplete("alert_id")
    @resume.autocomplete("alert_id")
    @snooze.autocomplete("alert_id")
    async def _alert_id(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """Offer the member's own alerts here (an admin's include everyone's), newest first."""
        member = member_for(interaction)
        alerts = await self.bot.alerts.list_alerts(member, everyone=member.is_admin)
        typed = current.strip().lstrip("#")
        matching = [a for a in reversed(alerts) if str(a.id).startswith(typed)]
        return [
            app_commands.Choice(name=choice_label(a), value=a.id)
            for a in matching[:AUTOCOMPLETE_CHOICES]
        ]


def check_can_post_here_for(interaction: Interaction, channel_id: int) -> None:
    """Refuse to resume a channel alert from the channel it posts in when the bot cannot."""
    # Only the channel the command runs in has its permissions in the interaction; an alert
    # resumed from elsewhere is checked when it next posts (and paused again if need be).
    if interaction.channel_id == channel_id:
        check_can_post_here(interaction)


def check_without_price(
    symbol: str,
    condition: str,
    value: float | None,
    expires_days: int | None,
    note: str | None,
    versus: str | None = None,
) -> None:
    """Check the options that need no current price (all of them but a price level)."""
    try:
        kind = AlertKind(condition)
    except ValueError:
        kind = None
    if kind not in (AlertKind.ABOVE, AlertKind.BELOW):
        check_new_alert(
            symbol=symbol,
            condition=condition,
            value=value,
            quote=None,
            expires_days=expires_days,
            note=note,
            versus=versus,
        )
    elif value is None:
        raise InvalidInput([_("value: {kind} needs a value (the price level)", kind=kind)])
    elif not math.isfinite(value) or value <= 0:
        raise InvalidInput(
            [
                _(
                    "value: must be a price above {zero} (got {value})",
                    zero=money(0),
                    value=figure(value),
                )
            ]
        )
