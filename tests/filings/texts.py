"""Announcement texts written for the extraction tests, shaped like 8-K items and releases.

The wording follows how hosting deals are announced (an 8-K Item 1.01, an exhibit 99.1
press release, a 6-K); the figures, sites and dates are made up for the tests and are not
the real deals. Each case says what must be extracted and which figures must stay empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.ledger.model import FieldValue


@dataclass(frozen=True)
class Case:
    """One text, the proposals it must give (as contract fields) and the fields left empty."""

    name: str
    host: str
    host_names: tuple[str, ...]
    text: str
    expected: tuple[dict[str, FieldValue], ...]
    empty: tuple[tuple[str, ...], ...]


CASES: tuple[Case, ...] = (
    Case(
        name="8-K Item 1.01, one lease with a backstop",
        host="CIFR",
        host_names=("Cipher Digital Inc.", "cipher", "cipher digital"),
        text="""\
Item 1.01 Entry into a Material Definitive Agreement.

On November 3, 2026, Cipher Digital Inc. (the "Company") entered into a colocation lease
agreement with Fluidstack Ltd. ("Fluidstack") for approximately 168 MW of critical IT load
at the Company's Barber Lake site. The lease has an initial term of ten years and a total
contract value of approximately $3.8 billion. Google has agreed to backstop $1.4 billion of
Fluidstack's lease obligations in exchange for warrants.

The foregoing description does not purport to be complete.
""",
        expected=(
            {
                "host_symbol": "CIFR",
                "counterparty": "Fluidstack Ltd.",
                "backstop": "Google",
                "mw_critical_it": 168.0,
                "term_years": 10.0,
                "total_contract_value_usd": 3.8e9,
                "value_exactness": "approximate",
                "value_kind": "contracted_revenue",
                "site": "Barber Lake",
                "announced_date": "2026-11-03",
            },
        ),
        empty=(("end_customer", "mw_gross", "mw_unstated"),),
    ),
    Case(
        name="press release, one tenant at two sites",
        host="WULF",
        host_names=("TeraWulf Inc.", "terawulf", "tera wulf"),
        text="""\
EASTON, Md., Oct. 14, 2026 /PRNewswire/ -- TeraWulf Inc. today announced lease agreements
with Fluidstack covering 200 MW of critical IT at the Lake Mariner campus and 160 MW of
critical IT at the Cayuga site. The Lake Mariner lease has a 10-year term and approximately
$6.7 billion of contracted revenue. The Cayuga lease carries a 15-year term with revenue of
$4.1 billion.

About TeraWulf
TeraWulf develops and operates 500 MW of zero-carbon digital infrastructure.
""",
        expected=(
            {
                "host_symbol": "WULF",
                "counterparty": "Fluidstack",
                "mw_critical_it": 200.0,
                "term_years": 10.0,
                "total_contract_value_usd": 6.7e9,
                "value_exactness": "approximate",
                "value_kind": "contracted_revenue",
                "site": "Lake Mariner",
                "announced_date": "2026-10-14",
            },
            {
                "host_symbol": "WULF",
                "counterparty": "Fluidstack",
                "mw_critical_it": 160.0,
                "term_years": 15.0,
                "total_contract_value_usd": 4.1e9,
                "value_exactness": "exact",
                "value_kind": "contracted_revenue",
                "site": "Cayuga",
                "announced_date": "2026-10-14",
            },
        ),
        empty=(("backstop", "end_customer", "mw_gross"),) * 2,
    ),
    Case(
        name="6-K, GPU cloud contract without a site",
        host="IREN",
        host_names=("IREN Limited", "iren", "iris energy"),
        text="""\
SYDNEY, Nov. 2, 2026 -- IREN Limited (NASDAQ: IREN) has signed a multi-year AI cloud
services contract with Microsoft worth approximately $9.7 billion over a five-year term.
The contract will be served from newly built liquid-cooled data halls.
""",
        expected=(
            {
                "host_symbol": "IREN",
                "counterparty": "Microsoft",
                "term_years": 5.0,
                "total_contract_value_usd": 9.7e9,
                "value_exactness": "approximate",
                "value_kind": "contracted_revenue",
                "announced_date": "2026-11-02",
            },
        ),
        empty=(("mw_critical_it", "mw_gross", "mw_unstated", "site", "backstop"),),
    ),
    Case(
        name="two tenants, the second unnamed",
        host="APLD",
        host_names=("Applied Digital Corporation", "applied digital"),
        text="""\
DALLAS, Sept. 9, 2026 -- Applied Digital Corporation signed a 15-year lease with CoreWeave
for 250 MW of critical IT load at its Polaris Forge 1 campus, representing approximately
$7 billion in contracted revenue.

Separately, the Company signed a 15-year lease with an investment-grade hyperscaler for
150 MW at its Polaris Forge 2 campus.
""",
        expected=(
            {
                "host_symbol": "APLD",
                "counterparty": "CoreWeave",
                "mw_critical_it": 250.0,
                "term_years": 15.0,
                "total_contract_value_usd": 7e9,
                "value_exactness": "approximate",
                "value_kind": "contracted_revenue",
                "site": "Polaris Forge 1",
                "announced_date": "2026-09-09",
            },
            {
                "host_symbol": "APLD",
                "mw_note": "150 MW (critical IT or gross not stated)",
                "term_years": 15.0,
                "site": "Polaris Forge 2",
                "announced_date": "2026-09-09",
            },
        ),
        empty=(
            ("mw_gross", "end_customer"),
            ("counterparty", "mw_critical_it", "mw_gross", "value_usd"),
        ),
    ),
    Case(
        name="expansion: the portfolio total is not the deal",
        host="CORZ",
        host_names=("Core Scientific, Inc.", "core scientific"),
        text="""\
Item 1.01. On August 21, 2026, Core Scientific, Inc. amended its colocation agreements
with CoreWeave, Inc. to add approximately 70 MW of critical IT at its Denton site, bringing
total contracted capacity with CoreWeave to 590 MW. The expansion is expected to generate
approximately $1.2 billion in revenue over the 12-year term.
""",
        expected=(
            {
                "host_symbol": "CORZ",
                "counterparty": "CoreWeave, Inc.",
                "mw_critical_it": 70.0,
                "term_years": 12.0,
                "total_contract_value_usd": 1.2e9,
                "value_exactness": "approximate",
                "value_kind": "contracted_revenue",
                "site": "Denton",
                "announced_date": "2026-08-21",
            },
        ),
        empty=(("mw_gross", "backstop", "end_customer"),),
    ),
    Case(
        name="a floor: more than",
        host="GLXY",
        host_names=("Galaxy Digital Inc.", "galaxy", "galaxy digital"),
        text="""\
NEW YORK, July 7, 2026 -- Galaxy Digital Inc. entered into a lease with CoreWeave for
200 MW of critical IT capacity at its Helios campus, generating more than $4.5 billion in
revenue over 15 years.
""",
        expected=(
            {
                "host_symbol": "GLXY",
                "counterparty": "CoreWeave",
                "mw_critical_it": 200.0,
                "term_years": 15.0,
                "total_contract_value_usd": 4.5e9,
                "value_exactness": "floor",
                "value_kind": "contracted_revenue",
                "site": "Helios",
                "announced_date": "2026-07-07",
            },
        ),
        empty=(("mw_gross", "backstop", "end_customer"),),
    ),
    Case(
        name="a range, an end customer and a backstop",
        host="HUT",
        host_names=("Hut 8 Corp.", "hut 8", "hut8"),
        text="""\
MIAMI, Dec. 1, 2026 -- Hut 8 Corp. signed a 15-year lease with Fluidstack for 245 MW of
critical IT capacity at the River Bend campus on behalf of Anthropic. The total contract
value is expected to be between $6.5 billion and $7.0 billion. Fluidstack's obligations are
backstopped by Google.
""",
        expected=(
            {
                "host_symbol": "HUT",
                "counterparty": "Fluidstack",
                "end_customer": "Anthropic",
                "backstop": "Google",
                "mw_critical_it": 245.0,
                "term_years": 15.0,
                "total_contract_value_usd": 6.5e9,
                "value_high_usd": 7.0e9,
                "value_exactness": "range",
                "value_kind": "contracted_revenue",
                "site": "River Bend",
                "announced_date": "2026-12-01",
            },
        ),
        empty=(("mw_gross", "mw_unstated"),),
    ),
    Case(
        name="6-K, an MOU with gross power only and an unnamed partner",
        host="BTDR",
        host_names=("Bitdeer Technologies Group", "bitdeer"),
        text="""\
SINGAPORE, June 30, 2026 -- Bitdeer Technologies Group has entered into a memorandum of
understanding with a leading AI cloud provider to develop up to 570 MW of gross power
capacity at its Clarington, Ohio site. Terms remain subject to a definitive agreement.
""",
        expected=(
            {
                "host_symbol": "BTDR",
                "mw_gross": 570.0,
                "site": "Clarington",
                "announced_date": "2026-06-30",
            },
        ),
        empty=(("counterparty", "mw_critical_it", "term_years", "value_usd"),),
    ),
    Case(
        name="results and a credit facility: no deal",
        host="MARA",
        host_names=("MARA Holdings, Inc.", "mara", "marathon"),
        text="""\
FORT LAUDERDALE, Nov. 4, 2026 -- MARA Holdings, Inc. reported revenue of $250 million for
the third quarter and an energized hashrate of 60 EH/s across 1.7 GW of sites. On
October 30, 2026, the Company entered into a credit agreement with Two Prime Lending for a
$200 million facility.
""",
        expected=(),
        empty=(),
    ),
    Case(
        name="6-K, figures in the company profile are cut",
        host="NBIS",
        host_names=("Nebius Group N.V.", "nebius"),
        text="""\
AMSTERDAM, Sept. 8, 2026 -- Nebius Group N.V. signed a five-year agreement with Meta to
provide AI infrastructure worth approximately $3 billion.

About Nebius
Nebius operates data centers in Finland, Iceland and the U.S. with more than 220 MW of
capacity and a $5 billion order book.
""",
        expected=(
            {
                "host_symbol": "NBIS",
                "counterparty": "Meta",
                "term_years": 5.0,
                "total_contract_value_usd": 3e9,
                "value_exactness": "approximate",
                "value_kind": "contracted_revenue",
                "announced_date": "2026-09-08",
            },
        ),
        empty=(("mw_critical_it", "mw_gross", "mw_unstated", "site"),),
    ),
    Case(
        name="gigawatts, and an annual figure is not the total",
        host="HIVE",
        host_names=("HIVE Digital Technologies Ltd.", "hive", "hive digital"),
        text="""\
VANCOUVER, Oct. 20, 2026 -- HIVE Digital Technologies Ltd. signed a 10-year hosting
agreement with Nebius for 0.3 GW of critical IT load at its Toronto data centre. The
agreement is expected to provide annual revenue of approximately $120 million.
""",
        expected=(
            {
                "host_symbol": "HIVE",
                "counterparty": "Nebius",
                "mw_critical_it": 300.0,
                "term_years": 10.0,
                "site": "Toronto",
                "announced_date": "2026-10-20",
            },
        ),
        empty=(("value_usd", "mw_gross", "backstop"),),
    ),
    Case(
        name="two tenants in two sentences",
        host="CLSK",
        host_names=("CleanSpark, Inc.", "cleanspark"),
        text="""\
HENDERSON, Nev., Aug. 5, 2026 -- CleanSpark, Inc. signed two leases. The first is a
10-year lease with CoreWeave for 100 MW of critical IT at the Sandersville campus, with a
total contract value of approximately $2.0 billion. The second is a seven-year lease with
Crusoe Energy for 60 MW of critical IT at the Norcross campus valued at $900 million.
""",
        expected=(
            {
                "host_symbol": "CLSK",
                "counterparty": "CoreWeave",
                "mw_critical_it": 100.0,
                "term_years": 10.0,
                "total_contract_value_usd": 2.0e9,
                "value_exactness": "approximate",
                "value_kind": "contracted_revenue",
                "site": "Sandersville",
                "announced_date": "2026-08-05",
            },
            {
                "host_symbol": "CLSK",
                "counterparty": "Crusoe Energy",
                "mw_critical_it": 60.0,
                "term_years": 7.0,
                "total_contract_value_usd": 9e8,
                "value_exactness": "exact",
                "value_kind": "contracted_revenue",
                "site": "Norcross",
                "announced_date": "2026-08-05",
            },
        ),
        empty=(("backstop", "end_customer"),) * 2,
    ),
    Case(
        name="two tenants in one sentence, a ceiling",
        host="RIOT",
        host_names=("Riot Platforms, Inc.", "riot", "riot platforms"),
        text="""\
On May 12, 2026, Riot Platforms, Inc. entered into leases with CoreWeave for 200 MW of
critical IT and with Fluidstack for 100 MW of critical IT at its Corsicana facility. The
Fluidstack lease could generate up to $2.5 billion of revenue.
""",
        expected=(
            {
                "host_symbol": "RIOT",
                "counterparty": "CoreWeave",
                "mw_critical_it": 200.0,
                "announced_date": "2026-05-12",
            },
            {
                "host_symbol": "RIOT",
                "counterparty": "Fluidstack",
                "mw_critical_it": 100.0,
                "site": "Corsicana",
                "total_contract_value_usd": 2.5e9,
                "value_exactness": "exact",
                "value_kind": "target",
                "announced_date": "2026-05-12",
            },
        ),
        empty=(("site", "term_years", "value_usd"), ("term_years", "mw_gross")),
    ),
)
