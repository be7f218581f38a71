"""SEC filings: what a filing says about a deal, and the drafts a person confirms."""
