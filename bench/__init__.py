"""Benchmarks, each runnable as `python -m bench.NAME` from the project folder."""
