"""Bitcoin network data (difficulty, block rewards) and the hashprice derived from it."""
