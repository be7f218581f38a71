"""The sandbox console reads a multi-word name as one value, as the Discord client does."""

from __future__ import annotations

from pathlib import Path

from tests.sandbox.scripts import demo_settings, run_script


async def test_a_name_of_several_words_is_one_value(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("/price core scientific\n/price $CIFR\n/price ethereum\n/price CIFR WULF\n")
    status, text = await run_script(demo_settings(tmp_path), script)
    assert "too many values" not in text
    assert "[DEMO] CORZ · Core Scientific" in text
    assert "[DEMO] CIFR · Cipher Digital" in text
    assert "[DEMO] ETH-USD" in text
    # Two tickers are not a name: the bot says so, privately.
    assert "“CIFR WULF” is not a ticker symbol" in text
    assert status == 0  # every command was answered
