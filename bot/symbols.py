"""The tracked universe in memory: resolve what a member typed, autocomplete, close matches.

One SymbolDirectory is held by the services: every cog and the summary read its index, and
it is reloaded when the ledger's companies change.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from bot.errors import MinerwatchError
from bot.i18n import N_, _
from bot.ledger.model import Company
from bot.limits import AUTOCOMPLETE_CHOICES, CHOICE_TEXT
from bot.market.symbols import MAX_SYMBOL_LENGTH, InvalidSymbol, normalize_symbol
from bot.text import neutralise

log = logging.getLogger(__name__)

# Discord allows at most 25 autocomplete choices, each name and value at most 100 characters.
# The longest alias we ship ("amazon web services") is 19 characters; anything far longer
# is neither an alias nor a ticker (tickers follow bot.market.symbols' rule).
MAX_INPUT_LENGTH: Final = 60
# How much of a refused input to show back (neutralised), and how many suggestions to offer.
ECHO_LIMIT: Final = 40
MAX_SUGGESTIONS: Final = 5
CLOSE_MATCH_CUTOFF: Final = 0.6
# Names of symbols that are not ledger companies, resolved as the companies' aliases are
# ("btc" and "bitcoin" come with BTC-USD's company row).
EXTRA_ALIASES: Final = {"eth": "ETH-USD", "ethereum": "ETH-USD"}
ALLOWED_SPELLING: Final = N_(
    "a ticker is letters, digits and . - ^ = (at most {limit} characters), e.g. CIFR, "
    "BTC-USD, or a name such as cipher or bitcoin"
)


class MalformedSymbol(MinerwatchError):
    """What the member typed cannot be a ticker symbol or a known name."""

    def __init__(self, text: str, reason: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(f"malformed symbol ({reason}): {text[:ECHO_LIMIT]!r}")
        self.text = text
        self.reason = reason
        self.suggestions = tuple(suggestions)

    @property
    def user_message(self) -> str:
        shown = neutralise(self.text.strip(), limit=ECHO_LIMIT)
        if self.reason == "empty":
            head = _("Type a symbol")
        elif self.reason == "too_long":
            head = _("That is {n} characters, too long for a symbol", n=len(self.text))
        elif self.reason == "spelling":
            head = _("“{shown}” is not a ticker symbol", shown=shown)
        else:
            head = _("That is not a ticker symbol")
        spelling = _(ALLOWED_SPELLING, limit=MAX_SYMBOL_LENGTH)
        return f"{head}: {spelling}.{did_you_mean(self.suggestions)}"


class UnknownSymbol(MinerwatchError):
    """A well-formed symbol the price source has no quote for (or could not reach now)."""

    def __init__(
        self, symbol: str, suggestions: Sequence[str] = (), *, unavailable: bool = False
    ) -> None:
        super().__init__(f"no quote for {symbol}")
        self.symbol = symbol
        self.suggestions = tuple(suggestions)
        self.unavailable = unavailable

    @property
    def user_message(self) -> str:
        shown = neutralise(self.symbol, limit=ECHO_LIMIT)
        if self.unavailable:
            return _(
                "Prices for {symbol} cannot be reached right now; please try again in a minute.",
                symbol=shown,
            )
        return _(
            "No price found for {symbol}: the price source does not know this symbol (some "
            "need an exchange suffix, e.g. HIVE.V).{hint}",
            symbol=shown,
            hint=did_you_mean(self.suggestions),
        )


def did_you_mean(suggestions: Sequence[str]) -> str:
    """Return " Did you mean CIFR or WULF?" for suggestions, or "" without any."""
    if not suggestions:
        return ""
    names = list(suggestions)
    joined = (
        names[0]
        if len(names) == 1
        else _("{first} or {last}", first=", ".join(names[:-1]), last=names[-1])
    )
    return " " + _("Did you mean {matches}?", matches=joined)


def without_cashtag(text: str) -> str:
    """Return "CIFR" for the cashtag "$CIFR" (as written on social media), else ``text``."""
    if len(text) > 1 and text[0] == "$" and text[1].isalpha():
        return text[1:]
    return text


@dataclass(frozen=True, slots=True)
class Entry:
    """One tracked symbol and the names members may know it by."""

    symbol: str
    name: str
    aliases: tuple[str, ...] = ()
    on_board: bool = False
    kind: str = "other"  # the company's kind (miner, neocloud, hyperscaler, …)
    listed: bool = True  # False: a private company, no share price

    @property
    def label(self) -> str:
        """Return the choice label: "CIFR · Cipher Mining Inc."."""
        return f"{self.symbol} · {self.name}"[:CHOICE_TEXT]


def _key(text: str) -> str:
    """Return the lookup form of ``text``: lower case, single spaces."""
    return " ".join(text.lower().split())


class SymbolIndex:
    """The tracked companies and their aliases, answered from memory (no SQL per keystroke)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries = {entry.symbol: entry for entry in entries}
        self._aliases: dict[str, str] = {}
        for entry in self._entries.values():
            for alias in (*entry.aliases, entry.name):
                self._aliases.setdefault(_key(alias), entry.symbol)
        for alias, symbol in EXTRA_ALIASES.items():
            self._aliases.setdefault(alias, symbol)
        # Search texts per symbol, computed once: the symbol, its name and every alias.
        self._texts = {
            entry.symbol: (entry.symbol.lower(), *(_key(a) for a in (entry.name, *entry.aliases)))
            for entry in self._entries.values()
        }
        self._ordered = sorted(self._entries.values(), key=lambda e: (not e.on_board, e.symbol))

    @classmethod
    def from_companies(cls, companies: Iterable[Company]) -> SymbolIndex:
        """Build the index from the store's companies."""
        return cls(
            Entry(
                c.symbol,
                c.name,
                tuple(c.aliases),
                on_board=c.on_board,
                kind=c.kind,
                listed=c.listed,
            )
            for c in companies
        )

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._entries

    def entry(self, symbol: str) -> Entry | None:
        """Return the tracked entry for ``symbol``, if tracked."""
        return self._entries.get(symbol)

    def symbols(self) -> list[str]:
        """Return every tracked symbol: the board's first, each group A to Z."""
        return [e.symbol for e in self._ordered]

    def board(self) -> list[Entry]:
        """Return the companies shown on the board, by symbol."""
        return [e for e in self._ordered if e.on_board]

    def resolve(self, text: str) -> str:
        """Return the symbol ``text`` names (alias or ticker), or raise MalformedSymbol."""
        cleaned = without_cashtag(text.strip())
        if not cleaned:
            raise MalformedSymbol(text, "empty")
        if len(cleaned) > MAX_INPUT_LENGTH:
            raise MalformedSymbol(text, "too_long")
        alias = self._aliases.get(_key(cleaned))
        if alias is not None:
            return alias
        try:
            return normalize_symbol(cleaned)
        except InvalidSymbol:
            raise MalformedSymbol(text, "spelling", self.close_matches(cleaned)) from None

    def suggest(self, text: str, limit: int = AUTOCOMPLETE_CHOICES) -> list[tuple[str, str]]:
        """Return up to ``limit`` (label, symbol) choices for what has been typed so far."""
        key = _key(without_cashtag(text.strip()))[:MAX_INPUT_LENGTH]
        if not key:
            return [(e.label, e.symbol) for e in self._ordered[:limit]]
        ranked = sorted(
            (rank, not entry.on_board, entry.symbol)
            for entry in self._ordered
            if (rank := self._rank(entry.symbol, key)) is not None
        )
        choices = [(self._entries[s].label, s) for _, _, s in ranked[:limit]]
        offered = {symbol for _, symbol in choices}
        for alias, symbol in EXTRA_ALIASES.items():
            if alias.startswith(key) and symbol not in offered and len(choices) < limit:
                choices.append((f"{symbol} · {alias}", symbol))
                offered.add(symbol)
        typed = self._typed_ticker(key)
        if typed is not None and typed not in self._entries and len(choices) < limit:
            # Any ticker the provider knows is allowed: offer what was typed as a choice too.
            choices.append((_("{symbol} · look up this ticker", symbol=typed), typed))
        return choices

    def close_matches(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Return tracked symbols that look like ``text`` (spelling or name), best first."""
        key = _key(without_cashtag(text.strip()))[:MAX_INPUT_LENGTH]
        if not key:
            return []
        found: list[str] = [s for _, _, s in sorted(self._prefix_hits(key))]
        candidates = {text: symbol for symbol, texts in self._texts.items() for text in texts}
        for match in difflib.get_close_matches(
            key, candidates, n=limit * 2, cutoff=CLOSE_MATCH_CUTOFF
        ):
            found.append(candidates[match])
        unique = list(dict.fromkeys(found))
        return unique[:limit]

    def _prefix_hits(self, key: str) -> Iterable[tuple[int, bool, str]]:
        for entry in self._ordered:
            rank = self._rank(entry.symbol, key)
            if rank is not None and rank <= 3:
                yield rank, not entry.on_board, entry.symbol

    def _rank(self, symbol: str, key: str) -> int | None:
        """Rank how well ``key`` matches ``symbol`` (lower is better; None: no match)."""
        own, *names = self._texts[symbol]
        if own == key:
            return 0
        if key in names:
            return 1
        if own.startswith(key):
            return 2
        if any(name.startswith(key) for name in names):
            return 3
        if any(word.startswith(key) for name in names for word in name.split()):
            return 4
        if key in own or any(key in name for name in names):
            return 5
        return None

    @staticmethod
    def _typed_ticker(key: str) -> str | None:
        try:
            return normalize_symbol(key)
        except InvalidSymbol:
            return None


class SymbolDirectory:
    """The one symbol index of the process, reloaded when the ledger's companies change.

    Cogs and services read ``index`` on every use rather than keeping a copy, so a reload is
    seen everywhere at once; reading it touches no store (autocomplete answers from memory).
    """

    def __init__(self, companies: Callable[[], Awaitable[Iterable[Company]]]) -> None:
        self._companies = companies
        self._index = SymbolIndex(())
        self._loaded = False

    @property
    def index(self) -> SymbolIndex:
        """Return the index as last loaded (empty before the first load)."""
        return self._index

    async def current(self) -> SymbolIndex:
        """Return the index, loading it first if it never was."""
        if not self._loaded:
            await self.refresh()
        return self._index

    async def refresh(self) -> SymbolIndex:
        """Re-read the companies and their aliases (after the ledger's companies changed)."""
        self._index = SymbolIndex.from_companies(await self._companies())
        self._loaded = True
        log.debug("symbol index: %d companies", len(self._index))
        return self._index
