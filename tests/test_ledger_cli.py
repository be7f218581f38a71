"""`minerwatch ledger export` and what `minerwatch check` says about kinds, shares and floors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.ledger.records import load_ledger
from bot.paths import LEDGER_PATH


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("MINERWATCH_DB", str(tmp_path / "cli.sqlite3"))
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", "demo")
    return tmp_path


def test_export_csv_and_json(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "seed"]) == 0
    capsys.readouterr()
    assert cli.main(["ledger", "export", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(load_ledger(LEDGER_PATH).contracts)
    corz = next(r for r in rows if r["key"] == "corz-coreweave-hosting")
    assert (corz["value_usd"], corz["value_exactness"], corz["counted_in_totals"]) == (
        "10000000000",
        "floor",
        "yes",
    )
    out = isolated / "ledger.json"
    assert cli.main(["ledger", "export", "--format", "json", "--output", str(out)]) == 0
    assert "contract(s) written to" in capsys.readouterr().err
    document = json.loads(out.read_text())
    jv = next(r for r in document["contracts"] if r["key"] == "wulf-fluidstack-abernathy-jv")
    assert (jv["host_share_pct"], jv["counted_mw"], jv["counted_value_usd"]) == (
        51.0,
        85.68,
        4.845e9,
    )


def test_export_of_an_empty_store_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ledger", "export"]) == 1
    assert "run `minerwatch db seed` first" in capsys.readouterr().err


def test_export_to_a_missing_directory_is_refused(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = isolated / "missing" / "ledger.csv"
    assert cli.main(["ledger", "export", "--output", str(target)]) == 1
    assert "no such directory" in capsys.readouterr().err
    assert not target.parent.exists()


def test_export_keeps_spreadsheet_formulas_inert() -> None:
    from datetime import date

    from bot.ledger.export import contracts_csv
    from tests import factories

    contract = factories.contract(
        guild_id=5,
        origin="user",
        counterparty='=HYPERLINK("https://evil.example")',
        status_as_of="2026-11-01",
        confidence="low",
    )
    text = contracts_csv([contract], date(2026, 12, 4))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["counterparty"].startswith("'=")


def _check_file(tmp_path: Path, key: str, **update: Any) -> str:
    ledger = load_ledger(LEDGER_PATH)
    contracts = [c.model_copy(update=update) if c.key == key else c for c in ledger.contracts]
    path = tmp_path / "edited.yaml"
    path.write_text(ledger.model_copy(update={"contracts": contracts}).model_dump_json())
    return str(path)


@pytest.mark.parametrize(
    ("key", "update", "message"),
    [
        (
            "wulf-fluidstack-abernathy-jv",
            {"host_share_pct": None},
            "contracts.wulf-fluidstack-abernathy-jv.host_share_pct: a joint venture needs the "
            "host's ownership share",
        ),
        (
            "wulf-core42",
            {"value_exactness": "floor"},
            "contracts.wulf-core42.value_exactness: “floor” qualifies a value that is not there",
        ),
        (
            "mara-exaion",
            {"value_kind": "contracted_revenue"},
            "contracts.mara-exaion.value_kind: the value of an acquisition or investment is a "
            "purchase_price",
        ),
        (
            "cifr-aws",
            {"annualised_revenue_usd": 366666667.0, "annualised_revenue_basis": "derived"},
            "contracts.cifr-aws.annualised_revenue_basis: derived annualised revenue is computed",
        ),
    ],
)
def test_check_refuses_contradicting_fields(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    update: dict[str, Any],
    message: str,
) -> None:
    path = Path(_check_file(tmp_path, key, **update))
    assert cli.run_check(cli.load_settings(None), path) == 1
    assert message in capsys.readouterr().err


def test_check_refuses_a_kind_outside_the_vocabulary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = load_ledger(LEDGER_PATH)
    raw = json.loads(ledger.model_dump_json())
    raw["contracts"][0]["deal_kind"] = "licence"
    raw["contracts"][1]["value_exactness"] = "roughly"
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(raw))
    assert cli.run_check(cli.load_settings(None), path) == 1
    err = capsys.readouterr().err
    assert "contracts.0.deal_kind: Input should be 'lease'" in err
    assert "contracts.1.value_exactness: Input should be 'exact'" in err
