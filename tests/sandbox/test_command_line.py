"""The console's reading of a typed slash command against the synced definition."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.command_line import CommandLineError, parse_command

STRING, INTEGER = 3, 4
PRICE: dict[str, Any] = {
    "name": "price",
    "options": [{"name": "symbol", "type": STRING, "required": True}],
}
DEALS: dict[str, Any] = {
    "name": "deals",
    "options": [
        {
            "name": "list",
            "type": 1,
            "options": [
                {"name": "company", "type": STRING},
                {"name": "status", "type": STRING, "choices": [{"name": "s", "value": "signed"}]},
            ],
        },
        {"name": "show", "type": 1, "options": [{"name": "id", "type": INTEGER, "required": True}]},
    ],
}


def _values(definition: dict[str, Any], line: str) -> tuple[str, dict[str, str]]:
    parsed = parse_command(definition, line.split())
    return parsed.path, {name: value for name, (_, value) in parsed.values.items()}


# A typed line after the command's name, and the subcommand and values it reads as.
@pytest.mark.parametrize(
    ("definition", "line", "path", "values"),
    [
        (DEALS, "list company:CIFR", "deals list", {"company": "CIFR"}),
        (DEALS, "list CIFR signed", "deals list", {"company": "CIFR", "status": "signed"}),
        (DEALS, "list status:signed CIFR", "deals list", {"status": "signed", "company": "CIFR"}),
        (DEALS, "show 3", "deals show", {"id": "3"}),
        # A multi-word name is one value of the last text option.
        (PRICE, "core scientific", "price", {"symbol": "core scientific"}),
        (DEALS, "list core scientific", "deals list", {"company": "core", "status": "scientific"}),
        (
            DEALS,
            "list status:signed core scientific",
            "deals list",
            {"status": "signed", "company": "core scientific"},
        ),
        # Values that only look like options stay values.
        (PRICE, "https://example.com", "price", {"symbol": "https://example.com"}),
        (PRICE, "16:30", "price", {"symbol": "16:30"}),
    ],
)
def test_a_typed_line_reads_as_its_subcommand_and_values(
    definition: dict[str, Any], line: str, path: str, values: dict[str, str]
) -> None:
    assert _values(definition, line) == (path, values)


def test_an_unknown_option_name_lists_the_valid_ones() -> None:
    with pytest.raises(CommandLineError) as caught:
        parse_command(DEALS, ["list", "page:2"])
    message = str(caught.value)
    assert "no option 'page'" in message and "company, status" in message
    assert "usage: /deals list [company] [status:signed]" in message


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("", "/deals needs one of: list | show"),
        ("delete 3", "'delete' is not one of them"),
        ("show", "/deals show needs id"),
        ("show 3 4", "too many values for /deals show: '4'"),
        ("list company:A company:B", "option 'company' is given twice"),
    ],
)
def test_lines_that_do_not_fit_say_why(words: str, expected: str) -> None:
    with pytest.raises(CommandLineError, match=expected.replace("|", r"\|")):
        parse_command(DEALS, words.split())
