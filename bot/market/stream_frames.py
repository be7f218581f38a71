"""Yahoo's streaming frames: JSON text carrying a base64 ``PricingData`` protobuf, decoded."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from google.protobuf.message import DecodeError
from yfinance.pricing_pb2 import PricingData

# Yahoo's ``marketHours`` values: where the trade happened. Kept as sent; the session a quote
# carries comes from the exchange calendar (protobuf cannot tell an absent 0 from pre-market).
MARKET_HOURS: Final = {0: "pre", 1: "regular", 2: "post", 3: "post"}


class FrameError(ValueError):
    """A frame that is not a pricing message we can read (garbage, or a changed protocol)."""


@dataclass(frozen=True, slots=True)
class StreamTick:
    """One streamed trade as Yahoo sends it (proto3 zeros turned into None)."""

    symbol: str
    price: float
    traded_at: datetime
    previous_close: float | None = None
    change: float | None = None
    day_high: float | None = None
    day_low: float | None = None
    day_volume: int | None = None
    open_price: float | None = None
    currency: str | None = None
    market_hours: str | None = None


def subscribe_message(symbols: list[str]) -> str:
    """Return the JSON text that subscribes to ``symbols``."""
    return json.dumps({"subscribe": sorted(symbols)})


def unsubscribe_message(symbols: list[str]) -> str:
    """Return the JSON text that ends the subscription to ``symbols``."""
    return json.dumps({"unsubscribe": sorted(symbols)})


def decode_frame(raw: str | bytes) -> StreamTick:
    """Return the trade a frame carries; raise FrameError for anything else."""
    try:
        envelope = json.loads(raw)
        payload = base64.b64decode(envelope["message"], validate=True)
        data = PricingData()
        data.ParseFromString(payload)
    except (ValueError, TypeError, KeyError, binascii.Error, DecodeError) as exc:
        raise FrameError(f"unreadable frame: {type(exc).__name__}") from exc
    if not data.id or data.time <= 0:
        raise FrameError("frame without a symbol or a time")
    # Yahoo stamps trades in milliseconds since the epoch.
    traded_at = datetime.fromtimestamp(data.time / 1000, UTC)
    return StreamTick(
        symbol=data.id.upper(),
        price=_float32(data.price),
        traded_at=traded_at,
        previous_close=_positive(data.previous_close),
        change=_float32(data.change) if data.change else None,
        day_high=_positive(data.day_high),
        day_low=_positive(data.day_low),
        day_volume=int(data.day_volume) if data.day_volume > 0 else None,
        open_price=_positive(data.open_price),
        currency=data.currency or None,
        market_hours=MARKET_HOURS.get(data.market_hours),
    )


def _float32(value: float) -> float:
    # Prices travel as 32-bit floats (about 7 significant digits): 21.2 arrives as
    # 21.2000007…; keeping 7 significant digits gives back the price that was sent.
    value = float(value)
    return float(f"{value:.7g}") if math.isfinite(value) else value


def _positive(value: float) -> float | None:
    # proto3 cannot tell an absent float from 0.0: zero means "not sent".
    value = _float32(value)
    return value if math.isfinite(value) and value > 0 else None
