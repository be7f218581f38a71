"""Where the bot finds the data it ships with (migrations, the seed ledger, demo prices)."""

from __future__ import annotations

from pathlib import Path

# The project runs from its checkout (an editable install), so data/ sits beside bot/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
MIGRATIONS_DIR = DATA_DIR / "migrations"
LEDGER_PATH = DATA_DIR / "ledger.yaml"
