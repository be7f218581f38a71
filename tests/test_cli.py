"""The command line: check, db migrate / seed / backup, and run without a token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from bot.ledger.records import load_ledger
from bot.paths import LEDGER_PATH


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("MINERWATCH_DB", str(tmp_path / "cli.sqlite3"))
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", "demo")
    return tmp_path


def test_check_passes_on_the_shipped_ledger(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check"]) == 0
    assert "ledger ok" in capsys.readouterr().out


def test_check_notes_us_listings_without_a_cik(capsys: pytest.CaptureFixture[str]) -> None:
    """A company whose CIK is unknown is a note (its filings are not watched), not a failure."""
    assert cli.main(["check"]) == 0
    note = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("note:"))
    assert "filings are not watched for" in note and "NBIS" in note
    assert "CIFR" not in note and "FLUIDSTACK" not in note  # has a CIK; private


def test_check_lists_problems_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = load_ledger(LEDGER_PATH)
    broken = ledger.contracts[0].model_copy(update={"sources": [], "mw_gross": -5.0})
    bad = ledger.model_copy(update={"contracts": [broken, *ledger.contracts[1:]]})
    path = tmp_path / "bad.yaml"
    path.write_text(bad.model_dump_json())  # JSON is valid YAML
    settings = cli.load_settings(None)
    assert cli.run_check(settings, path) == 1
    err = capsys.readouterr().err
    assert f"contracts.{broken.key}.sources: every contract needs at least one source link" in err
    assert f"contracts.{broken.key}.mw_gross: must be between 0 and 10,000 MW" in err


def test_check_reports_bad_configuration(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MINERWATCH_POLL_SECONDS", "0")
    assert cli.main(["check"]) == 2
    assert "MINERWATCH_POLL_SECONDS" in capsys.readouterr().err


def test_db_seed_twice_then_backup(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "migrate"]) == 0
    assert cli.main(["db", "seed"]) == 0
    assert "created" in capsys.readouterr().out
    assert cli.main(["db", "seed"]) == 0
    assert "0 created, 0 updated, 0 removed" in capsys.readouterr().out
    assert cli.main(["db", "backup", str(isolated / "copy.sqlite3")]) == 0
    assert (isolated / "copy.sqlite3").stat().st_size > 0
    assert cli.main(["db", "backup", str(isolated / "copy.sqlite3")]) == 1


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stopped:
        cli.main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"minerwatch {version('minerwatch')}"


def test_backup_to_a_missing_directory_says_so(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "migrate"]) == 0
    capsys.readouterr()
    assert cli.main(["db", "backup", str(isolated / "no-such-dir" / "copy.sqlite3")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"backup directory {isolated / 'no-such-dir'} does not exist: create it first or "
        "choose another path"
    ]
    assert not (isolated / "no-such-dir").exists()


def test_missing_migrations_are_a_loud_error(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken install never reports "schema at version 0"."""
    from bot.store import db

    monkeypatch.setattr(db, "MIGRATIONS_DIR", isolated / "gone")
    monkeypatch.setattr(db.discover_migrations, "__defaults__", (isolated / "gone",))
    assert cli.main(["db", "migrate"]) == 1
    captured = capsys.readouterr()
    assert "version 0" not in captured.out
    assert f"the schema migrations are missing from {isolated / 'gone'}" in captured.err


def test_a_missing_ledger_is_a_loud_error(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "LEDGER_PATH", isolated / "gone.yaml")
    assert cli.main(["db", "seed"]) == 1
    assert f"{isolated / 'gone.yaml'}: cannot read" in capsys.readouterr().err
