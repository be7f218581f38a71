"""Every synced slash command, fuzzed through the emulator: answered, clear, nothing bad stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.fuzzing import Fuzzer
from tests.hardening.harness import loop_sandbox, store_invariants

# The fuzz budget, seconds per test on a 2-core CI machine (commands share it equally).
CLIENT_BUDGET_S = 30.0
RAW_BUDGET_S = 20.0


def _fuzz(tmp_path: Path, capsys: pytest.CaptureFixture[str], *, raw: bool, budget: float) -> None:
    with loop_sandbox(tmp_path) as box:
        fuzzer = Fuzzer(box, raw=raw, budget_s=budget)
        stats = fuzzer.run_all()
        report = box.run(store_invariants(box.sandbox.bot.store, today=box.clock.now().date()))
        with capsys.disabled():
            print(f"\n{stats.line('raw' if raw else 'client')}; store: {report}")
        assert not report.problems, "\n".join(report.problems)
        assert stats.total >= 8 * len(stats.cases)
    # The session's own end checks: no unanswered interaction, no rejected body.
    problems = box.sandbox.emu.problems()
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_fuzz_every_command_as_the_client_sends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any value Discord's client lets a member type gets a clear answer in time."""
    _fuzz(tmp_path, capsys, raw=False, budget=CLIENT_BUDGET_S)


@pytest.mark.slow
def test_fuzz_every_command_with_raw_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Values a modified client can send (no choices, lengths or ranges) are refused clearly."""
    _fuzz(tmp_path, capsys, raw=True, budget=RAW_BUDGET_S)
