"""SEC EDGAR filings: polling, classification and the posts of new filings."""
