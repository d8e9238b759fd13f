"""Benchmarks: the launcher against plain Docker, and the window under load. See RESULTS.md."""
