"""A local Yahoo on 127.0.0.1 that the unmodified yfinance/curl_cffi code talks to."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from curl_cffi import requests as curl_requests

from local_http import StandIn

from .payloads import (
    EMPTY_TIMESERIES,
    UNKNOWN_QUOTE_V7,
    Chart,
    YahooData,
    calendar_events,
    calendar_not_found,
    written,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = (REPO_ROOT / ".." / "shared" / "fixtures" / "yahoo").resolve()
YAHOO_HOSTS = frozenset(
    {
        "fc.yahoo.com",
        "query1.finance.yahoo.com",
        "query2.finance.yahoo.com",
        "guce.yahoo.com",
        "consent.yahoo.com",
        "finance.yahoo.com",
    }
)
CRUMB = "fake-crumb-42"
TIMESERIES_PATH = "/ws/fundamentals-timeseries/v1/finance/timeseries/"

# CONSTRUCTED, NOT GENUINE: no recorded copy of Yahoo's chart 404 exists in the fixtures.
# Its shape is the one yfinance's debug logs show (see PROVENANCE.md, "Not included").
CONSTRUCTED_UNKNOWN_SYMBOL_404 = json.dumps(
    {
        "chart": {
            "result": None,
            "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
        }
    }
).encode()


def fixture_bytes(name: str) -> bytes:
    """Return a genuine recorded payload from ../shared/fixtures/yahoo."""
    return (FIXTURES / name).read_bytes()


def _recorded_chart(name: str, *, intraday: bool) -> Chart:
    raw = fixture_bytes(name)
    return Chart(json.loads(raw), intraday=intraday, raw=raw)


def recorded() -> YahooData | None:
    """The genuine Yahoo recordings beside the checkout, when they are there (a cross-check)."""
    if not FIXTURES.is_dir():
        return None
    return YahooData(
        "recorded",
        _recorded_chart("chart_v8_MSFT_1d_1mo.json", intraday=False),
        _recorded_chart("chart_v8_MSFT_1h_1mo_intraday.json", intraday=True),
        _recorded_chart("chart_v8_AAPL_6mo_1d_live-last-bar.json", intraday=False),
        fixture_bytes("chart_v8_CAPIO.ST_delisted-no-data.json"),
        fixture_bytes("quote_v7_AAPL-MSFT.json"),
    )


def payload_sets() -> list[YahooData]:
    """The payloads written here, plus the recordings when present."""
    genuine = recorded()
    return [written(), *([genuine] if genuine is not None else [])]


@dataclass(frozen=True)
class Reply:
    """A canned HTTP answer."""

    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    host: str
    path: str
    query: dict[str, str]
    status: int


Responder = Callable[[str, str, dict[str, str]], Reply | None]


@dataclass
class FakeYahoo(StandIn[Seen]):
    """Routes and a request log; run with ``start()``, stop with ``stop()``."""

    charts: dict[str, Reply] = field(default_factory=dict)
    calendars: dict[str, Reply] = field(default_factory=dict)  # quoteSummary calendarEvents
    timeseries: dict[str, Reply] = field(default_factory=dict)
    extra: list[Responder] = field(default_factory=list)
    throttled: bool = False
    METHODS: ClassVar[tuple[str, ...]] = ("GET", "POST")

    def serve_chart(
        self, symbol: str, body: bytes, status: int = 200, *, interval: str | None = None
    ) -> None:
        """Answer /v8/finance/chart/SYMBOL with ``body`` (only for ``interval=`` when given)."""
        key = symbol.upper() if interval is None else f"{symbol.upper()}@{interval}"
        self.charts[key] = Reply(status, body)

    def serve_earnings(self, symbol: str, earnings: list[date], *, estimate: bool = True) -> None:
        """Answer quoteSummary calendarEvents for ``symbol`` with these earnings dates."""
        body = json.dumps(calendar_events(symbol.upper(), earnings, estimate=estimate))
        self.calendars[symbol.upper()] = Reply(200, body.encode())

    def serve_timeseries(self, symbol: str, body: bytes, status: int = 200) -> None:
        """Answer the fundamentals time series of SYMBOL (balance-sheet rows) with ``body``."""
        self.timeseries[symbol.upper()] = Reply(status, body)

    def requests(self, path_contains: str = "") -> list[Seen]:
        """Return the requests seen so far whose path contains ``path_contains``."""
        return [s for s in self.logged() if path_contains in s.path]

    def count(self, path_contains: str = "") -> int:
        """Return how many requests were seen (optionally filtered)."""
        return len(self.requests(path_contains))

    def answer(self, host: str, path: str, query: dict[str, str]) -> Reply:
        """Decide the reply for one request."""
        if self.throttled:
            return Reply(429, b"Too Many Requests", "text/plain")
        for responder in self.extra:
            reply = responder(host, path, query)
            if reply is not None:
                return reply
        if host == "fc.yahoo.com":
            return Reply(404, b"", "text/html")  # the real one is a 404 that sets the A3 cookie
        if path == "/v1/test/getcrumb":
            return Reply(200, CRUMB.encode(), "text/plain")
        if host == "guce.yahoo.com":
            return Reply(200, b"<html><body>no consent form here</body></html>", "text/html")
        if path == "/v7/finance/quote":
            # What v7 answers for symbols it does not know (an empty result, 200).
            return Reply(200, json.dumps(UNKNOWN_QUOTE_V7).encode())
        if path.startswith("/v10/finance/quoteSummary/"):
            symbol = path.rsplit("/", 1)[-1].upper()
            unknown = Reply(404, json.dumps(calendar_not_found(symbol)).encode())
            return self.calendars.get(symbol, unknown)
        if path.startswith(TIMESERIES_PATH):
            symbol = path.rsplit("/", 1)[-1].upper()
            return self.timeseries.get(symbol, Reply(200, json.dumps(EMPTY_TIMESERIES).encode()))
        if path.startswith("/v8/finance/chart/"):
            symbol = path.rsplit("/", 1)[-1].upper()
            by_interval = self.charts.get(f"{symbol}@{query.get('interval')}")
            return by_interval or self.charts.get(
                symbol, Reply(404, CONSTRUCTED_UNKNOWN_SYMBOL_404)
            )
        return Reply(404, b'{"finance":{"result":null,"error":{"code":"Not Found"}}}')

    def reply(self, raw_path: str) -> tuple[int, str, bytes]:
        parts = urlsplit(raw_path)
        host, _, rest = parts.path.lstrip("/").partition("/")
        path = "/" + rest
        query = dict(parse_qsl(parts.query))
        reply = self.answer(host, path, query)
        self.record(Seen(host, path, query, reply.status))
        return reply.status, reply.content_type, reply.body


def _yahoo_cookie() -> http.cookiejar.Cookie:
    # What fc.yahoo.com sets on .yahoo.com. The rewritten request goes to 127.0.0.1, where
    # curl may not store a .yahoo.com cookie, so it is put in the jar the way a browser would.
    return http.cookiejar.Cookie(
        version=0,
        name="A3",
        value="d=AQABBfakecookie",
        port=None,
        port_specified=False,
        domain=".yahoo.com",
        domain_specified=True,
        domain_initial_dot=True,
        path="/",
        path_specified=True,
        secure=True,
        expires=int(time.time()) + 365 * 86400,
        discard=False,
        comment=None,
        comment_url=None,
        rest={},
    )


@contextlib.contextmanager
def route_yahoo_to(port: int) -> Iterator[None]:
    """Send every curl_cffi request for a Yahoo host to 127.0.0.1:port; refuse all others."""
    original = curl_requests.Session.request
    local_prefix = f"http://127.0.0.1:{port}/"

    def request(self: Any, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname in YAHOO_HOSTS:
            local = urlunsplit(
                ("http", f"127.0.0.1:{port}", f"/{parts.hostname}{parts.path}", parts.query, "")
            )
        elif url.startswith(local_prefix):
            local = url
        else:
            raise RuntimeError(f"test tried to reach the network: {method} {url}")
        response = original(self, method, local, *args, **kwargs)
        if parts.hostname == "fc.yahoo.com":
            self.cookies.jar.set_cookie(_yahoo_cookie())
        return response

    curl_requests.Session.request = request  # type: ignore[method-assign]
    try:
        yield
    finally:
        curl_requests.Session.request = original  # type: ignore[method-assign]


@contextlib.contextmanager
def fresh_yfinance() -> Iterator[None]:
    """Reset yfinance's process-wide state before and after (session, crumb, caches)."""
    import yfinance.base
    import yfinance.cache as yfcache
    import yfinance.data

    managers = (yfcache._TzDBManager, yfcache._CookieDBManager, yfcache._ISINDBManager)
    saved_dirs = [m._cache_dir for m in managers]
    saved_hide = yfinance.config.debug.hide_exceptions

    def reset() -> None:
        # YfData is a singleton holding the session, cookie, crumb and cookie strategy.
        yfinance.data.SingletonMeta._instances.pop(yfinance.data.YfData, None)
        # cache_get is an lru_cache at class level (the tz probe goes through it).
        yfinance.data.YfData.cache_get.cache_clear()
        for manager in managers:
            manager.close_db()
            manager._db = None
        yfcache._TzCacheManager._tz_cache = None
        yfcache._CookieCacheManager._Cookie_cache = None
        yfcache._ISINCacheManager._isin_cache = None
        # After two failed time-zone probes yfinance stops trying .info for the rest of the
        # process: restart that counter so request counts do not depend on test order.
        yfinance.base._tz_info_fetch_ctr = 0

    reset()
    try:
        yield
    finally:
        reset()
        for manager, saved in zip(managers, saved_dirs, strict=True):
            manager._cache_dir = saved
        yfinance.config.debug.hide_exceptions = saved_hide


@contextlib.contextmanager
def serving(server: FakeYahoo | None = None) -> Iterator[FakeYahoo]:
    """Start a local Yahoo (a new one unless given), route curl_cffi to it and reset yfinance
    around the block; stop it afterwards."""
    found = server if server is not None else FakeYahoo()
    found.start()
    try:
        with route_yahoo_to(found.port), fresh_yfinance():
            yield found
    finally:
        found.stop()
