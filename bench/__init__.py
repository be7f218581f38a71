"""Benchmarks with their results; not part of the test suite."""
