"""Benchmarks: gas per operation and transaction throughput on a private anvil.

Run with ``make bench`` (``python -m bench``; ``--quick`` for a fast check). This is
not a test: it asserts nothing about time, it prints tables and writes
``bench/results.json``.
"""
