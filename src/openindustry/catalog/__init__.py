"""Catalog: enterprises, their programs, series and dated slots."""
