"""Grouping what a text states into deals: a new site or tenant is a new deal.

Figures are read in text order into the deal being read; a second value of a kind the deal
already holds, another tenant, another site or a new paragraph starts another deal, so two
deals are never merged. A site named again brings the reading back to its deal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.filings.proposal import FIGURE_FIELDS, PARTY_FIELDS, Mention, Proposal, Quoted


@dataclass(slots=True)
class _Deal:
    values: dict[str, Quoted] = field(default_factory=dict)
    inherited: set[str] = field(default_factory=set)
    party_sentence: int = -1  # the sentence that named this deal's parties
    paragraph: int = -1  # where the deal was last read

    def holds(self, name: str, value: Quoted) -> bool:
        """Whether this deal already has ``value`` as its own (not carried) ``name``."""
        held = self.values.get(name)
        return (
            held is not None
            and name not in self.inherited
            and str(held.value).casefold() == str(value.value).casefold()
        )

    def collides(self, mention: Mention) -> bool:
        """Whether ``mention`` belongs to another deal than the one being read."""
        name, value = mention.field, mention.quoted
        if self.values and mention.paragraph != self.paragraph:
            # A new paragraph is a new deal unless it names this one's site or tenant again:
            # figures of two announcements are never read into one deal.
            return not self.holds(name, value)
        if name in PARTY_FIELDS or name == "site":
            held = self.values.get(name)
            if held is None or name in self.inherited:
                return False
            return str(held.value).casefold() != str(value.value).casefold()
        if name.startswith("mw_"):
            # Critical IT and gross MW of one deal sit side by side; a second figure of the
            # same basis, or any MW beside one of unstated basis, is another deal.
            others = [
                held
                for key, held in self.values.items()
                if key.startswith("mw_") and (key == name or "mw_unstated" in (key, name))
            ]
            return any(held.value != value.value for held in others)
        held = self.values.get(name)
        return held is not None and held.value != value.value

    def take(self, mention: Mention) -> bool:
        """Record a mention; False when this deal already held that very value."""
        name = mention.field
        if name in PARTY_FIELDS:
            self.party_sentence = mention.sentence
        recorded = self._record(name, mention.quoted)
        if recorded or name in (*PARTY_FIELDS, "site"):
            # Its site or tenant named again, or a new figure: the deal is read here now.
            # A figure merely repeated does not bring a new paragraph into this deal.
            self.paragraph = mention.paragraph
        return recorded

    def _record(self, name: str, value: Quoted) -> bool:
        if name.startswith("mw_") and any(
            held.value == value.value for k, held in self.values.items() if k.startswith("mw_")
        ):
            # The same figure again: keep the mention that states its basis.
            if name != "mw_unstated":
                unstated = self.values.get("mw_unstated")
                if unstated is not None and unstated.value == value.value:
                    del self.values["mw_unstated"]
                self.values.setdefault(name, value)
            return False
        if name not in self.values or name in self.inherited:
            self.values[name] = value
            self.inherited.discard(name)
            return True
        return False

    def next_deal(self, mention: Mention) -> _Deal:
        """Start the deal ``mention`` belongs to.

        Parties named in the same sentence as the new site or figure ("with CoreWeave for
        200 MW at A and 100 MW at B") are the new deal's too; a new tenant starts afresh.
        """
        if mention.field in PARTY_FIELDS or mention.sentence != self.party_sentence:
            return _Deal()
        parties = {k: v for k, v in self.values.items() if k in PARTY_FIELDS}
        return _Deal(dict(parties), set(parties), self.party_sentence)

    def worth_proposing(self) -> bool:
        return any(name in self.values for name in (*FIGURE_FIELDS, "counterparty"))


def group_into_deals(mentions: list[Mention], host: str) -> list[Proposal]:
    """Read mentions in text order into deals: one per site or tenant, never merged."""
    drafts: list[_Deal] = []
    current: _Deal | None = None
    # Values a sentence repeated before it turned to another deal: "signed a 15-year lease
    # with a second tenant for 150 MW" restates the term for the new deal, not the old one.
    repeated: list[Mention] = []
    for mention in mentions:
        if repeated and repeated[-1].sentence != mention.sentence:
            repeated = []
        if mention.field == "site":
            # A site named again brings the reading back to its deal.
            named = [d for d in drafts if d.holds(mention.field, mention.quoted)]
            if len(named) == 1:
                current = named[0]
        if current is None:
            current = _Deal()
            drafts.append(current)
        elif current.collides(mention):
            current = current.next_deal(mention)
            drafts.append(current)
            for earlier in repeated:
                current.take(earlier)
            repeated = []
        if not current.take(mention) and mention.field not in ("site", "counterparty"):
            repeated.append(mention)
    return [Proposal(host=host, **draft.values) for draft in drafts if draft.worth_proposing()]
