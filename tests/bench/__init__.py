"""Benchmarks (not timed tests): ``python -m tests.bench`` prints every figure the README quotes."""
