"""Benchmarks: their own commands (``python -m bench.throughput``, ``python -m
bench.pending``), never timed tests; figures in docs/performance.md."""
