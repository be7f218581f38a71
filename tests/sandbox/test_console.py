"""The sandbox console: scripts run end to end through the real bot and the emulator."""

from __future__ import annotations

from pathlib import Path

from tests.sandbox.scripts import demo_settings, run_script


async def _run(tmp_path: Path, script: str) -> tuple[int, str]:
    path = tmp_path / "script.txt"
    path.write_text(script)
    return await run_script(demo_settings(tmp_path), path)


async def test_script_prints_the_transcript_and_succeeds(tmp_path: Path) -> None:
    status, text = await _run(tmp_path, "# comment lines are skipped\n/help\n/as member\n/help\n")
    assert status == 0
    assert text.count("> /help") == 2
    assert "(only you can see this)" in text
    assert "╭─ Minerwatch" in text and "not investment advice" in text
    assert "now acting as the member" in text
    assert "all commands answered" in text


async def test_script_fails_on_an_unknown_command(tmp_path: Path) -> None:
    status, text = await _run(tmp_path, "/help\n/nonsense now\n")
    assert status == 1
    assert "! no command /nonsense" in text
    assert "1 command(s) failed" in text


async def test_bad_console_arguments_get_a_usage_line_and_the_sandbox_goes_on(
    tmp_path: Path,
) -> None:
    status, text = await _run(
        tmp_path,
        "/alert add CIFR above 12\n/wait abc\n/wait nan\n/wait 1e9\n/in\n/as boss\n/tick now\n"
        "/press\n/commands all\n/alert list\n",
    )
    assert "Traceback" not in text
    for usage in ("/wait SECONDS", "/in #channel", "/as admin | /as member", "/tick", "/press"):
        assert f"! usage: {usage}" in text
    assert text.count("! usage: /wait SECONDS") == 3
    # The alert created before the bad lines is still there after them.
    assert "`#1` **CIFR** above $12.00" in text.split("> /alert list")[1]
    assert status == 1 and "8 command(s) failed" in text


async def test_markup_reads_as_in_discord(tmp_path: Path) -> None:
    status, text = await _run(tmp_path, "/price CIFR\n/alert add CIFR above 12\n/alert list\n")
    assert status == 0
    for raw in ("<t:", "<#", "<@"):
        assert raw not in text
    assert "It posts in #general, mentioning you" in text
    as_of = text.split("▸ As of\n")[1].splitlines()[0]
    assert as_of.strip().endswith(("AM", "PM")) and ", 20" in as_of  # "December 4, 2026 5:11 PM"


async def test_page_buttons_can_be_pressed(tmp_path: Path) -> None:
    status, text = await _run(tmp_path, "/deals list\n/next\n/next\n/prev\n/press ◀\n/prev\n")
    pages = [line.rsplit("page ", 1)[1] for line in text.splitlines() if " · page " in line]
    total = pages[0].split("/")[1]
    assert int(total) >= 3
    assert pages == [f"{n}/{total}" for n in (1, 2, 3, 2, 1)]
    assert text.count("(the message was updated)") == 4
    assert "! already on the first page" in text  # /prev on page 1: ◀ is disabled
    assert status == 1


async def test_an_unknown_option_name_is_an_error_listing_the_options(tmp_path: Path) -> None:
    status, text = await _run(tmp_path, "/deals list page:2\n")
    assert "! /deals list has no option 'page'. Its options: company, status." in text
    assert "usage: /deals list [company] [status:" in text
    assert "not a tracked company" not in text  # nothing was sent to the bot
    assert status == 1


async def test_locale_switches_the_clients_language(tmp_path: Path) -> None:
    status, text = await _run(
        tmp_path, "/locale fr\n/price CIFR\n/locale en\n/price CIFR\n/locale xx\n"
    )
    assert "Discord client language: fr" in text
    french, english = text.split("> /price CIFR")[1:3]
    assert "Fourchette du jour" in french and "Pas un conseil en investissement" in french
    assert "Day range" in english and "Not investment advice" in english
    assert "! usage: /locale fr | /locale en" in text
    assert status == 1 and "1 command(s) failed" in text
