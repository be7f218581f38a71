"""Contract rendering: labels, unknowns, neutralised text, and pages within Discord's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.format import DASH
from bot.ledger.changes import group_changes
from bot.ledger.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_URL_LENGTH
from bot.ledger.model import Company, Contract, HistoryEntry, Site, Source
from bot.render.company import company_pages
from bot.render.contracts import (
    Change,
    contract_detail_pages,
    contract_field,
    contract_list_pages,
    power_of,
    revenue_of,
    safe,
    source_link,
    status_text,
    totals_lines,
    watch_embed,
)
from bot.render.leaderboard import MarketCap, Metric, leaderboard_embed
from bot.render.pages import split_text
from bot.store import Store
from tests import factories

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
SOURCE = Source("https://example.com/release", "Example release", "2025-11-03", "press_release")


def deal(contract_id: int = 1, **values: Any) -> Contract:
    """Return a contract with only the required facts, plus ``values``."""
    return factories.contract(**{"id": contract_id, "sources": (SOURCE,), **values})


def assert_within_limits(embed: dict[str, Any]) -> None:
    """Fail unless ``embed`` is one Discord accepts."""
    fields = embed.get("fields", [])
    assert len(embed.get("title", "")) <= 256
    assert len(embed.get("description", "")) <= 4096
    assert len(fields) <= 25
    for field in fields:
        assert 0 < len(field["name"]) <= 256 and field["name"].strip()
        assert 0 < len(field["value"]) <= 1024 and field["value"].strip()
    assert len(embed.get("footer", {}).get("text", "")) <= 2048
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000, total


def page_text(pages: list[dict[str, Any]]) -> str:
    parts = []
    for page in pages:
        parts += [page.get("title", ""), page.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in page.get("fields", [])]
    return "\n".join(parts)


# ----- figures and labels ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("it", "gross", "expected"),
    [
        (168.0, 244.0, "168 MW (IT) · 244 MW (gross)"),
        (None, 300.0, f"300 MW (gross) · IT {DASH}"),
        (590.0, None, f"590 MW (IT) · gross {DASH}"),
        (None, 1300.0, f"1.3 GW (gross) · IT {DASH}"),
        (None, None, DASH),
        (0.0, None, f"0 MW (IT) · gross {DASH}"),
    ],
)
def test_power_names_its_basis_and_dashes_the_unknown(
    it: float | None, gross: float | None, expected: str
) -> None:
    assert power_of(deal(mw_critical_it=it, mw_gross=gross)) == expected


@pytest.mark.parametrize(
    ("value", "basis", "figures", "expected"),
    [
        # Derived revenue is computed from value ÷ term; a stored "derived" figure is not used.
        (None, None, (3e9, 10.0), "$300M/yr (derived: value ÷ term, not company guidance)"),
        (300e6, "derived", (None, None), DASH),
        (1.94e9, "company_stated", (9.7e9, 5.0), "$1.94B/yr (company-stated)"),
        (90e6, None, (None, 10.0), DASH),
        (None, "derived", (None, None), DASH),
        (None, None, (None, None), DASH),
    ],
)
def test_annualised_revenue_is_labelled_by_basis(
    value: float | None,
    basis: str | None,
    figures: tuple[float | None, float | None],
    expected: str,
) -> None:
    total, term = figures
    contract = deal(
        annualised_revenue_usd=value,
        annualised_revenue_basis=basis,
        total_contract_value_usd=total,
        term_years=term,
    )
    assert revenue_of(contract) == expected


def test_unknown_figures_show_as_a_dash_never_a_number() -> None:
    field = contract_field(deal())
    lines = dict(line.split("** ", 1) for line in field.value.splitlines())
    assert lines["**MW"] == DASH
    assert lines["**Term"] == f"{DASH} · **value** {DASH}"
    assert lines["**Annualised"] == DASH
    assert lines["**GPUs"] == f"{DASH} · **site** {DASH}"
    assert not re.search(r"\$\d", field.value)  # no dollar figure was invented


@pytest.mark.parametrize(
    ("status", "as_of", "expected"),
    [
        ("signed", "2025-11-20", "signed (as of 2025-11-20)"),
        ("under_construction", "2025-11", "under construction (as of 2025-11)"),
        ("terminated", "2025-10-30", "⛔ **terminated** (as of 2025-10-30)"),
    ],
)
def test_status_carries_its_as_of_date(status: str, as_of: str, expected: str) -> None:
    assert status_text(deal(status=status, status_as_of=as_of)) == expected


def test_value_with_extensions_and_approximate_marks() -> None:
    contract = deal(
        total_contract_value_usd=3e9, value_exactness="approximate", tcv_with_extensions_usd=7e9
    )
    assert "**value** ~$3B (~$7B with extensions, not counted)" in contract_field(contract).value


def test_totals_count_only_binding_deals_and_say_so() -> None:
    contracts = [
        deal(1, mw_critical_it=168.0, mw_gross=244.0, total_contract_value_usd=3e9),
        deal(2, mw_gross=300.0, total_contract_value_usd=5.5e9),
        deal(3, status="terminated", mw_gross=1300.0, total_contract_value_usd=9e9),
        deal(4, status="announced", mw_critical_it=1000.0),
        deal(5, status="mou", mw_critical_it=100.0),
        deal(6),
    ]
    (line,) = totals_lines(contracts)
    assert line == (
        "**CIFR** · 3 deals · 168 MW (IT) + 300 MW (gross) · $8.5B (+1 undisclosed) · "
        "as of 2025-11-20 (oldest) · 1 terminated, 2 not yet binding, not counted"
    )


# ----- neutralised text and links -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@everyone look", "@\u200beveryone look"),
        ("@here now", "@\u200bhere now"),
        ("ping <@&123> role", r"ping \<@&123> role"),
        ("ping <@1> user", r"ping \<@1> user"),
        ("go <#42> </help:1>", r"go \<#42> \</help:1>"),
        ("**bold** _it_", r"\*\*bold\*\* \_it\_"),
        ("[click](https://evil.example)", r"\[click](https://evil.example)"),
        ("# Heading", r"\# Heading"),
        ("||spoiler||", r"\|\|spoiler\|\|"),
        ("   ", DASH),
    ],
)
def test_user_text_is_neutralised(text: str, expected: str) -> None:
    assert safe(text) == expected


def test_safe_clips_without_a_dangling_escape() -> None:
    shown = safe("*" * 500, 101)
    assert len(shown) <= 101 and shown.endswith("…") and not shown.endswith("\\…")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            Source("https://a.example/x", "Deal [signed] *now*"),
            r"[Deal (signed) \*now\*](https://a.example/x)",
        ),
        (Source("https://a.example/p_(1)", None), "[a.example](https://a.example/p_%281%29)"),
        (Source("http://b.example/a b", "T"), "[T](http://b.example/a%20b)"),
        (Source("javascript:alert(1)", "x"), "javascript:alert(1) (not an http(s) link)"),
    ],
)
def test_source_links_are_http_with_a_neutralised_title(source: Source, expected: str) -> None:
    assert source_link(source) == expected


def test_every_listed_contract_carries_a_source_link_even_with_a_huge_url() -> None:
    long_url = "https://example.com/" + "a" * (MAX_URL_LENGTH - 20)
    contract = deal(sources=(Source(long_url),))
    value = contract_field(contract).value
    assert len(value) <= 1024
    assert "example.com" in value and "/deals show 1" in value


# ----- pages within Discord's limits ----------------------------------------------------


async def test_the_whole_shipped_ledger_pages_within_limits(seeded_store: Store) -> None:
    contracts = await seeded_store.ledger.contracts(guild_id=None)
    pages = contract_list_pages(contracts)
    for page in pages:
        assert_within_limits(page)
    text = page_text(pages)
    for contract in contracts:
        assert text.count(f"#{contract.id} · ") == 1
    sources = re.findall(r"\*\*Source\*\* \[[^\]]+\]\(https?://[^)\s]+\)", text)
    assert len(sources) == len(contracts)
    assert text.count("(as of ") >= len(contracts)


def hostile(contract_id: int) -> Contract:
    """Return a contract with every text at its limit, full of markup, and a maximal URL."""
    text = ("*_`@everyone <@&1> [x](https://e.example) " * 40)[:MAX_TEXT_LENGTH]
    name = ("_*<@&123>|" * 30)[:MAX_NAME_LENGTH]
    url = "https://example.com/(" + "a" * (MAX_URL_LENGTH - 21)
    return deal(
        contract_id,
        guild_id=contract_id % 3 or None,
        counterparty=name,
        end_customer=name,
        backstop=text,
        mw_critical_it=9999.5,
        mw_gross=10_000.0,
        mw_note=text,
        term_years=99.0,
        extension_options=text,
        total_contract_value_usd=1e13,
        tcv_with_extensions_usd=1e13,
        annualised_revenue_usd=1e13,
        annualised_revenue_basis="derived",
        annualised_revenue_note=text,
        gpu_type=name,
        gpu_count=10_000_000,
        site=name,
        site_location=name,
        expected_delivery=text,
        status_note=text,
        notes=text,
        sources=tuple(Source(url, text, "2025-01-01", "news") for _ in range(12)),
    )


def test_two_hundred_hostile_contracts_page_within_limits() -> None:
    contracts = [hostile(i) for i in range(1, 201)]
    pages = contract_list_pages(contracts)
    assert len(pages) >= 200 // 5
    for page in pages:
        assert_within_limits(page)
    names = [f["name"] for page in pages for f in page.get("fields", [])]
    assert [int(n[1:].split(" ", 1)[0]) for n in names] == list(range(1, 201))
    assert "@everyone" not in page_text(pages)


def history(count: int) -> list[HistoryEntry]:
    long = "x" * 1000
    entries = [HistoryEntry(1, NOW.isoformat(), None, "ledger", "create", None, None, None)]
    entries += [
        HistoryEntry(1, NOW.isoformat(), 42, "user:42", "update", "notes", long, "@everyone")
        for _ in range(count)
    ]
    return entries


@pytest.mark.parametrize("changes", [0, 3, 300])
def test_a_contract_in_full_keeps_every_change_within_limits(changes: int) -> None:
    pages = contract_detail_pages(hostile(7), history(changes))
    for page in pages:
        assert_within_limits(page)
    text = page_text(pages)
    assert text.count("<@42>") == changes
    assert "the shipped ledger · added" in text
    assert "@everyone" not in text


def test_a_link_too_long_for_a_field_names_its_site_instead_of_breaking() -> None:
    url = "https://example.com/" + "a" * (MAX_URL_LENGTH - 20)
    contract = deal(sources=(Source(url, "Release"), SOURCE))
    text = page_text(contract_detail_pages(contract, []))
    assert "• example.com (link too long for Discord to show)" in text
    assert "• [Example release](https://example.com/release) · 2025-11-03 · press release" in text
    assert "a…" not in text


def test_long_escaped_notes_continue_in_further_fields_uncut() -> None:
    contract = hostile(3)
    pages = contract_detail_pages(contract, [])
    pieces = [
        f["value"]
        for page in pages
        for f in page.get("fields", [])
        if f["name"] in ("Notes", "Notes (continued)")
    ]
    assert len(pieces) >= 2
    assert "".join(pieces).replace(" ", "") == safe(contract.notes).replace(" ", "")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, ["short"]),
        ("aaaa bbbb cccc", 9, ["aaaa bbbb", "cccc"]),
        ("x" * 12, 5, ["xxxxx", "xxxxx", "xx"]),
        ("abcd\\*e", 5, ["abcd", "\\*e"]),  # an escape stays with what it escapes
    ],
)
def test_split_text(text: str, limit: int, expected: list[str]) -> None:
    assert split_text(text, limit) == expected


def test_history_names_options_and_shows_old_and_new() -> None:
    entries = [
        HistoryEntry(1, NOW.isoformat(), 42, "user:42", "update", "mw_critical_it", "168", "170"),
        HistoryEntry(1, NOW.isoformat(), 42, "user:42", "delete", None, None, None),
    ]
    text = page_text(contract_detail_pages(deal(), entries))
    assert f"<t:{int(NOW.timestamp())}:f> · <@42> · `mw_it`: 168 → 170" in text
    assert "<@42> · removed" in text


# ----- watch posts ----------------------------------------------------------------------


def test_history_rows_group_into_one_change_per_action() -> None:
    at, later = NOW.isoformat(), "2026-11-26T15:01:00+00:00"
    rows = [
        (10, HistoryEntry(1, at, 5, "user:5", "create", None, None, None)),
        (11, HistoryEntry(1, later, 5, "user:5", "update", "status", "signed", "energized")),
        (12, HistoryEntry(1, later, 5, "user:5", "update", "mw_gross", None, "300")),
        (13, HistoryEntry(2, later, 5, "user:5", "delete", None, None, None)),
    ]
    changes = group_changes(rows)
    assert [(c.first_id, c.last_id, c.action) for c in changes] == [
        (10, 10, "create"),
        (11, 12, "update"),
        (13, 13, "delete"),
    ]


@pytest.mark.parametrize("action", ["create", "update", "delete"])
def test_watch_posts_fit_one_message(action: str) -> None:
    contract = hostile(9)
    entries = tuple(
        HistoryEntry(9, NOW.isoformat(), 5, "user:5", action, "notes", "x" * 999, "y" * 999)
        for _ in range(1 if action != "update" else 30)
    )
    embed = watch_embed(contract, Change(1, len(entries), 9, entries))
    assert_within_limits(embed)
    assert "<@5>" in embed["description"] and "@everyone" not in embed["description"]


# ----- leaderboard ----------------------------------------------------------------------


def test_leaderboard_by_value_to_market_cap_marks_demo_and_missing_caps() -> None:
    contracts = [
        deal(1, host_symbol="CIFR", total_contract_value_usd=9e9),
        deal(2, host_symbol="IREN", total_contract_value_usd=9.7e9),
        deal(3, host_symbol="NBIS", total_contract_value_usd=17.4e9),
        deal(4, host_symbol="CORZ", status="terminated", total_contract_value_usd=9e9),
    ]
    caps = {
        "CIFR": MarketCap(6e9, NOW, demo=True),
        "IREN": MarketCap(12e9, NOW, stale=True),
        "NBIS": None,
    }
    embed = leaderboard_embed(Metric.VALUE_TO_MARKET_CAP, contracts, caps)
    assert_within_limits(embed)
    lines = embed["description"].splitlines()
    assert lines[0].startswith("1. **CIFR** 1.50× · $9B / $6B market cap [DEMO]")
    assert lines[1].startswith("2. **IREN** 0.81×") and lines[1].endswith("[stale]")
    assert "No market cap available yet: NBIS" in embed["description"]
    assert "CORZ" not in embed["description"]


def test_price_per_mw_year_needs_value_term_and_mw() -> None:
    contracts = [
        deal(1, total_contract_value_usd=3e9, term_years=10.0, mw_critical_it=168.0),
        deal(2, total_contract_value_usd=5.5e9, term_years=15.0, mw_gross=300.0),
        deal(3, total_contract_value_usd=1e9, term_years=None, mw_critical_it=10.0),
        deal(4, total_contract_value_usd=None, term_years=5.0, mw_critical_it=10.0),
    ]
    embed = leaderboard_embed(Metric.USD_PER_MW_YEAR, contracts)
    heading, *lines = embed["description"].splitlines()
    assert heading == "__Colocation / powered-shell leases__"  # one table per kind of deal
    assert lines[0].startswith("1. **CIFR** ← Fluidstack (#1) · $1.79M/MW/yr")
    assert lines[0].endswith("on 168 MW (IT)")
    assert lines[1].endswith("on 300 MW (gross)")
    assert "2 deals left out" in embed["description"]


@pytest.mark.parametrize("metric", list(Metric))
def test_every_leaderboard_fits_for_two_hundred_contracts(metric: Metric) -> None:
    contracts = [hostile(i) for i in range(1, 201)]
    caps = {"CIFR": MarketCap(1e9, NOW)}
    assert_within_limits(leaderboard_embed(metric, contracts, caps))


# ----- company profile ------------------------------------------------------------------


def test_company_profile_fits_and_marks_unknowns() -> None:
    site = Site("Barber Lake", "Colorado City, TX", 300.0, "gross", "x" * 900, "2025-11-20", "high")
    company = Company(
        symbol="CIFR",
        name="Cipher Mining Inc.",
        kind="miner",
        sites=tuple(site for _ in range(40)),
        sources=tuple(SOURCE for _ in range(40)),
    )
    pages = company_pages(company, [deal(mw_gross=300.0)], None)
    for page in pages:
        assert_within_limits(page)
    text = page_text(pages)
    assert f"**Still mines bitcoin** {DASH}" in text
    assert "no price cached yet" in text
    assert "1 deal · 300 MW (gross)" in text
