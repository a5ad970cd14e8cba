"""Benchmarks (not run by `make test`): `python -m bench [name]`."""
