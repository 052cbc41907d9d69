"""Benchmarks (never timed tests): see README.md in this folder."""
