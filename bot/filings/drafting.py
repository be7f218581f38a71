"""From a likely deal to the ledger's review: the card's figures and the drafts a person confirms.

The watcher knows filings; the drafts service knows proposals. These two callables join them:
the card quotes what the extraction read (each deal's figures, marked extracted and
unverified), and the hook files those same proposals as drafts, never as ledger facts.
"""

from __future__ import annotations

from bot.filings.classify import quote_figures
from bot.filings.draft_model import FilingRef
from bot.filings.drafts import DraftService
from bot.filings.extract import extract_proposals
from bot.filings.model import Filing
from bot.filings.watcher import LikelyDealHook
from bot.render.drafts import figure_lines


def filing_ref(filing: Filing) -> FilingRef:
    """Return the filing as a draft cites it: accession, form, dates and its EDGAR index."""
    return FilingRef(
        accession=filing.accession,
        cik=filing.cik,
        form=filing.form,
        filed_date=filing.filed,
        url=filing.index_url,
        title=filing.title,
        accepted_at=None if filing.accepted is None else filing.accepted.isoformat(),
    )


def proposal_figures(filing: Filing, text: str) -> list[str]:
    """Return each deal's figures as the drafts will hold them (the raw phrases if none)."""
    proposals = extract_proposals(text, host=filing.symbol, host_names=(filing.company,))
    lines = [line for proposal in proposals for line in figure_lines(proposal)]
    # A text the extraction cannot split into deals still shows the figures it quotes.
    return lines or quote_figures(text)


def drafts_hook(drafts: DraftService) -> LikelyDealHook:
    """Return the watcher's likely-deal hook: file the filing's proposals as global drafts."""

    async def propose(filing: Filing, text: str) -> None:
        # Idempotent per accession and proposal: a filing read again adds nothing.
        await drafts.propose(filing_ref(filing), text, host=filing.symbol)

    return propose
