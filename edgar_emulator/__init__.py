"""A local SEC EDGAR on 127.0.0.1 for tests and benchmarks (not shipped with the bot)."""

from edgar_emulator.server import EdgarEmulator, Seen
from edgar_emulator.texts import LEASE_8K, ROUTINE_8K

__all__ = ["LEASE_8K", "ROUTINE_8K", "EdgarEmulator", "Seen"]
