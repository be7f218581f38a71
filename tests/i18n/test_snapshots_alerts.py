"""An alert post in English and in French (snapshots), each in its destination's language."""

from __future__ import annotations

import pytest

from bot.alerts.engine import Firing
from bot.alerts.messages import alert_messages, expiry_notices
from bot.alerts.model import AlertKind, AlertState, Basis, Direction
from bot.i18n.language import Language
from bot.outbox.model import Destination
from tests.alerts.helpers import T0, alert

from .snapshots import assert_snapshot, message_text

BOTH: list[Language] = ["en", "fr"]


def firings() -> list[Firing]:
    above = alert(AlertKind.ABOVE, 1250.0, AlertState.FIRED, id=7, note="take profit?")
    golden = alert(AlertKind.MA_CROSS, 0, AlertState.FIRED, id=8, basis=Basis.MA50_MA200)
    return [
        Firing(above, 1, Direction.UP, 1251.5, 1262.25, None, T0, False),
        Firing(golden, 1, Direction.UP, 14.2, 14.2, None, T0, True, measure=14.2, reference=13.9),
    ]


@pytest.mark.parametrize("language", BOTH)
def test_an_alert_post(language: Language) -> None:
    (message,) = alert_messages(firings(), lambda _destination, _guild: language)
    payload = message.payload
    assert_snapshot(f"alert.{language}", message_text(payload["content"], payload["embeds"]))


def test_each_destination_gets_its_own_language() -> None:
    """A French server's channel reads French; a member's DMs read the member's language."""
    in_channel = alert(AlertKind.ABOVE, 10.0, AlertState.FIRED, id=1)
    by_dm = alert(AlertKind.ABOVE, 10.0, AlertState.FIRED, id=2, via_dm=True)
    fired = [Firing(a, 1, Direction.UP, 10.5, 10.5, None, T0, False) for a in (in_channel, by_dm)]

    def language_of(destination: Destination, _guild: int | None) -> Language:
        return "en" if destination.is_dm else "fr"

    channel, dm = alert_messages(fired, language_of)
    assert channel.payload["embeds"][0]["title"] == "CIFR est passé au-dessus de 10,00\u00a0$US"
    assert dm.payload["content"] == "Your price alert fired."
    (expired,) = expiry_notices([in_channel], language_of)
    assert expired.payload["embeds"][0]["title"] == "Votre alerte a expiré"
