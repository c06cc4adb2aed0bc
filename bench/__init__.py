"""Benchmarks, run by hand or through make (not part of the test suite)."""
