"""Benchmarks: how well (quality) and how fast (speed) — measured, never asserted in tests."""
