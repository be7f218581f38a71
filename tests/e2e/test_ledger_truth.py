"""What each ledger figure means, read as a member reads the replies, and whether it counts.

One test per row of the "what the figures mean" table of the 2026-12 additions: a floor, a
joint venture's share, an acquisition price, a firm value with an option, a target, a
low-confidence row, and $/MW/yr ranked within one kind of deal only.
"""

from __future__ import annotations

import re

import pytest

from bot.format import ratio
from bot.sandbox.session import SandboxSession
from tests.e2e.deals_helpers import add_deal, global_id, run
from tests.e2e.deals_helpers import people as deals_people
from tests.e2e.reading import embed_text, embeds_text


async def text_of(sandbox: SandboxSession, command: str, options: dict[str, object]) -> str:
    result = await run(sandbox, command, options, user=sandbox.world.member)
    return embeds_text(result) or result.content


async def leaderboard(sandbox: SandboxSession, metric: str) -> list[str]:
    text = await text_of(sandbox, "deals leaderboard", {"metric": metric})
    return text.splitlines()


def ranked(lines: list[str], symbol: str) -> str | None:
    return next((line for line in lines if re.match(rf"\d+\. \*\*{symbol}\*\* ", line)), None)


# ----- the figures table ----------------------------------------------------------------------


async def test_core_scientific_more_than_10bn_is_a_floor(sandbox: SandboxSession) -> None:
    shown = await text_of(
        sandbox, "deals show", {"id": await global_id(sandbox, "corz-coreweave-hosting")}
    )
    assert "**Total contract value** > $10B" in shown
    # $10B ÷ 12 years, at least: $833M a year, not the $850M the old ledger stored.
    assert "**Annualised revenue** > $833M/yr (derived: value ÷ term" in shown
    assert "850M" not in shown
    assert ranked(await leaderboard(sandbox, "value"), "CORZ") == "6. **CORZ** > $10B · 1 deal"


async def test_terawulf_counts_51_percent_of_its_joint_venture(sandbox: SandboxSession) -> None:
    jv = await global_id(sandbox, "wulf-fluidstack-abernathy-jv")
    shown = await text_of(sandbox, "deals show", {"id": jv})
    assert "**MW** 168 MW (IT) · gross — (100 % JV; 51 % attributable: 85.7 MW (IT))" in shown
    assert "**Total contract value** ~$9.5B (100 % JV; 51 % attributable: ~$4.84B)" in shown
    # 60 + 200 + 160 MW of leases and 51 % of the JV's 168 MW; $3.7B + $3B + 51 % of $9.5B.
    assert ranked(await leaderboard(sandbox, "mw"), "WULF") == "6. **WULF** 505.7 MW (IT)"
    value = ranked(await leaderboard(sandbox, "value"), "WULF")
    assert value is not None and "**WULF** ~$11.5B · 4 deals (+1 undisclosed)" in value


@pytest.mark.parametrize("price_source", ["demo"])  # synthetic prices with market caps
async def test_terawulf_value_to_market_cap_uses_its_share(sandbox: SandboxSession) -> None:
    quote = sandbox.bot.market.quote("WULF")
    assert quote is not None and quote.market_cap
    expected = ratio((3.7e9 + 3.0e9 + 0.51 * 9.5e9) / quote.market_cap)
    line = ranked(await leaderboard(sandbox, "value_to_market_cap"), "WULF")
    assert line is not None and f"**WULF** {expected} · ~$11.5B /" in line


async def test_mara_exaion_price_is_in_no_total(sandbox: SandboxSession) -> None:
    listed = await text_of(sandbox, "deals list", {"company": "MARA"})
    assert "**value** $168M purchase price (not contract revenue)" in listed
    assert (
        "**MARA** · no deal counted · 1 acquisition / investment, 1 partnership / MOU, "
        "not counted" in listed
    )
    for metric in ("value", "mw"):
        assert ranked(await leaderboard(sandbox, metric), "MARA") is None
    board = await text_of(sandbox, "board", {"sort": "value"})
    (mara,) = [row for row in board.splitlines() if row.startswith("MARA")]
    assert "168" not in mara and mara.split()[-2:] == ["—", "—"]


async def test_nebius_meta_counts_the_firm_12bn_and_shows_the_option_apart(
    sandbox: SandboxSession,
) -> None:
    shown = await text_of(sandbox, "deals show", {"id": await global_id(sandbox, "nbis-meta-2026")})
    assert (
        "**Total contract value** $12B firm · optional purchase of up to $15B more, not counted"
        in shown
    )
    assert "with extensions" not in shown
    # $17.4B + ~$2.9B + $12B: neither Meta's option nor Microsoft's extra services count.
    line = ranked(await leaderboard(sandbox, "value"), "NBIS")
    assert line is not None and "**NBIS** ~$32.3B · 3 deals" in line


async def test_iren_ai_cloud_target_is_listed_never_counted(sandbox: SandboxSession) -> None:
    listed = await text_of(sandbox, "deals list", {"company": "IREN"})
    assert "**Annualised** $500M/yr (company-stated target, not a contract; not counted)" in listed
    assert "1 target, not counted" in listed
    assert "**IREN** · 2 deals · 260 MW (IT) · ~$13.1B" in listed


async def test_iren_nvidia_is_shown_with_its_low_confidence_and_not_ranked(
    sandbox: SandboxSession,
) -> None:
    nvidia = await global_id(sandbox, "iren-nvidia-2026")
    listed = await text_of(sandbox, "deals list", {"company": "IREN"})
    (row,) = [b for b in listed.split("\n#") if b.startswith(f"{nvidia} · IREN")]
    assert "**confidence** low" in row and "**MW** 60 MW (IT)" in row
    assert "incl. 1 low-confidence" in listed  # the total counts it, and says so
    mw = await leaderboard(sandbox, "mw")
    assert ranked(mw, "IREN") == "7. **IREN** 200 MW (IT)"  # Microsoft's 200 MW only
    assert "2 deals below medium confidence are listed in /deals list, not ranked." in mw
    assert f"(#{nvidia})" not in "\n".join(await leaderboard(sandbox, "usd_per_mw_year"))


async def test_price_per_mw_year_never_ranks_a_lease_with_a_cloud_contract(
    sandbox: SandboxSession,
) -> None:
    lines = await leaderboard(sandbox, "usd_per_mw_year")
    contracts = {c.id: c for c in await sandbox.bot.store.ledger.contracts(guild_id=None)}
    tables: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.startswith("__") and line.endswith("__"):
            current = line
            tables[current] = []
        elif current is not None and (found := re.search(r"\(#(\d+)\)", line)):
            tables[current].append(contracts[int(found.group(1))].deal_kind)
    assert set(tables) == {
        "__Colocation / powered-shell leases__",
        "__GPU-cloud services (the price includes the GPUs)__",
        "__Joint ventures (whole deal)__",
    }
    for kinds in tables.values():
        assert len(set(kinds)) == 1  # one kind per ranking
    assert tables["__GPU-cloud services (the price includes the GPUs)__"][0] == (
        "gpu_cloud_services"
    )
    cloud = lines.index("__GPU-cloud services (the price includes the GPUs)__")
    assert lines[cloud + 1].startswith("1. **IREN** ← Microsoft (MSFT)")


# ----- the deals added, the rename and the status update -------------------------------------


@pytest.mark.parametrize(
    ("symbol", "mw", "value"),
    [
        ("HUT", "597 MW (IT)", "~$16.8B · 2 deals"),  # River Bend + Beacon Point
        ("APLD", "1.41 GW (IT)", "~$36.2B · 5 deals"),  # + Delta Forge 1, 2, Polaris Forge 3
    ],
)
async def test_deals_announced_by_mid_2026_are_counted(
    sandbox: SandboxSession, symbol: str, mw: str, value: str
) -> None:
    assert f"**{symbol}** {mw}" in "\n".join(await leaderboard(sandbox, "mw"))
    assert f"**{symbol}** {value}" in "\n".join(await leaderboard(sandbox, "value"))


async def test_cipher_is_cipher_digital_and_its_old_name_still_works(
    sandbox: SandboxSession,
) -> None:
    profile = await text_of(sandbox, "company", {"symbol": "cipher mining"})
    assert "**Name** Cipher Digital Inc. (formerly Cipher Mining Inc.)" in profile
    # The third hyperscaler lease counts as a deal; its MW and value were not disclosed.
    assert (
        "**AI contracts** 4 deals · 207 MW (IT) + 300 MW (gross) · ~$9.33B (+1 undisclosed) · "
        "as of 2025-11-03 (oldest)"
    ) in profile
    listed = await text_of(sandbox, "deals list", {"company": "cipher digital"})
    assert "CIFR ← Unnamed investment-grade hyperscale tenant" in listed


async def test_core_scientific_status_is_as_of_may_2026(sandbox: SandboxSession) -> None:
    shown = await text_of(
        sandbox, "deals show", {"id": await global_id(sandbox, "corz-coreweave-hosting")}
    )
    assert "**Status** partially energised (as of 2026-05-06)" in shown
    assert "243 MW billing to CoreWeave" in shown


# ----- tenants --------------------------------------------------------------------------------


async def test_coreweave_is_shown_as_a_tenant(sandbox: SandboxSession) -> None:
    text = await text_of(sandbox, "company", {"symbol": "CRWV"})
    assert "none in the ledger" not in text
    # Core Scientific (> $10B), Galaxy (~$15B) and Applied Digital (~$11B): whole deals.
    assert (
        "**As tenant** 3 leases (hosts: APLD, CORZ, GLXY) · committed: 1.52 GW (IT) · > ~$36B"
        in text
    )
    assert "**As tenant** 1 acquisition / investment (hosts: CORZ) · 1 terminated" in text


@pytest.mark.parametrize(
    ("symbol", "line"),
    [
        (
            "MSFT",
            "**As tenant** 2 GPU-cloud services contracts (hosts: IREN, NBIS) · committed: "
            "200 MW (IT) · ~$27.1B",
        ),
        ("AMZN", "**As tenant** 1 lease (hosts: CIFR) · committed: 300 MW (gross) · ~$5.5B"),
        (
            "META",
            "**As tenant** 2 GPU-cloud services contracts (hosts: NBIS) · committed: — · ~$14.9B",
        ),
        ("GOOGL", "**As backstop** 5 leases (hosts: CIFR, HUT, WULF) · guarantee amounts"),
        ("anthropic", "**As end customer** 1 lease (hosts: HUT) · uses 245 MW (IT) · ~$7B"),
        ("fluidstack", "**As tenant** 1 joint venture (hosts: WULF) · committed: 168 MW (IT)"),
    ],
)
async def test_tenants_end_customers_and_backstops_have_their_deals(
    sandbox: SandboxSession, symbol: str, line: str
) -> None:
    text = await text_of(sandbox, "company", {"symbol": symbol})
    assert line in text
    assert "none in the ledger" not in text


async def test_a_private_company_has_a_profile_but_no_price(sandbox: SandboxSession) -> None:
    profile = await text_of(sandbox, "company", {"symbol": "fluidstack"})
    assert "**Exchange** private company: no share price" in profile
    assert "Latest price" not in profile
    result = await run(sandbox, "price", {"symbol": "fluidstack"})
    assert result.ephemeral and "is a private company, with no share price" in result.content


async def test_price_of_a_tenant_shows_its_commitments(sandbox: SandboxSession) -> None:
    (embed,) = (await run(sandbox, "price", {"symbol": "NVDA"})).embeds
    names = [f["name"] for f in embed["fields"]]
    assert "Contracted AI power" not in names
    assert "No hosting contracts" not in embed_text(embed)
    (field,) = [f for f in embed["fields"] if f["name"] == "Commitments as tenant"]
    assert field["value"].startswith(
        "**As tenant** 1 GPU-cloud services contract (hosts: IREN) · committed: 60 MW (IT) · "
        "~$3.4B · incl. 1 low-confidence"
    )


async def test_price_of_bitcoin_says_nothing_about_hosting(sandbox: SandboxSession) -> None:
    (embed,) = (await run(sandbox, "price", {"symbol": "BTC-USD"})).embeds
    text = embed_text(embed)
    assert "hosting" not in text and "Contracted AI power" not in text and "tenant" not in text


# ----- freshness and export -------------------------------------------------------------------


async def test_stale_statuses_are_marked_and_counted(sandbox: SandboxSession) -> None:
    listed = await text_of(sandbox, "deals list", {"company": "CIFR"})
    # Barber Lake was due on 2026-09-30 and its status dates from 2025-11-03.
    (barber,) = [b for b in listed.split("\n#") if "Fluidstack" in b and "168 MW (IT)" in b]
    assert "under construction (as of 2025-11-03) · ⚠ status may be stale" in barber
    fresh = await text_of(
        sandbox, "deals show", {"id": await global_id(sandbox, "apld-hyperscaler-delta-forge-2")}
    )
    assert "status may be stale" not in fresh  # June 2026, due in 2028
    stale = await text_of(
        sandbox, "deals show", {"id": await global_id(sandbox, "cifr-fluidstack-barberlake-1")}
    )
    assert (
        "⚠ **status may be stale**: expected delivery (2026-09-30) has passed without a status "
        "change." in stale
    )
    status = (await run(sandbox, "status")).embeds[0]["description"]
    found = re.search(r"Ledger: 32 contract\(s\) in this server's view · (\d+) marked", status)
    assert found is not None
    export = await run(sandbox, "deals export")
    rows = export.initial.files[0].data.decode().splitlines()  # type: ignore[union-attr]
    header = rows[0].split(",")
    column = header.index("status_may_be_stale")
    marked = sum(1 for row in rows[1:] if _cells(row)[column] == "yes")
    assert int(found.group(1)) == marked > 0


def _cells(row: str) -> list[str]:
    import csv

    return next(csv.reader([row]))


async def test_a_company_card_shows_the_oldest_status_date(sandbox: SandboxSession) -> None:
    text = await text_of(sandbox, "company", {"symbol": "HUT"})
    # River Bend's status dates from 2025-12-17, Beacon Point's from 2026-06-05.
    assert "**AI contracts** 2 deals · 597 MW (IT) · ~$16.8B · as of 2025-12-17 (oldest)" in text
    # River Bend's status is older than 180 days on 2026-11-25; Beacon Point's is not.
    assert "⚠ 1 of these deal(s): status may be stale" in text


async def test_the_quote_card_marks_stale_statuses(sandbox: SandboxSession) -> None:
    (embed,) = (await run(sandbox, "price", {"symbol": "CIFR"})).embeds
    (power,) = [f["value"] for f in embed["fields"] if f["name"] == "Contracted AI power"]
    assert "statuses as of 2025-11-03 (oldest)" in power
    assert re.search(r"⚠ \d+ with a status that may be stale", power)


async def test_a_member_adds_a_joint_venture_counted_at_its_share(
    sandbox: SandboxSession,
) -> None:
    people = deals_people(sandbox)
    refused, _ = await add_deal(sandbox, people.admin, kind="joint_venture")
    assert refused.ephemeral
    assert "share_pct: a joint venture needs the host's ownership share" in refused.content
    added, contract_id = await add_deal(
        sandbox, people.admin, kind="joint_venture", share_pct=50.0, status="signed"
    )
    assert contract_id is not None, added.content
    listed = await text_of(sandbox, "deals list", {"company": "IREN"})
    assert "(100 % JV; 50 % attributable: 25 MW (IT))" in listed
    # Microsoft's 200 MW, NVIDIA's 60 MW and half of the member's 50 MW JV.
    assert "**IREN** · 3 deals · 285 MW (IT)" in listed


async def test_export_carries_kinds_exactness_share_and_sources(sandbox: SandboxSession) -> None:
    import csv
    import io

    result = await run(sandbox, "deals export", user=sandbox.world.member)
    assert result.initial is not None
    (upload,) = result.initial.files
    assert upload.filename.endswith(".csv")
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(upload.data.decode()))}
    assert len(rows) == 32
    jv = rows["wulf-fluidstack-abernathy-jv"]
    assert (jv["deal_kind"], jv["host_share_pct"], jv["counted_value_usd"]) == (
        "joint_venture",
        "51",
        "4845000000",
    )
    assert jv["sources"].startswith("https://investors.terawulf.com/")
    corz = rows["corz-coreweave-hosting"]
    assert (corz["value_exactness"], corz["annualised_usd"], corz["annualised_basis"]) == (
        "floor",
        "833333333",
        "derived",
    )
    mara = rows["mara-exaion"]
    assert (mara["counted_in_totals"], mara["not_counted_because"], mara["counted_value_usd"]) == (
        "no",
        "acquisition / investment",
        "",
    )
    # The export adds up to the totals the bot shows: WULF ~$11.5B.
    wulf = sum(float(r["counted_value_usd"] or 0) for r in rows.values() if r["host"] == "WULF")
    assert wulf == pytest.approx(11.545e9)
