"""Hypothesis strategies for slash-command options, built from the synced definitions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from hypothesis import strategies as st

from discord_emulator.options import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    USER,
    Upload,
)

# The longest string the client lets a member type into an option without max_length.
CLIENT_STRING_MAX: Final = 6000
# Discord's integer options hold what JavaScript holds exactly.
JS_SAFE: Final = 2**53 - 1

MENTIONS: Final = (
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&123>",
    "<#123>",
    "</deals add:123>",
    "<t:0:R>",
    "<:pepe:123>",
    "@\u200beveryone",
)
MARKDOWN: Final = (
    "**bold**",
    "__underline__",
    "~~strike~~",
    "||spoiler||",
    "[click](https://evil.example/phish)",
    "[https://good.example](https://evil.example/x)",
    "```py\nprint('x')\n```",
    "```",
    "`code`",
    "> quote",
    ">>> all quoted",
    "# Heading",
    "-# subtext",
    "- item",
    "\\",
    "\\\\*",
    "*",
    "_",
    "~",
    "|",
)
INVISIBLE: Final = (
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2060",
    "\u2066",
    "\u2069",
    "\ufeff",
)
SQL: Final = (
    "'; DROP TABLE contracts;--",
    "Robert'); DROP TABLE guild_settings;--",
    '" OR 1=1 --',
    "' UNION SELECT token FROM secrets --",
    "1; DELETE FROM alerts",
    "%",
    "_%_",
    "?",
    ":name",
)
DATES: Final = (
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "2025-13-01",
    "1999-12-31",
    "2000-01-01",
    "2025-06-15",
    "2100-12-31",
    "2101-01-01",
    "2024",
    "2024-06",
    "20240615",
    "-2024-01-01",
    "２０２４-０１-０１",
    "2024-06-15T00:00:00",
    "2024-06-15\n",
)
URLS: Final = (
    "https://example.com/press/deal",
    "http://news.example.org/a?b=c#d",
    "https://example.com/" + "a" * 1990,
    "javascript:alert(1)",
    "https://evil.example/@everyone",
    "https://a.example/[x](https://evil.example)",
    "https://exa mple.com",
    "ftp://example.com/file",
    "https://example.com/\u202egnp.exe",
    "https://\u200bexample.com",
    "https://example.com/" + ")" * 40,
    "example.com",
)
NUMBERISH: Final = ("NaN", "nan", "inf", "-inf", "1e308", "-0", "0x10", "١٢٣", "½")
SYMBOLISH: Final = (
    "BTC-USD",
    "btc",
    "cipher",
    "^GSPC",
    "BRK-B",
    "EURUSD=X",
    "A" * 16,
    "CIFR\u200b",
    "ＣＩＦＲ",
    "ß",
    "ǅ",
    "İ",
    "💩",
    " ",
    "-",
    "..",
    "ZZZZ",
)
DEEP: Final = (
    "*" * 3000,
    "_" * 3000,
    "[" * 2000 + "]" * 2000,
    "(" * 3000,
    "> " * 2000,
    "||" * 1500,
    "`" * 3000,
    "\\" * 3000,
    "**__~~||" * 600,
    "<@" * 2000,
    "@everyone " * 500,
)
NUMBER_EDGES: Final = (
    0.0,
    -0.0,
    -1.0,
    1.0,
    0.1,
    5e-324,
    1e-9,
    99.0,
    99.000001,
    10_000.0,
    10_000.000001,
    1e13,
    1e13 * 1.000001,
    1e308,
    -1e308,
    2.0**53,
    123.456,
)


def _pieces() -> st.SearchStrategy[str]:
    """One hostile or ordinary fragment."""
    return st.one_of(
        st.sampled_from(MENTIONS + MARKDOWN + INVISIBLE + SQL + DATES + NUMBERISH + SYMBOLISH),
        st.text(max_size=12),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    )


def hostile_text(min_size: int = 0, max_size: int = CLIENT_STRING_MAX) -> st.SearchStrategy[str]:
    """Strings a member could type: hostile fragments, long and deeply nested input, noise."""
    composed = st.lists(_pieces(), max_size=8).map("".join)
    long = st.sampled_from((*DEEP, "x" * 6000, "é" * 6000, "\u202e" * 6000))
    whole = st.one_of(
        st.sampled_from(URLS + DATES + SYMBOLISH + SQL + MENTIONS),
        composed,
        composed,
        long,
        st.text(max_size=40),
    )
    return whole.map(lambda text: _fit(text, min_size, max_size))


def _fit(text: str, low: int, high: int) -> str:
    """Cut or pad ``text`` to the option's length bounds, as the client would allow."""
    text = text[:high]
    if len(text) < low:
        text += "x" * (low - len(text))
    return text


@dataclass
class Context:
    """What the member can pick from where the command runs."""

    in_guild: bool
    channels: Sequence[tuple[int, int]] = ()  # (id, type)
    users: Sequence[int] = ()
    roles: Sequence[int] = ()
    suggestions: Mapping[str, Sequence[str]] = field(default_factory=dict)  # option → values
    # Every choice value any command offers: typed into options that have no choices.
    choice_words: Sequence[str] = ()


def option_strategy(
    definition: Mapping[str, Any], context: Context, *, raw: bool
) -> st.SearchStrategy[Any] | None:
    """Return values for one option (None when nothing can be picked here).

    Client mode respects choices, min/max values and lengths as Discord's client does;
    raw mode keeps only the type, as a modified client talking to Discord could.
    """
    kind = definition["type"]
    choices = [c["value"] for c in definition.get("choices") or []]
    if kind == STRING:
        if choices and not raw:
            return st.sampled_from(choices)
        low = 0 if raw else int(definition.get("min_length", 0))
        high = CLIENT_STRING_MAX if raw else int(definition.get("max_length", CLIENT_STRING_MAX))
        text = hostile_text(low, high)
        offered = list(context.suggestions.get(definition["name"], ())) + choices
        offered += list(_hinted(definition["name"]))
        if not choices:
            offered += list(context.choice_words)
        fitted = [_fit(value, low, high) for value in offered]
        if not fitted:
            return text
        # What the bot offers (or a well-formed value) most of the time, so that examples get
        # past the first check to the ones behind it.
        picked = st.sampled_from(fitted)
        return st.integers(0, 3).flatmap(lambda roll: text if roll == 0 else picked)
    if kind == INTEGER:
        low = -JS_SAFE if raw else int(definition.get("min_value", -JS_SAFE))
        high = JS_SAFE if raw else int(definition.get("max_value", JS_SAFE))
        if choices and not raw:
            return st.sampled_from(choices)
        edges = [v for v in (low, high, 0, 1, -1, 2, 25, 60, 10_080, 10_081) if low <= v <= high]
        parts: list[st.SearchStrategy[int]] = [st.sampled_from(edges), st.integers(low, high)]
        if high >= 0:  # ids: mostly small, so they name rows that exist
            parts.append(st.integers(max(low, 0), min(high, max(low, 0) + 60)))
        return st.one_of(*parts)
    if kind == NUMBER:
        if choices and not raw:
            return st.sampled_from(choices)
        low_v = None if raw else definition.get("min_value")
        high_v = None if raw else definition.get("max_value")
        edges_f = [
            v
            for v in NUMBER_EDGES
            if (low_v is None or v >= low_v) and (high_v is None or v <= high_v)
        ]
        floats = st.floats(min_value=low_v, max_value=high_v, allow_nan=False, allow_infinity=False)
        ordinary = (
            st.floats(
                min_value=max(low_v if low_v is not None else 0.0, 0.0),
                max_value=min(high_v if high_v is not None else 100.0, 100.0),
            )
            if (low_v is None or low_v <= 100) and (high_v is None or high_v >= 0)
            else floats
        )
        return st.one_of(st.sampled_from(edges_f), floats, ordinary) if edges_f else floats
    if kind == BOOLEAN:
        return st.booleans()
    if kind == CHANNEL:
        allowed = definition.get("channel_types")
        ids = [cid for cid, ctype in context.channels if not allowed or ctype in allowed]
        return st.sampled_from(ids) if ids and context.in_guild else None
    if kind == USER:
        return st.sampled_from(list(context.users)) if context.users else None
    if kind == ROLE:
        return st.sampled_from(list(context.roles)) if context.roles and context.in_guild else None
    if kind == MENTIONABLE:
        picks = [*context.users, *(context.roles if context.in_guild else ())]
        return st.sampled_from(picks) if picks else None
    if kind == ATTACHMENT:
        return st.builds(
            Upload,
            filename=st.sampled_from(["a.png", "../../etc/passwd", "@everyone.txt", "x" * 200]),
            data=st.binary(max_size=64),
        )
    return None


def _hinted(name: str) -> tuple[str, ...]:
    """Return well-formed and malformed values for options whose name says what they hold."""
    if "url" in name or "link" in name:
        return URLS + ("https://example.com/deal",) * 4
    if "date" in name or "announced" in name or name.endswith("as_of"):
        return DATES + ("2025-06-15",) * 4
    return ()


def stand_in(definition: Mapping[str, Any]) -> Any:
    """Return a value the client accepts, to be replaced by a raw one after building."""
    choices = [c["value"] for c in definition.get("choices") or []]
    if choices:
        return choices[0]
    kind = definition["type"]
    if kind == STRING:
        return "x" * max(1, int(definition.get("min_length", 1)))
    if kind in (INTEGER, NUMBER):
        low, high = definition.get("min_value"), definition.get("max_value")
        value = low if low is not None else (0 if high is None or high >= 0 else high)
        return float(value) if kind == NUMBER else int(value)
    if kind == BOOLEAN:
        return False
    raise ValueError(f"no stand-in for option type {kind}")


RAW_TYPES: Final = frozenset({STRING, INTEGER, NUMBER, BOOLEAN})


def invocation(
    options: Sequence[Mapping[str, Any]], context: Context, *, raw: bool
) -> st.SearchStrategy[dict[str, Any]] | None:
    """Return option dicts for a leaf command; None if a required option cannot be filled."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for definition in options:
        strategy = option_strategy(definition, context, raw=raw)
        if strategy is None:
            if definition.get("required"):
                return None
            continue
        (required if definition.get("required") else optional)[definition["name"]] = strategy
    return st.fixed_dictionaries(required, optional=optional)
