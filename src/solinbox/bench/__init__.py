"""Benchmarks: compute units of the inbox program (``program_cu``)."""
