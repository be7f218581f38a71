"""Balance-sheet figures (total debt, cash) per company, refreshed daily, read from the store."""
