"""SEC EDGAR filings: polling, classification, posts of new filings, and the ledger drafts
read from them."""
