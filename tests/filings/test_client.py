"""The EDGAR client: who it says it is, conditional reads, the rate limit and backoff."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.filings.client import EdgarBackingOff, EdgarClient, EdgarError
from bot.filings.urls import submissions_url
from edgar_emulator import EdgarEmulator
from tests.filings.conftest import CIK
from tests.filings.world import CONTACT, edgar_client


def url(edgar: EdgarEmulator) -> str:
    return submissions_url(edgar.base_url, str(CIK))


async def test_every_request_names_the_operator(client: EdgarClient, edgar: EdgarEmulator) -> None:
    fetched = await client.submissions(url(edgar), etag=None, last_modified=None)
    assert fetched.changed and fetched.data["name"] == "Cipher Digital Inc."
    assert [s.user_agent for s in edgar.seen] == [CONTACT]
    assert edgar.problems() == []


async def test_the_local_edgar_refuses_a_request_without_user_agent(edgar: EdgarEmulator) -> None:
    async with (
        aiohttp.ClientSession(skip_auto_headers=["User-Agent"]) as session,
        session.get(url(edgar)) as response,
    ):
        assert response.status == 403
    assert edgar.problems() == [
        f"request without a name-and-e-mail User-Agent: /submissions/CIK{CIK:010d}.json"
    ]


async def test_an_unchanged_company_costs_a_304_and_no_body(
    client: EdgarClient, edgar: EdgarEmulator
) -> None:
    first = await client.submissions(url(edgar), etag=None, last_modified=None)
    again = await client.submissions(url(edgar), etag=first.etag, last_modified=first.last_modified)
    assert first.etag and not again.changed and again.size == 0
    assert [s.status for s in edgar.seen] == [200, 304]
    assert edgar.seen[1].conditional and edgar.seen[1].size == 0
    edgar.add_filing(CIK, "8-K", items="8.01")
    changed = await client.submissions(url(edgar), etag=first.etag, last_modified=None)
    assert changed.changed and changed.etag != first.etag


@pytest.mark.parametrize("status", [429, 403, 500, 503])
async def test_throttling_and_server_errors_trip_the_backoff(
    client: EdgarClient, edgar: EdgarEmulator, clock: ManualClock, status: int
) -> None:
    edgar.fail("/submissions/", status=status)
    with pytest.raises(EdgarError, match=f"HTTP {status}"):
        await client.submissions(url(edgar), etag=None, last_modified=None)
    assert client.backoff_state is not None
    with pytest.raises(EdgarBackingOff):
        await client.submissions(url(edgar), etag=None, last_modified=None)
    assert len(edgar.seen) == 1  # nothing asked while backing off
    clock.advance(timedelta(minutes=11))
    fetched = await client.submissions(url(edgar), etag=None, last_modified=None)
    assert fetched.changed and client.backoff_state is None


async def test_a_truncated_body_is_an_error_that_keeps_no_validators(
    client: EdgarClient, edgar: EdgarEmulator
) -> None:
    edgar.fail("/submissions/", truncate=True)
    with pytest.raises(EdgarError, match="unreadable JSON"):
        await client.submissions(url(edgar), etag=None, last_modified=None)
    assert client.backoff_state is None  # a cut-off body is not a throttle


async def test_a_slow_body_past_the_timeout_is_an_error(
    edgar: EdgarEmulator, clock: ManualClock
) -> None:
    edgar.fail("/submissions/", delay=1.0)
    client = edgar_client(edgar, clock, timeout=0.2)
    try:
        with pytest.raises(EdgarError, match="unreachable"):
            await client.submissions(url(edgar), etag=None, last_modified=None)
    finally:
        await client.aclose()


async def test_many_callers_share_one_rate_limit(client: EdgarClient, edgar: EdgarEmulator) -> None:
    started = time.monotonic()
    await asyncio.gather(
        *(client.submissions(url(edgar), etag=None, last_modified=None) for _ in range(12))
    )
    assert time.monotonic() - started >= 11 * 0.2 - 0.05  # 5 requests a second
    assert edgar.problems() == []
    assert client.requests_last_hour() == 12


async def test_the_local_edgar_reports_a_client_over_the_rate(edgar: EdgarEmulator) -> None:
    async with aiohttp.ClientSession(headers={"User-Agent": CONTACT}) as session:
        for _ in range(12):
            async with session.get(url(edgar)) as response:
                await response.read()
    assert any("within one second" in p for p in edgar.problems())
