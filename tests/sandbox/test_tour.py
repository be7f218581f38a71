"""examples/tour.txt, run as `make tour` runs it: every step answers and the alert fires."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from bot.settings import load_settings
from tests.conftest import REPO_ROOT as ROOT
from tests.sandbox.scripts import run_script

EXAMPLES = ROOT / "examples"


def test_make_tour_runs_the_tour_script_on_the_written_prices() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    plan = makefile.split("\ntour:", 1)[1].split("\n\n", 1)[0]
    assert "examples/tour_prices.py var/tour-prices.csv" in plan
    assert "replay:var/tour-prices.csv" in plan and "--script examples/tour.txt" in plan


async def test_the_tour_shows_each_command_family_and_an_alert_firing(tmp_path: Path) -> None:
    prices = tmp_path / "tour-prices.csv"
    writer = runpy.run_path(str(EXAMPLES / "tour_prices.py"))
    assert writer["main"]([str(prices)]) == 0
    settings = load_settings(
        None,
        db_path=tmp_path / "s.sqlite3",
        price_source=f"replay:{prices}",
        cache_dir=tmp_path / "cache",
    )
    status, text = await run_script(settings, EXAMPLES / "tour.txt")
    steps = re.findall(r"^> (/\S+)", text, flags=re.MULTILINE)
    assert len(steps) >= 12
    assert {"/price", "/board", "/chart", "/company", "/deals", "/alert", "/tick", "/next"} <= set(
        steps
    )
    assert {"/summary", "/status"} <= set(steps)
    assert status == 0 and "all commands answered" in text and "Traceback" not in text

    def after(command: str) -> str:
        return text.split(f"> {command}\n", 1)[1].split("\n> ", 1)[0]

    assert "CIFR · Cipher Digital" in after("/price CIFR")
    assert "Replayed prices from a file, not live" in after("/price CIFR")
    assert "BTC-USD" in after("/price bitcoin")
    assert "Miners board" in after("/board") and "CIFR" in after("/board")
    assert re.search(r"📎 iren-1mo\.png \([\d,]+ bytes\)", after("/chart IREN"))
    assert "CIFR · Cipher Digital" in after("/company CIFR")
    assert "(the message was updated)" in after("/next") and " · page 2/" in after("/next")
    fired = after("/tick")
    assert "── automatic post in #general ──" in fired
    assert "@you your price alert fired." in fired and "CIFR rose above $16.00" in fired
    assert "You have no alerts in this server" in after("/alert list")  # it fired once: done
    assert "Daily summary" in after("/summary preview")
    assert "Minerwatch status" in after("/status")


def test_the_price_writer_says_how_to_call_it(capsys: pytest.CaptureFixture[str]) -> None:
    writer = runpy.run_path(str(EXAMPLES / "tour_prices.py"))
    assert writer["main"]([]) == 2
    assert "usage: python examples/tour_prices.py OUT.csv" in capsys.readouterr().err
