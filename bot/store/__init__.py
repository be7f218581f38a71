"""The one store the bot shares (SQLite, or PostgreSQL); all SQL lives in this package."""

from __future__ import annotations

from pathlib import Path

from bot.ledger.seed import SeedReport
from bot.store.alerts import AlertRepo
from bot.store.db import Database, StoreError
from bot.store.drafts import DraftRepo
from bot.store.filings import FilingsRepo
from bot.store.fundamentals import BalanceSheetRepo
from bot.store.guilds import GuildSettingsRepo
from bot.store.languages import LanguageRepo
from bot.store.ledger import LedgerRepo
from bot.store.outbox import OutboxRepo
from bot.store.postgres import PostgresDatabase
from bot.store.prices import PriceHistoryRepo
from bot.store.summary import SummaryRepo
from bot.store_location import is_postgres_url

__all__ = ["SeedReport", "Store", "StoreError"]


class Store:
    """The store: one database connection and a repository per area."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.ledger = LedgerRepo(db)
        self.prices = PriceHistoryRepo(db)
        self.alerts = AlertRepo(db)
        self.outbox = OutboxRepo(db)
        self.guilds = GuildSettingsRepo(db)
        self.summary = SummaryRepo(db)
        self.filings = FilingsRepo(db)
        self.drafts = DraftRepo(db)
        self.balance_sheets = BalanceSheetRepo(db)
        self.languages = LanguageRepo(db)

    @classmethod
    async def open(cls, location: Path | str, *, migrate: bool = True) -> Store:
        """Open the store and, by default, bring its schema up to date.

        ``location`` is a SQLite file's path, or a ``postgresql://`` URL.
        """
        db = await open_database(location)
        try:
            if migrate:
                await db.migrate()
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def close(self) -> None:
        """Close the database connection."""
        await self.db.close()


async def open_database(location: Path | str) -> Database:
    """The database at ``location``: PostgreSQL for a ``postgresql://`` URL, else SQLite."""
    if is_postgres_url(location):
        return await PostgresDatabase.connect(str(location).strip())
    return await Database.open(Path(location))
